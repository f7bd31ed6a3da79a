"""Directory editors look after listings, providers, places and taxonomy terms."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Directory editor": [
        f"directory.{action}_{model}"
        for model in ("service", "provider", "location", "taxonomyterm")
        for action in ("view", "add", "change")
    ]
    + ["directory.view_taxonomy"],
}


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in GRANTS.items():
        group = Group.objects.get(name=role)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role in GRANTS:
        group = Group.objects.get(name=role)
        group.permissions.remove(*group.permissions.filter(content_type__app_label="directory"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_programmes_and_roles"),
        ("directory", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
