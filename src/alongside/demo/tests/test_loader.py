"""The demo loader: idempotent, one account per role, never under production settings."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from alongside.accounts import roles
from alongside.accounts.models import Organisation, Team, User
from alongside.core.models import AuditEvent
from alongside.demo.loader import DEMO_PASSWORD, DEMO_PEOPLE, demo_load
from alongside.people.models import Person

pytestmark = pytest.mark.django_db


def _counts():
    return (
        User.objects.count(),
        Team.objects.count(),
        Organisation.objects.count(),
        Person.objects.count(),
        AuditEvent.objects.count(),
    )


def test_one_sign_in_per_role_and_running_twice_changes_nothing(capsys):
    call_command("load_demo")
    first = _counts()
    out = capsys.readouterr().out
    for role in roles.ALL_ROLES:
        assert role in out
    call_command("load_demo")
    assert _counts() == first
    assert "nothing new" in capsys.readouterr().out
    for role in roles.ALL_ROLES:
        assert User.objects.filter(groups__name=role, is_demo=True).count() == 1
    # Fictional people, each placed in a real ward through a demo postcode.
    assert Person.objects.count() == len(DEMO_PEOPLE)
    assert not Person.objects.filter(ward__isnull=True).exists()
    assert all(p.nhs_number.startswith("999") for p in Person.objects.exclude(nhs_number=""))


def test_demo_accounts_can_sign_in_locally(client):
    result = demo_load()
    sign_in = result.sign_ins[0]
    response = client.post(
        reverse("accounts:sign-in"), {"email": sign_in.email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 200


def test_loader_refuses_under_production_settings(settings):
    settings.ALONGSIDE_ENVIRONMENT = "production"
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo")
    assert not User.objects.filter(is_demo=True).exists()


def test_demo_accounts_cannot_sign_in_under_production_settings(client, settings):
    demo_load()
    settings.ALONGSIDE_ENVIRONMENT = "production"
    response = client.post(
        reverse("accounts:sign-in"),
        {"email": "frontdoor@demo.alongside.test", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 200
    assert b"Enter a correct email address and password" in response.content
    assert "_auth_user_id" not in client.session
