"""Each entry's words now carry tokens for what the filters ask (ward, neighbourhood, whole
area, free, days, times of day, accessibility, kind: `search.text.fact_token`), so a search
with words matches those filters inside the full-text index (docs/adr/0007-search.md). An
index built before this has none of them, and such searches would find nothing: rebuild it.
(This uses the current indexer rather than historical models, as an index rebuild must.)"""

from django.db import migrations


def rebuild_index(apps, schema_editor):
    if not apps.get_model("directory", "SearchEntry").objects.exists():
        return
    from alongside.directory.search.index import rebuild_all

    rebuild_all()


class Migration(migrations.Migration):
    dependencies = [("directory", "0008_search_entry_soonest_index")]

    operations = [migrations.RunPython(rebuild_index, migrations.RunPython.noop)]
