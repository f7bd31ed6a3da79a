"""Faster ranking on PostgreSQL: the name and the needs and types each get a small vector of
their own (the weighted vector of the whole entry averages 500 bytes, and reading it back for
every match to score it was most of a broad search's time), and the name's has a GIN index so
the listings with the words in their name can be found and ranked first. A partial index
finds the listings for everyone in the area. SQLite keeps its FTS5 table, whose column
filters do the same."""

from django.db import migrations, models

POSTGRES_FORWARD = [
    """ALTER TABLE directory_searchentry
       ADD COLUMN name_vector tsvector
         GENERATED ALWAYS AS (to_tsvector('simple', name_doc)) STORED,
       ADD COLUMN terms_vector tsvector
         GENERATED ALWAYS AS (to_tsvector('simple', terms_doc)) STORED""",
    "CREATE INDEX directory_search_name_vector ON directory_searchentry USING GIN (name_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS directory_search_name_vector",
    "ALTER TABLE directory_searchentry DROP COLUMN IF EXISTS name_vector, "
    "DROP COLUMN IF EXISTS terms_vector",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_FORWARD:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("directory", "0006_service_name_order")]

    operations = [
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(
                condition=models.Q(("everywhere", True)),
                fields=["everywhere"],
                name="search_entry_everywhere",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
