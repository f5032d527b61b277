"""Write the benchmark's Markdown table and its plot of latency percentiles."""

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from bench.plan import (
    CALLS_GOAL,
    HIT_GOAL,
    MISS_GOAL_MS,
    OPENWEATHER_DELAY,
    QUOTES_FOR_CALLS,
    SCENARIOS,
)


def write(*, results, facts, workers, duration, results_path: Path, plot_path: Path):
    text = _markdown(results, facts, workers, duration)
    results_path.write_text(text, encoding="utf-8")
    _plot(results, workers, plot_path)


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _verdict(value: float, goal: float, unit: str) -> str:
    if value <= goal:
        return f"met ({value:.2f}{unit} ≤ {goal:g}{unit})"
    return f"missed by {value - goal:.2f}{unit} ({value:.2f}{unit} > {goal:g}{unit})"


def _markdown(results, facts, workers, duration) -> str:
    one, busy = (
        {name: runs[n] for name, runs in results.items()} for n in (1, workers)
    )
    calls = facts["calls"]
    per_thousand = calls["openweather"] * 1000 / max(calls["requests"], 1)
    lines = [
        f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()}: "
        f"{os.cpu_count()} cores, {_memory_gib():.1f} GiB of memory, load "
        f"average {facts['load_average']:.2f} when the run began. gunicorn with "
        f"{workers} threaded workers (gunicorn.conf.py); resident memory per worker "
        "after the run: "
        f"{', '.join(f'{r:.0f} MiB' for r in facts['rss_mib'])}. MariaDB, Redis, "
        f"the OpenWeather stand-in (answering in {OPENWEATHER_DELAY * 1000:.0f} "
        f"ms) and wrk (one thread) on the same machine; {duration} s per run.",
        "",
        f"| scenario | requests | 1 connection: req/s | p50 ms | p99 ms "
        f"| p50 × floor | {workers} connections: req/s | p50 ms | p99 ms "
        f"| p50 × floor | hit / miss / failed |",
        "| --- | --- |" + " ---: |" * 9,
    ]
    for name, what in SCENARIOS:
        cells = []
        for runs in (one, busy):
            r = runs[name]
            cells += [
                f"{r['rps']:.0f}",
                f"{r['p50_ms']:.2f}",
                f"{r['p99_ms']:.2f}",
                f"{r['p50_ms'] / runs['floor']['p50_ms']:.2f}",
            ]
        counts = [
            sum(runs[name][key] for runs in (one, busy))
            for key in ("hits", "misses", "failures")
        ]
        counts[2] += sum(runs[name]["socket_errors"] for runs in (one, busy))
        lines.append(
            f"| {name} | {what} | {' | '.join(cells)} "
            f"| {' / '.join(str(c) for c in counts)} |"
        )

    quote_hit_calls = sum(r["openweather"] for r in results["quote hit"].values())
    miss_calls = sum(r["openweather"] for r in results["quote miss"].values())
    misses = sum(r["misses"] for r in results["quote miss"].values())
    lines += [
        "",
        f"- OpenWeather calls for {calls['requests']:,} quotes over 20 cities × 2 "
        f"SKUs from a cold cache ({calls['connections']} at a time; "
        f"{calls['hits']} hits, {calls['misses']} misses): {calls['openweather']}, "
        f"that is {per_thousand:.1f} per 1,000 quotes.",
        f"- OpenWeather calls during the quote hit runs: {quote_hit_calls}; during "
        f"the quote miss runs: {miss_calls} for {misses} misses (the server "
        f"also answers the requests in flight when wrk stops, uncounted).",
        "- Database queries per request (Django's test client, same database and "
        "Redis): "
        + ", ".join(f"{name} {count}" for name, count in facts["queries"].items())
        + ".",
        "- In one process, without the network (median µs, request log "
        "included): "
        + ", ".join(f"{name} {us:g}" for name, us in facts["breakdown"].items())
        + ".",
        "",
        "Goals, over 1 connection (with every worker busy in brackets):",
        "",
    ]
    for name in ("active hit", "quote hit"):
        ratios = [
            runs[name]["p50_ms"] / runs["floor"]["p50_ms"] for runs in (one, busy)
        ]
        lines.append(
            f"- {name}: p50 ≤ {HIT_GOAL}× floor p50: "
            f"{_verdict(ratios[0], HIT_GOAL, '×')} ({ratios[1]:.2f}×)"
        )
    lines += [
        f"- quote miss: p50 ≤ {MISS_GOAL_MS:g} ms: "
        f"{_verdict(one['quote miss']['p50_ms'], MISS_GOAL_MS, ' ms')} "
        f"({busy['quote miss']['p50_ms']:.2f} ms)",
        f"- OpenWeather calls per {QUOTES_FOR_CALLS:,} quotes ≤ {CALLS_GOAL}: "
        + _verdict(per_thousand, CALLS_GOAL, ""),
        "",
    ]
    return "\n".join(lines)


def _plot(results, workers, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [name for name, _ in SCENARIOS]
    positions = range(len(names))
    width = 0.38
    figure, panes = plt.subplots(1, 2, figsize=(13, 5), dpi=100, sharey=True)
    for axes, connections in zip(panes, (1, workers)):
        runs = {name: results[name][connections] for name in names}
        for offset, key, label in ((-1, "p50_ms", "p50"), (1, "p99_ms", "p99")):
            bars = axes.bar(
                [x + offset * width / 2 for x in positions],
                [runs[n][key] for n in names],
                width,
                label=label,
            )
            axes.bar_label(bars, fmt="%.1f", fontsize=7, padding=2)
        floor = runs["floor"]["p50_ms"]
        axes.axhline(
            floor * HIT_GOAL,
            color="grey",
            linestyle="--",
            linewidth=1,
            label=f"hit goal, {HIT_GOAL}× floor p50 ({floor * HIT_GOAL:.2f} ms)",
        )
        axes.axhline(
            MISS_GOAL_MS,
            color="black",
            linestyle=":",
            linewidth=1,
            label=f"miss goal, p50 ≤ {MISS_GOAL_MS:g} ms",
        )
        axes.set_yscale("log")
        axes.set_xticks(list(positions), names, rotation=30, ha="right", fontsize=8)
        axes.set_title(f"{connections} connection{'s' if connections > 1 else ''}")
        axes.legend(fontsize=7, loc="upper left")
    panes[0].set_ylabel("latency, ms (log scale)")
    figure.suptitle(f"NicaVentas latency per scenario, gunicorn with {workers} workers")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
