import time

from django.core.management.base import BaseCommand

from quotes.standin import OpenWeatherStandIn, places_from_file


class Command(BaseCommand):
    # It serves OpenWeather's side: the service's checks are not its business.
    requires_system_checks = []
    help = (
        "Serve a local stand-in for OpenWeather on 127.0.0.1: León rains, "
        "Managua has a clear sky, Chinandega has mist and light rain."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8090)
        parser.add_argument("--api-key", default="stand-in-key")
        parser.add_argument(
            "--delay", type=float, default=0.0, help="Seconds before each answer."
        )
        parser.add_argument(
            "--places",
            help="A JSON file of more places (see quotes.standin.places_from_file).",
        )

    def handle(self, *args, port, api_key, delay, places, **options):
        standin = OpenWeatherStandIn(api_key=api_key, delay=delay)
        if places:
            standin.places.extend(places_from_file(places))
        standin.start(port)
        self.stdout.write(f"OpenWeather stand-in on {standin.url}", ending="\n")
        self.stdout.flush()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            standin.stop()
