"""Which roles may email residents and read the outbox (granted by notify's data migration)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from alongside.accounts import roles

pytestmark = pytest.mark.django_db

SENDERS = {
    roles.FRONT_DOOR_OFFICER,
    roles.TALKING_POINT_PRACTITIONER,
    roles.LOCAL_AREA_COORDINATOR,
    roles.TEAM_MANAGER,
    roles.LINK_WORKER,
    roles.VOLUNTEER_COORDINATOR,
}
READERS = {roles.ADMINISTRATOR, roles.TEAM_MANAGER}


def _has(role: str, codename: str) -> bool:
    return (
        Group.objects.get(name=role)
        .permissions.filter(content_type__app_label="notify", codename=codename)
        .exists()
    )


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_only_roles_that_work_with_residents_may_email_them(role):
    assert _has(role, "send_message") == (role in SENDERS)


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_only_administrators_and_team_managers_may_read_the_outbox(role):
    assert _has(role, "view_outboxmessage") == (role in READERS)


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_no_role_may_change_or_delete_messages(role):
    assert not _has(role, "change_outboxmessage")
    assert not _has(role, "delete_outboxmessage")
