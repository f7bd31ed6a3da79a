"""Each listing's place copied onto its needs and types in the search index, with an index on
(term, latitude, longitude, entry): a need near a point ("carers within 2 km") is then found
from that index alone, not by looking up every listing with the need to test its place. The
rows already there are filled from their listings."""

from django.db import migrations, models

FILL = """
UPDATE directory_searchterm SET
  latitude = (SELECT e.latitude FROM directory_searchentry e
              WHERE e.id = directory_searchterm.entry_id),
  longitude = (SELECT e.longitude FROM directory_searchentry e
               WHERE e.id = directory_searchterm.entry_id)
"""


class Migration(migrations.Migration):
    dependencies = [("directory", "0010_search_terms_vector_index")]

    operations = [
        migrations.AddField(
            model_name="searchterm", name="latitude", field=models.FloatField(null=True)
        ),
        migrations.AddField(
            model_name="searchterm", name="longitude", field=models.FloatField(null=True)
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="searchterm",
            index=models.Index(
                fields=["term", "latitude", "longitude", "entry"], name="search_term_point"
            ),
        ),
    ]
