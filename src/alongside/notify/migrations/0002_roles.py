"""Who may use messages: staff who work with residents may email them a list; administrators
and team managers may read the outbox (addresses and bodies; each reading is audited)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Administrator": ["notify.view_outboxmessage"],
    "Team manager": ["notify.view_outboxmessage", "notify.send_message"],
    "Front-door officer": ["notify.send_message"],
    "Talking Point practitioner": ["notify.send_message"],
    "Local Area Coordinator": ["notify.send_message"],
    "Link worker": ["notify.send_message"],
    "Volunteer coordinator": ["notify.send_message"],
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
        ("notify", "0001_outbox"),
        ("accounts", "0003_programmes_and_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
