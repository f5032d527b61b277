from django.db import migrations, models

# MariaDB compares text through the column's collation, which holds as equal
# names that normalize_city() keeps apart (every emoji or rare CJK character
# alike, dotless and dotted i under general_ci). A binary collation makes the
# database compare exactly the key Python computed, as SQLite already does.
BINARY = "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"


def name_key_collation(collation: str):
    def alter(apps, schema_editor):
        if schema_editor.connection.vendor != "mysql":
            return
        table = schema_editor.quote_name("availability_city")
        column = schema_editor.quote_name("name_key")
        schema_editor.execute(
            f"ALTER TABLE {table} MODIFY {column} varchar(100) {collation} NOT NULL"
        )

    return alter


class Migration(migrations.Migration):
    # MariaDB cannot run DDL inside a transaction.
    atomic = False

    dependencies = [
        ("availability", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            name_key_collation(BINARY),
            # The table's own default collation again.
            name_key_collation(""),
        ),
        migrations.AlterConstraint(
            model_name="city",
            name="city_unique_per_country",
            constraint=models.UniqueConstraint(
                fields=("country", "name_key"),
                name="city_unique_per_country",
                violation_error_message=(
                    "A city of this name, in some spelling, exists in this country."
                ),
            ),
        ),
    ]
