"""Local Area Coordinators book appointments and arrange welfare calls too: both are shared
casework, not only social prescribing."""

from django.db import migrations

PERMS = [
    "casework.add_appointment",
    "casework.view_welfarecallplan",
    "casework.add_welfarecallplan",
    "casework.view_welfarecall",
]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label="casework", codename=p.split(".")[1])
        for p in PERMS
    ]


def forwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get(name="Local Area Coordinator").permissions.add(
        *_permissions(apps)
    )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get(name="Local Area Coordinator").permissions.remove(
        *_permissions(apps)
    )


class Migration(migrations.Migration):
    dependencies = [("casework", "0005_social_prescribing_data")]

    operations = [migrations.RunPython(forwards, backwards)]
