"""What the benchmark measures, and the goals it holds the results to."""

OPENWEATHER_DELAY = 0.15
QUOTES_FOR_CALLS = 1000

SCENARIOS = [
    ("floor", "GET /bench/floor"),
    ("floor, Django only", "GET /bench/floor-django, no DRF"),
    ("active hit", "GET /active, 20 cached cities"),
    ("active miss", "GET /active, each a cold city"),
    ("quote hit", "POST /quote, 20 cities × 2 SKUs cached"),
    ("quote miss", "POST /quote, each a cold city"),
    ("mix 90% hits", "/active and /quote, 1 in 10 a cold city"),
]

# A cached answer costs at most this many times the floor's median.
HIT_GOAL = 1.3
# A quote miss costs at most OpenWeather's latency and this, at the median.
MISS_GOAL_MS = OPENWEATHER_DELAY * 1000 + 15
# OpenWeather calls per QUOTES_FOR_CALLS quotes over 20 cities × 2 SKUs.
CALLS_GOAL = 20
