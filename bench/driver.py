"""
Run the benchmark: seed, serve, load, measure, report, and stop what it started.

`bench/run` installs what this needs and runs it as `python -m bench.driver`.
The service runs under gunicorn, one worker per core, on MariaDB and
Redis, with the OpenWeather stand-in answering after 150 ms. wrk, in a process
of its own, sends each scenario's requests over as many connections as there
are workers, for a fixed time. Results go to bench/results.md and
docs/performance.png.
"""

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import cities
from bench.plan import OPENWEATHER_DELAY, QUOTES_FOR_CALLS

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--duration", type=int, default=15, help="Seconds each.")
    parser.add_argument(
        "--workers", type=int, default=len(os.sched_getaffinity(0)), help="One a core."
    )
    parser.add_argument("--results", default=str(ROOT / "bench" / "results.md"))
    parser.add_argument("--plot", default=str(ROOT / "docs" / "performance.png"))
    options = parser.parse_args()

    database_url = os.environ.get(
        "BENCH_DATABASE_URL", "mysql://root@127.0.0.1:3306/nv_bench"
    )
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    with tempfile.TemporaryDirectory(prefix="nicaventas-bench-") as work:
        Bench(Path(work), database_url, redis_url, options).run()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recreate_database(url: str) -> None:
    import MySQLdb

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    connection = MySQLdb.connect(
        host=parts.hostname,
        port=parts.port or 3306,
        user=urllib.parse.unquote(parts.username or "root"),
        password=urllib.parse.unquote(parts.password or ""),
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    connection.close()


class Bench:
    def __init__(self, work: Path, database_url: str, redis_url: str, options):
        self.work = work
        self.options = options
        self.workers = options.workers
        self.service_port = free_port()
        self.standin_port = free_port()
        self.base = f"http://127.0.0.1:{self.service_port}"
        self.standin = f"http://127.0.0.1:{self.standin_port}"
        self.database_url = database_url
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "nicaventas.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(32),
            "OPERATOR_TOKEN": secrets.token_urlsafe(32),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
            "OPENWEATHER_API_KEY": "stand-in-key",
            "OPENWEATHER_BASE_URL": self.standin,
            "NICAVENTAS_BENCH_FLOOR": "true",
            # As behind a proxy: clients are told apart by X-Forwarded-For.
            "NUM_PROXIES": "1",
            "PYTHONPATH": str(ROOT),
        }
        self.processes: list[subprocess.Popen] = []
        self.results: dict[str, dict] = {}
        self.facts: dict = {}

    def run(self) -> None:
        self.facts["load_average"] = os.getloadavg()[0]
        try:
            self.seed()
            self.start()
            self.load()
            self.facts["rss_mib"] = self.worker_rss()
            self.facts["breakdown"] = json.loads(self.python("-m", "bench.breakdown"))
            self.facts["queries"] = json.loads(self.python("-m", "bench.queries"))
        except BaseException:
            log = self.work / "server.log"
            if log.exists():
                tail = log.read_text(errors="replace").splitlines()[-40:]
                say("Server log, last lines:\n" + "\n".join(tail))
            raise
        finally:
            self.stop()
        self.report()

    # Set-up

    def seed(self) -> None:
        say(f"Recreating the database of {redact(self.database_url)}")
        recreate_database(self.database_url)
        say(self.python("-m", "bench.seed", str(self.work / "places.json")).strip())

    def python(self, *args: str) -> str:
        done = subprocess.run(
            [PYTHON, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
        return done.stdout

    def start(self) -> None:
        log = open(self.work / "server.log", "w")
        self.processes.append(
            subprocess.Popen(
                [
                    PYTHON,
                    "manage.py",
                    "openweather_standin",
                    "--port",
                    str(self.standin_port),
                    "--delay",
                    str(OPENWEATHER_DELAY),
                    "--places",
                    str(self.work / "places.json"),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
            )
        )
        self.processes.append(
            subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "gunicorn",
                    "nicaventas.wsgi:application",
                    "--workers",
                    str(self.workers),
                    "--bind",
                    f"127.0.0.1:{self.service_port}",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
            )
        )
        wait_for(f"{self.standin}/_count")
        wait_for(f"{self.base}/bench/floor")
        say(
            f"gunicorn ({self.workers} workers) on {self.base}, stand-in on "
            f"{self.standin}"
        )

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def worker_rss(self) -> list[float]:
        master = self.processes[1].pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        sizes = []
        for pid in children:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    # Load

    def load(self) -> None:
        files = self.request_files()

        # Both workers import, connect and fill their lazy tables first, on
        # requests that leave the measured caches as they are.
        self.wrk(files["warm-up"], "cycle", 3, self.workers)

        self.measure("floor", files["floor"])
        self.measure("floor, Django only", files["floor-django"])

        before = self.standin_calls()
        self.facts["calls"] = self.quote_all(files["calls"], connections=8)
        self.facts["calls"]["openweather"] = self.standin_calls() - before
        say(
            f"{QUOTES_FOR_CALLS} quotes from cold: "
            f"{self.facts['calls']['openweather']} OpenWeather calls"
        )

        self.measure("quote hit", files["quote hit"])
        for line in files["active hit"].read_text().splitlines():
            urllib.request.urlopen(self.base + line.split("\t")[1]).read()
        self.measure("active hit", files["active hit"])
        self.measure("active miss", files["active miss"], once=True)
        self.measure("quote miss", files["quote miss"], once=True)
        self.measure("mix 90% hits", files["mix"], once=True)

    def measure(self, name: str, path: Path, once: bool = False) -> None:
        """
        Run the scenario over one connection, for the cost of one request, then
        over one per worker, for what the server serves when busy. In "once"
        mode, each run takes its own half of the file, so no city repeats.
        """
        lines = path.read_text(encoding="utf-8").splitlines()
        middle = len(lines) // 2
        halves = [lines[:middle], lines[middle:]] if once else [lines, lines]
        self.results[name] = {}
        for connections, half in zip((1, self.workers), halves):
            part = path.with_suffix(f".{connections}.txt")
            part.write_text("\n".join(half) + "\n", encoding="utf-8")
            before = self.standin_calls()
            result = self.wrk(
                part, "once" if once else "cycle", self.options.duration, connections
            )
            result["openweather"] = self.standin_calls() - before
            self.results[name][connections] = result

    def request_files(self) -> dict[str, Path]:
        twenty = [name for name, *_ in cities.CITIES]

        def active(city):
            query = urllib.parse.urlencode({"country": cities.COUNTRY, "city": city})
            return f"GET\t/active?{query}\t"

        def quote(sku, city):
            body = {"sku": sku, "country": cities.COUNTRY, "city": city}
            return f"POST\t/quote\t{json.dumps(body, ensure_ascii=False)}"

        combos = [quote(sku, city) for city in twenty for sku in cities.SKUS]
        quote_cold = [
            quote(cities.SKUS[i % 2], name)
            for i, (name, *_) in enumerate(cities.cold_cities("quote-miss"))
        ]
        mix_cold = [name for name, *_ in cities.cold_cities("mix")]
        mix = []
        for i in range(len(mix_cold) * 10):
            if i % 10 == 9:
                city = mix_cold[i // 10]
                mix.append(active(city) if i % 20 == 9 else quote("AZ00001", city))
            elif i % 2:
                mix.append(active(twenty[i // 2 % len(twenty)]))
            else:
                mix.append(combos[i // 2 % len(combos)])
        lines = {
            "warm-up": [
                "GET\t/bench/floor\t",
                active("Nowhere"),
                quote("AZ99999", "León"),
            ],
            "floor": ["GET\t/bench/floor\t"],
            "floor-django": ["GET\t/bench/floor-django\t"],
            "calls": [combos[i % len(combos)] for i in range(QUOTES_FOR_CALLS)],
            "quote hit": combos,
            "active hit": [active(city) for city in twenty],
            "active miss": [
                active(name) for name, *_ in cities.cold_cities("active-miss")
            ],
            "quote miss": quote_cold,
            "mix": mix,
        }
        files = {}
        for name, requests in lines.items():
            files[name] = self.work / f"{name.replace(' ', '-')}.txt"
            files[name].write_text("\n".join(requests) + "\n", encoding="utf-8")
        return files

    def wrk(self, path: Path, mode: str, seconds: int, connections: int) -> dict:
        done = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(ROOT / "bench" / "load.lua"),
                self.base,
                "--",
                str(path),
                mode,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        say(f"{path.name}, {connections} connections: {result}")
        return result

    def quote_all(self, path: Path, connections: int) -> dict:
        """Send every quote of the file, that many at a time; count the answers."""
        bodies = [line.split("\t")[2] for line in path.read_text().splitlines()]

        def ask(numbered):
            n, body = numbered
            request = urllib.request.Request(
                f"{self.base}/quote",
                data=body.encode(),
                headers={
                    "Content-Type": "application/json",
                    "X-Forwarded-For": f"127.3.{n // 256 % 256}.{n % 256}",
                },
            )
            with urllib.request.urlopen(request) as response:
                return json.load(response)["cache"]

        with ThreadPoolExecutor(connections) as pool:
            answers = list(pool.map(ask, enumerate(bodies)))
        return {
            "requests": len(answers),
            "connections": connections,
            "hits": answers.count("hit"),
            "misses": answers.count("miss"),
        }

    def standin_calls(self) -> int:
        with urllib.request.urlopen(f"{self.standin}/_count") as response:
            return json.load(response)["calls"]

    # Report

    def report(self) -> None:
        from bench import report

        report.write(
            results=self.results,
            facts=self.facts,
            workers=self.workers,
            duration=self.options.duration,
            results_path=Path(self.options.results),
            plot_path=Path(self.options.plot),
        )
        say(Path(self.options.results).read_text())


def wait_for(url: str, seconds: float = 30) -> None:
    give_up_at = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > give_up_at:
                raise SystemExit(f"Nothing answered at {url}; see the server log")
            time.sleep(0.2)


def redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.hostname}:{parts.port}{parts.path}"


def say(text: str) -> None:
    print(text, flush=True)


if __name__ == "__main__":
    main()
