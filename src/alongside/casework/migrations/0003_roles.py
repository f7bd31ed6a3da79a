"""Who may do casework. Coordinators and link workers work on their team's episodes; team
managers also reassign, set capacity and approve stories; analysts see figures only."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WORKER = [
    "casework.view_episode",
    "casework.change_episode",
    "casework.add_introduction",
    "casework.view_communitywork",
    "casework.add_communitywork",
    "casework.view_systemintelligence",
    "casework.add_systemintelligence",
]
GRANTS = {
    "Local Area Coordinator": WORKER,
    "Link worker": WORKER,
    "Team manager": [
        *WORKER,
        "casework.manage_caseloads",
        "casework.approve_story",
        "casework.view_casework_figures",
    ],
    "Analyst": ["casework.view_casework_figures"],
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
        ("casework", "0002_reference_lists"),
        ("accounts", "0003_programmes_and_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
