"""Moderating the directory: editors decide on suggestions and read listings' change history;
partners may send suggestions (their pages also check the Partner role and organisation)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Directory editor": [
        "directory.view_suggestion",
        "directory.add_suggestion",
        "directory.change_suggestion",
        "directory.view_listingchange",
    ],
    "Partner": ["directory.add_suggestion"],
}


def _permission(apps, perm):
    Permission = apps.get_model("auth", "Permission")
    app_label, codename = perm.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for role, perms in GRANTS.items():
        group = Group.objects.get(name=role)
        group.permissions.add(*[_permission(apps, perm) for perm in perms])


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, perms in GRANTS.items():
        group = Group.objects.get(name=role)
        group.permissions.remove(*[_permission(apps, perm) for perm in perms])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_directory_editor_permissions"),
        ("directory", "0004_search_fulltext"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
