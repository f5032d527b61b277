import logging

from django.conf import settings
from django.db import IntegrityError, transaction

from availability.models import City, normalize_city
from nicaventas import cache
from nicaventas.api import NotFound

logger = logging.getLogger(__name__)

ANSWER_KEY = "active:{country}:{city}"
CITY_VERSION_KEY = "active-version:{country}:{city}"
TABLE_VERSION_KEY = "active-version:all"
cache.forget_after_outage(TABLE_VERSION_KEY)


class CityNotFound(NotFound):
    def __init__(self, *, country: str, city: str):
        msg = f"No city '{city}' is registered in country '{country}'."
        super().__init__(msg)


def _keys(country: str, city_key: str) -> tuple[str, str]:
    parts = {"country": country, "city": city_key}
    return ANSWER_KEY.format(**parts), CITY_VERSION_KEY.format(**parts)


def _as_answer(city: City) -> dict:
    return {"active": city.active, "country": city.country, "city": city.name}


def active_get(*, country: str, city: str) -> dict:
    """Return whether sales are active in the city, from the cache if possible."""
    answer_key, version_key = _keys(country, normalize_city(city))
    version_keys = [version_key, TABLE_VERSION_KEY]

    found = cache.get_many([answer_key, *version_keys])
    cached = cache.fresh_answer(answer_key, found, version_keys)
    if cached is not None:
        return {**cached, "cache": "hit"}

    tokens = cache.version_tokens(version_keys, found)
    stored = City.objects.filter(country=country, name_key=normalize_city(city)).first()
    if stored is None:
        raise CityNotFound(country=country, city=city)
    answer = _as_answer(stored)
    if tokens is not None:
        entry = {"versions": tokens, "data": answer}
        cache.store(answer_key, entry, settings.ACTIVE_CACHE_TTL)

    return {**answer, "cache": "miss"}


def city_register(
    *, country: str, name: str, active: bool | None = None
) -> tuple[dict, bool]:
    """Register a city, or set the state of the one of that name; True if new."""
    try:
        with transaction.atomic():
            city = (
                City.objects.select_for_update()
                .filter(country=country, name_key=normalize_city(name))
                .first()
            )
            if city is not None:
                _set_active(city, active)
                return _as_answer(city), False

            city = City(country=country, name=name, active=bool(active))
            city.full_clean()
            city.save()
    except IntegrityError:
        # Another request registered the same city meanwhile.
        return city_set_active(country=country, name=name, active=active), False

    logger.info("City %s registered in %s", city.name, city.country)
    return _as_answer(city), True


def city_set_active(*, country: str, name: str, active: bool | None) -> dict:
    with transaction.atomic():
        city = (
            City.objects.select_for_update()
            .filter(country=country, name_key=normalize_city(name))
            .first()
        )
        if city is None:
            raise CityNotFound(country=country, city=name)
        _set_active(city, active)

    return _as_answer(city)


def _set_active(city: City, active: bool | None) -> None:
    if active is None or city.active == active:
        return
    city.active = active
    city.save(update_fields=["active"])
    logger.info("City %s in %s set active=%s", city.name, city.country, active)


def active_forget(*, city: City) -> None:
    """Drop the cached answer of the city, under its old name too."""
    identities = {(city.country, normalize_city(city.name))}
    identities.add(getattr(city, "stored_identity", None) or (None, None))
    version_keys = [
        _keys(country, city_key)[1]
        for country, city_key in identities
        if country is not None
    ]
    cache.bump_versions(*version_keys)


def active_forget_all() -> None:
    cache.bump_versions(TABLE_VERSION_KEY)
