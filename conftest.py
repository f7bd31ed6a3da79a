"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load York's real places once per test database; tests treat them as reference data."""
    with django_db_blocker.unblock():
        call_command("load_york_places", verbosity=0)


@pytest.fixture
def york(db):
    """The loaded places, for tests that look wards up by name."""
    from alongside.core.models import Ward

    return {w.name: w for w in Ward.objects.all()}


@pytest.fixture
def staff_client(client):
    """Sign a user in (no second factor, as the test settings allow) and return the client."""

    def sign_in(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return sign_in
