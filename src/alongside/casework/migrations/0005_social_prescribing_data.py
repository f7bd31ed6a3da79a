"""Social prescribing's reference data and roles.

- The national codes recorded on referrals (SNOMED CT), kept as data.
- Two new roles: "Health referrer" (GP practice, hospital and therapy staff who refer and see
  only the status of what they sent) and "Welfare caller" (volunteers and staff who make the
  welfare calls on their own daily list).
- Link workers and team managers triage referrals, keep appointments and welfare call plans;
  team managers define pathways; volunteer coordinators look after call plans and callers;
  partners see the connections made to their own listings.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODES = [
    ("871731000000106", "Referral to social prescribing service"),
    ("871711000000103", "Social prescribing declined"),
]
NEW_ROLES = ["Health referrer", "Welfare caller"]
WORK = [
    "casework.view_referral",
    "casework.triage_referral",
    "casework.view_pathway",
    "casework.add_appointment",
    "casework.view_welfarecallplan",
    "casework.add_welfarecallplan",
    "casework.view_welfarecall",
]
GRANTS = {
    "Health referrer": ["casework.refer_person"],
    "Welfare caller": ["casework.add_welfarecall"],
    "Link worker": WORK,
    "Team manager": [*WORK, "casework.add_pathway", "casework.change_pathway"],
    "Volunteer coordinator": [
        "casework.view_welfarecallplan",
        "casework.add_welfarecallplan",
        "casework.view_welfarecall",
    ],
    "Partner": ["casework.view_connection"],
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
    ClinicalCode = apps.get_model("casework", "ClinicalCode")
    for code, display in CODES:
        ClinicalCode.objects.update_or_create(code=code, defaults={"display": display})
    Group = apps.get_model("auth", "Group")
    for role in NEW_ROLES:
        Group.objects.get_or_create(name=role)
    for role, perms in GRANTS.items():
        Group.objects.get(name=role).permissions.add(*[_permission(apps, p) for p in perms])


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, perms in GRANTS.items():
        group = Group.objects.filter(name=role).first()
        if group:
            group.permissions.remove(*[_permission(apps, p) for p in perms])
    Group.objects.filter(name__in=NEW_ROLES).delete()
    apps.get_model("casework", "ClinicalCode").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("casework", "0004_social_prescribing")]

    operations = [migrations.RunPython(forwards, backwards)]
