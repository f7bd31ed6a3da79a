"""On PostgreSQL, a GIN index on the needs and types' vector too: with one group of words,
ranking reads the listings with the words in their name and their needs first (`engine`'s
name tiers), and the two indexes together find exactly those, so no other listing with the
words in its name is read. SQLite's FTS5 column filters already do this."""

from django.db import migrations

FORWARD = (
    "CREATE INDEX directory_search_terms_vector ON directory_searchentry USING GIN (terms_vector)"
)
BACKWARD = "DROP INDEX IF EXISTS directory_search_terms_vector"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("directory", "0009_search_fact_tokens")]

    operations = [migrations.RunPython(forwards, backwards)]
