"""On SQLite, the trigger that keeps the FTS5 table in step with SearchEntry fires only when
a column the FTS5 table holds changes. Before, any update rewrote the entry's full-text row:
bringing passed next dates up to date (`index.refresh_next_dates`) then rewrote tens of
thousands of them and left the FTS5 index in many small segments. A later migration that
makes Django rebuild the table must run `SQLITE_TRIGGERS` from here, not from 0004."""

from importlib import import_module

from django.db import migrations

fulltext = import_module("alongside.directory.migrations.0004_search_fulltext")

UPDATED = """CREATE TRIGGER directory_search_au
    AFTER UPDATE OF name_doc, terms_doc, body_doc ON directory_searchentry BEGIN
        INSERT INTO directory_search_fts(directory_search_fts, rowid, name_doc, terms_doc, body_doc)
        VALUES ('delete', old.id, old.name_doc, old.terms_doc, old.body_doc);
        INSERT INTO directory_search_fts(rowid, name_doc, terms_doc, body_doc)
        VALUES (new.id, new.name_doc, new.terms_doc, new.body_doc);
    END"""
SQLITE_TRIGGERS = [sql for sql in fulltext.SQLITE_TRIGGERS if "directory_search_au" not in sql] + [
    UPDATED
]


def _replace_update_trigger(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS directory_search_au")
        schema_editor.execute(sql)


def forwards(apps, schema_editor):
    _replace_update_trigger(schema_editor, UPDATED)


def backwards(apps, schema_editor):
    (before,) = [sql for sql in fulltext.SQLITE_TRIGGERS if "directory_search_au" in sql]
    _replace_update_trigger(schema_editor, before)


class Migration(migrations.Migration):
    dependencies = [("directory", "0011_search_term_point")]

    operations = [migrations.RunPython(forwards, backwards)]
