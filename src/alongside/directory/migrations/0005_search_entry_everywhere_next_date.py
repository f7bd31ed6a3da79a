"""Listings for everyone in the area match every ward without a row per ward, and each
entry keeps its next date so "this week" and "soonest" need no look-up. Adding columns
makes SQLite rebuild the table, which drops its full-text triggers: re-create them
and rebuild the full-text index from the table."""

from importlib import import_module

from django.db import migrations, models

fulltext = import_module("alongside.directory.migrations.0004_search_fulltext")


def recreate_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in ("directory_search_ai", "directory_search_ad", "directory_search_au"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for sql in fulltext.SQLITE_TRIGGERS:
        schema_editor.execute(sql)
    schema_editor.execute(
        "INSERT INTO directory_search_fts(directory_search_fts) VALUES ('rebuild')"
    )


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_search_fulltext")]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="everywhere",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="next_date",
            field=models.DateField(null=True),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["next_date"], name="search_entry_next"),
        ),
        migrations.RunPython(recreate_triggers, migrations.RunPython.noop),
    ]
