import unicodedata

import pycountry
from django.core.exceptions import ValidationError
from django.db import models


NAME_KEY_LENGTH = 100


def normalize_city(name: str) -> str:
    """Return the key two spellings of one city share: no case, accents, blanks."""
    decomposed = unicodedata.normalize("NFKD", name.strip().casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


def is_country_code(value: str) -> bool:
    """Tell an ISO 3166-1 alpha-2 code, in ASCII letters of any case."""
    return (
        len(value) == 2
        and value.isascii()
        and value.isalpha()
        and pycountry.countries.get(alpha_2=value.upper()) is not None
    )


def validate_country(value: str) -> None:
    if not is_country_code(value or ""):
        msg = "Not an ISO 3166-1 alpha-2 country code."
        raise ValidationError(msg, code="country")


class CityQuerySet(models.QuerySet):
    def update(self, **kwargs):
        from availability import services

        if ("name" in kwargs) != ("name_key" in kwargs):
            # The key is computed from each name: one value cannot serve all rows.
            msg = "Rename cities one by one with save() or through bulk_update()."
            raise TypeError(msg)
        rows = super().update(**kwargs)
        # update() sends no signal, and the rows it touched are not known here.
        services.active_forget_all()
        return rows

    def bulk_update(self, objs, fields, *args, **kwargs):
        # Rows are written through update(), which forgets every answer.
        fields = list(fields)
        if "name" in fields and "name_key" not in fields:
            for city in objs:
                city.name_key = normalize_city(city.name)
            fields.append("name_key")
        return super().bulk_update(objs, fields, *args, **kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        from availability import services

        objs = list(objs)
        for city in objs:
            city.country = city.country.strip().lower()
            city.name_key = normalize_city(city.name)
        created = super().bulk_create(objs, *args, **kwargs)
        # With update_conflicts, existing rows change and no signal says which.
        services.active_forget_all()
        return created

    def store_coordinates(self, coordinates) -> int:
        # No cached answer depends on coordinates: nothing to forget.
        return super().update(
            latitude=coordinates.latitude, longitude=coordinates.longitude
        )


class City(models.Model):
    country = models.CharField(max_length=2, validators=[validate_country])
    name = models.CharField(max_length=100)
    # The city's identity: computed here and compared byte for byte (binary
    # collation on MariaDB, see migration 0002), never through a collation.
    name_key = models.CharField(max_length=NAME_KEY_LENGTH, editable=False)
    active = models.BooleanField(default=False)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    objects = CityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "cities"
        ordering = ["country", "name_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "name_key"],
                name="city_unique_per_country",
                violation_error_message=(
                    "A city of this name, in some spelling, exists in this country."
                ),
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
        fields = city.__dict__
        city.stored_identity = (fields.get("country"), fields.get("name_key"))
        return city

    def clean(self):
        self.country = (self.country or "").strip().lower()
        self.name = " ".join((self.name or "").split())
        self.name_key = normalize_city(self.name)
        if not self.name_key:
            raise ValidationError({"name": "A city needs a name."})
        if len(self.name_key) > NAME_KEY_LENGTH:
            # Normalising lengthens some letters (ß, ligatures).
            raise ValidationError({"name": "This city name is too long."})

    def validate_constraints(self, exclude=None):
        # name_key is on no form: check it whenever the name is checked.
        if exclude and "name" not in exclude:
            exclude = set(exclude) - {"name_key"}
        super().validate_constraints(exclude=exclude)

    def save(self, *args, **kwargs):
        self.country = self.country.strip().lower()
        self.name_key = normalize_city(self.name)
        super().save(*args, **kwargs)
        # Its signals forgot the old name; the next rename starts from this one.
        self.stored_identity = (self.country, self.name_key)
