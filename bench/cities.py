"""
The places the benchmark quotes, shared by its seeding and its load.

Twenty Nicaraguan cities, the first three as `manage.py seed` stores them, with
the weather the OpenWeather stand-in reports there. Cold cities, each asked
once to measure misses, are new names at the coordinates of one of the twenty,
so that the stand-in knows their weather while every cache entry of theirs
(answer, version token, weather) starts empty.
"""

COUNTRY = "ni"
SKUS = ["AZ00001", "AZ00002"]
WEATHERS = ["leon-heavy-rain", "managua-clear-sky", "mist-and-light-rain"]

# name, latitude, longitude
CITIES = [
    ("León", 12.4379, -86.8781),
    ("Managua", 12.1328, -86.2504),
    ("Chinandega", 12.6294, -87.1311),
    ("Masaya", 11.9744, -86.0942),
    ("Granada", 11.9299, -85.9560),
    ("Estelí", 13.0919, -86.3538),
    ("Matagalpa", 12.9256, -85.9175),
    ("Jinotega", 13.0910, -86.0023),
    ("Rivas", 11.4372, -85.8263),
    ("Juigalpa", 12.1063, -85.3645),
    ("Bluefields", 12.0137, -83.7635),
    ("Puerto Cabezas", 14.0351, -83.3888),
    ("Ocotal", 13.6324, -86.4752),
    ("Somoto", 13.4801, -86.5833),
    ("Boaco", 12.4721, -85.6586),
    ("Jinotepe", 11.8494, -86.1991),
    ("Diriamba", 11.8580, -86.2391),
    ("San Carlos", 11.1235, -84.7788),
    ("Nueva Guinea", 11.6877, -84.4562),
    ("Tipitapa", 12.1970, -86.0971),
]
# Cold cities per pool, more than one run can ask for within its duration.
POOLS = {"active-miss": 30000, "quote-miss": 2000, "mix": 4000, "queries": 2}


def weather_of(index: int) -> str:
    return WEATHERS[index % len(WEATHERS)]


def cold_city(pool: str, index: int) -> str:
    return f"Bench {pool} {index:05d}"


def cold_cities(pool: str) -> list[tuple[str, float, float]]:
    """Return the pool's names, each at the coordinates of one of the twenty."""
    return [
        (cold_city(pool, i), *CITIES[i % len(CITIES)][1:]) for i in range(POOLS[pool])
    ]
