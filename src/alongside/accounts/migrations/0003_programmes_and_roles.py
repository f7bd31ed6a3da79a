"""Reference data: the programmes teams serve, and the staff roles with their permissions.

The role table is frozen here as it stood when this migration was written; later changes to
roles come in later migrations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PROGRAMMES = [
    ("front_door", "Front door", "First contacts: information, advice and the right next step."),
    ("talking_points", "Talking Points", "Booked conversations in community hubs."),
    ("lac", "Local Area Coordination", "Coordinators walking alongside people in their ward."),
    ("social_prescribing", "Social prescribing", "Link workers taking referrals from health."),
    ("directory", "Directory editing", "Keeping the community directory up to date."),
    ("volunteering", "Volunteering", "Volunteers, missions and welfare calls."),
    ("management", "Management", "Leading teams and reporting."),
]

PERSON_WORK = ["people.view_person", "people.add_person", "people.change_person"]

ROLES = {
    "Administrator": [
        "accounts.manage_users",
        "core.search_auditevent",
        "core.change_neighbourhood",
        "people.view_person",
        "people.view_all_people",
        "people.view_person_access_log",
        "people.export_person",
        "people.erase_person",
    ],
    "Directory editor": [],
    "Front-door officer": [*PERSON_WORK, "people.link_person"],
    "Talking Point practitioner": [*PERSON_WORK],
    "Local Area Coordinator": [*PERSON_WORK, "people.link_person"],
    "Team manager": [
        *PERSON_WORK,
        "people.link_person",
        "people.archive_person",
        "people.view_person_access_log",
        "people.export_person",
        "core.search_auditevent",
        "core.change_neighbourhood",
    ],
    "Link worker": [*PERSON_WORK, "people.link_person"],
    "Volunteer coordinator": [*PERSON_WORK],
    "Analyst": [],
    "Partner": [],
}


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Programme = apps.get_model("accounts", "Programme")
    for code, name, description in PROGRAMMES:
        Programme.objects.update_or_create(
            code=code, defaults={"name": name, "description": description}
        )

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()
    apps.get_model("accounts", "Programme").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("core", "0001_initial"),
        ("people", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
