"""Who may use small funds. Coordinators and link workers request awards for people they
work with; team managers decide them and set budgets; analysts see the funds' totals."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WORKER = ["grants.view_fund", "grants.view_award", "grants.add_award"]
GRANTS = {
    "Local Area Coordinator": WORKER,
    "Link worker": WORKER,
    "Team manager": [*WORKER, "grants.decide_award", "grants.add_fund", "grants.change_fund"],
    "Analyst": ["grants.view_fund"],
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
        ("grants", "0001_initial"),
        ("accounts", "0003_programmes_and_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
