"""The starting lists of reasons for an introduction and of needs avoided or delayed.
Both are data, so a council can add to them in the Django admin."""

from django.db import migrations

REASONS = [
    ("mental_health", "Mental health"),
    ("isolation", "Loneliness or isolation"),
    ("housing", "Housing"),
    ("money", "Poverty and money"),
    ("physical_health", "Physical health"),
    ("caring", "Caring for someone"),
    ("bereavement", "Bereavement"),
    ("substance_use", "Alcohol or drug use"),
    ("work", "Work, learning or volunteering"),
    ("digital", "Digital exclusion"),
    ("other", "Other"),
]

DIVERSIONS = [
    ("social_care_assessment", "Social care assessment"),
    ("gp_visits", "GP visits"),
    ("mental_health_crisis", "Mental health crisis"),
    ("eviction", "Eviction"),
    ("hospital_admission", "Hospital admission"),
    ("other", "Other"),
]


def forwards(apps, schema_editor):
    for model_name, items in (("IntroductionReason", REASONS), ("DiversionKind", DIVERSIONS)):
        model = apps.get_model("casework", model_name)
        for order, (code, label) in enumerate(items):
            model.objects.update_or_create(code=code, defaults={"label": label, "order": order})


def backwards(apps, schema_editor):
    apps.get_model("casework", "IntroductionReason").objects.all().delete()
    apps.get_model("casework", "DiversionKind").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
