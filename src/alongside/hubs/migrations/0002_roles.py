"""Who does what in Talking Points. Front-door officers record first contacts and book;
practitioners run sessions, book and record conversations; team managers also set up hubs,
sessions and closures and see the figures; analysts see the figures only.

Front-door officers also introduce people to Local Area Coordination and refer them to
social prescribing, which are two of the front door's decisions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

BOOKING = [
    "hubs.view_hub",
    "hubs.view_slot",
    "hubs.view_booking",
    "hubs.add_booking",
    "hubs.change_booking",
    "hubs.view_waitinglistentry",
    "hubs.add_waitinglistentry",
    "hubs.change_waitinglistentry",
]
FRONT_DOOR = [
    *BOOKING,
    "hubs.view_firstcontact",
    "hubs.add_firstcontact",
    "hubs.change_firstcontact",
    "hubs.view_assessmentrequest",
    "hubs.add_assessmentrequest",
    "hubs.change_assessmentrequest",
    "casework.add_introduction",
    "casework.refer_person",
]
PRACTITIONER = [
    *BOOKING,
    "hubs.view_firstcontact",
    "hubs.view_conversation",
    "hubs.add_conversation",
    "hubs.change_conversation",
    "hubs.add_surveyresponse",
    "hubs.add_assessmentrequest",
]
GRANTS = {
    "Front-door officer": FRONT_DOOR,
    "Talking Point practitioner": PRACTITIONER,
    "Team manager": sorted(
        {*FRONT_DOOR, *PRACTITIONER, "hubs.manage_hubs", "hubs.view_hub_figures"}
        - {"casework.add_introduction", "casework.refer_person"}
    ),
    "Analyst": ["hubs.view_hub_figures"],
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
        ("hubs", "0001_initial"),
        ("casework", "0006_lac_appointments_and_calls"),
        ("accounts", "0005_directory_moderation"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
