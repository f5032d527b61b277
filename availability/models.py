import unicodedata

import pycountry
from django.core.exceptions import ValidationError
from django.db import models


def normalize_city(name: str) -> str:
    """Return the key two spellings of one city share: no case, accents, blanks."""
    decomposed = unicodedata.normalize("NFKD", name.strip().casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


def validate_country(value: str) -> None:
    if pycountry.countries.get(alpha_2=(value or "").upper()) is None:
        msg = f"'{value}' is not an ISO 3166-1 alpha-2 country code."
        raise ValidationError(msg, code="country")


class CityQuerySet(models.QuerySet):
    def update(self, **kwargs):
        from availability import services

        rows = super().update(**kwargs)
        # update() sends no signal, and the rows it touched are not known here.
        services.active_forget_all()
        return rows

    def store_coordinates(self, coordinates) -> int:
        # No cached answer depends on coordinates: nothing to forget.
        return super().update(
            latitude=coordinates.latitude, longitude=coordinates.longitude
        )


class City(models.Model):
    country = models.CharField(max_length=2, validators=[validate_country])
    name = models.CharField(max_length=100)
    # The city's identity: compared here, never through the DB collation,
    # which differs between MariaDB and SQLite.
    name_key = models.CharField(max_length=100, editable=False)
    active = models.BooleanField(default=False)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    objects = CityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "cities"
        ordering = ["country", "name_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "name_key"], name="city_unique_per_country"
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="city_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="city_longitude_range",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.country})"

    @classmethod
    def from_db(cls, db, field_names, values):
        city = super().from_db(db, field_names, values)
        # Kept so that a rename also forgets the answer cached under the old name.
        city.stored_identity = (city.__dict__.get("country"), city.__dict__.get("name_key"))
        return city

    def clean(self):
        self.country = (self.country or "").strip().lower()
        self.name = " ".join((self.name or "").split())
        self.name_key = normalize_city(self.name)
        if not self.name_key:
            raise ValidationError({"name": "A city needs a name."})

    def save(self, *args, **kwargs):
        self.country = self.country.strip().lower()
        self.name_key = normalize_city(self.name)
        super().save(*args, **kwargs)
