"""The full-text index over SearchEntry: an FTS5 table kept in step by triggers on SQLite, a
generated tsvector column with a GIN index on PostgreSQL, its name, needs and other words
labelled A, B and C so relevance can ask which column a word is in. Both index the same pre-stemmed
words without further processing (`unicode61` / the `simple` configuration), so matching is
identical on the two engines (docs/adr/0007-search.md). FTS5 keeps which column each word is
in but not its positions (`detail=column`): search never asks for phrases, and the index is
smaller and faster to read."""

from django.db import migrations


SQLITE_FTS_TABLE = [
    """CREATE VIRTUAL TABLE directory_search_fts USING fts5(
        name_doc, terms_doc, body_doc, content='directory_searchentry', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', detail=column)""",
]
# SQLite drops a table's triggers when Django rebuilds the table (as it does to add or alter
# a column), so any later migration that changes SearchEntry must run these again.
SQLITE_TRIGGERS = [
    """CREATE TRIGGER directory_search_ai AFTER INSERT ON directory_searchentry BEGIN
        INSERT INTO directory_search_fts(rowid, name_doc, terms_doc, body_doc)
        VALUES (new.id, new.name_doc, new.terms_doc, new.body_doc);
    END""",
    """CREATE TRIGGER directory_search_ad AFTER DELETE ON directory_searchentry BEGIN
        INSERT INTO directory_search_fts(directory_search_fts, rowid, name_doc, terms_doc, body_doc)
        VALUES ('delete', old.id, old.name_doc, old.terms_doc, old.body_doc);
    END""",
    """CREATE TRIGGER directory_search_au AFTER UPDATE ON directory_searchentry BEGIN
        INSERT INTO directory_search_fts(directory_search_fts, rowid, name_doc, terms_doc, body_doc)
        VALUES ('delete', old.id, old.name_doc, old.terms_doc, old.body_doc);
        INSERT INTO directory_search_fts(rowid, name_doc, terms_doc, body_doc)
        VALUES (new.id, new.name_doc, new.terms_doc, new.body_doc);
    END""",
]
SQLITE_FORWARD = SQLITE_FTS_TABLE + SQLITE_TRIGGERS
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS directory_search_au",
    "DROP TRIGGER IF EXISTS directory_search_ad",
    "DROP TRIGGER IF EXISTS directory_search_ai",
    "DROP TABLE IF EXISTS directory_search_fts",
]
POSTGRES_FORWARD = [
    """ALTER TABLE directory_searchentry ADD COLUMN search_vector tsvector
       GENERATED ALWAYS AS (
         setweight(to_tsvector('simple', name_doc), 'A')
         || setweight(to_tsvector('simple', terms_doc), 'B')
         || setweight(to_tsvector('simple', body_doc), 'C')
       ) STORED""",
    "CREATE INDEX directory_search_vector ON directory_searchentry USING GIN (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS directory_search_vector",
    "ALTER TABLE directory_searchentry DROP COLUMN IF EXISTS search_vector",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_search_index")]

    operations = [migrations.RunPython(forwards, backwards)]
