"""The Django admin is for superusers only and cannot change the audit trail."""

from __future__ import annotations

import pytest

from alongside.accounts.models import User
from alongside.accounts.tests.factories import AdministratorFactory
from alongside.core.audit import audit_record

pytestmark = pytest.mark.django_db


def test_superuser_can_use_user_and_audit_pages(client):
    superuser = User.objects.create_superuser(email="root@example.org", password="x" * 16)
    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    event = audit_record(actor=superuser, action="view", obj=superuser)
    assert client.get("/django-admin/accounts/user/").status_code == 200
    assert client.get("/django-admin/accounts/user/add/").status_code == 200
    response = client.post(
        "/django-admin/accounts/user/add/",
        {
            "email": "new@example.org",
            "full_name": "New Person",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="new@example.org").exists()
    assert client.get(f"/django-admin/core/auditevent/{event.pk}/change/").status_code == 200
    assert client.post(f"/django-admin/core/auditevent/{event.pk}/delete/").status_code == 403


def test_administrator_role_is_not_a_django_admin_user(client):
    client.force_login(AdministratorFactory(), backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/django-admin/accounts/user/")
    assert response.status_code == 302  # to the admin login: staff pages are the product
