"""The role matrix: for every staff page, anonymous people are sent to sign in, a role without
the page's permissions gets 403, and a role with them gets 200.

Pages are found by walking the URL configuration, so a new staff page is covered (or this test
fails until it is): every view under /staff/ must be wrapped in `core.permissions.staff_required`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from alongside.accounts.models import Membership, Team
from alongside.accounts.tests.factories import (
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)
from alongside.core.models import Neighbourhood

# Pages anyone may open (the sign-in flow itself) and POST-only actions.
OPEN_PAGES = {"accounts:sign-in", "accounts:otp-verify", "accounts:otp-setup", "accounts:sign-out"}
POST_ONLY: set[str] = {"portal-staff:rating-accept", "portal-staff:rating-reject"}
STAFF_NAMESPACES = {"accounts", "people", "directory", "portal-staff", "notify"}
# Pages that need a role as well as permissions (the view checks it): the role to use.
ROLE_FOR_PAGE_PREFIX = {"directory:partner-": "Partner"}


def _staff_patterns() -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns: list[Any], namespace: str | None, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                walk(p.url_patterns, ns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and namespace in STAFF_NAMESPACES:
                found.append((f"{namespace}:{p.name}", p))

    walk(get_resolver().url_patterns, None, "")
    return found


STAFF_PAGES = _staff_patterns()


def _perm_objects(perms: tuple[str, ...]) -> list[Permission]:
    result = []
    for perm in perms:
        app_label, codename = perm.split(".")
        result.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return result


def _role_with(perms: tuple[str, ...]) -> Group | None:
    """A real role holding every permission the page needs."""
    needed = set(_perm_objects(perms))
    for group in Group.objects.prefetch_related("permissions").order_by("name"):
        if needed <= set(group.permissions.all()):
            return group
    return None


def _role_without(perms: tuple[str, ...]) -> Group:
    """A real role missing at least one of the page's permissions."""
    needed = set(_perm_objects(perms))
    for group in Group.objects.prefetch_related("permissions").order_by("name"):
        if not needed <= set(group.permissions.all()):
            return group
    raise AssertionError(f"Every role holds {perms}")


def _kwargs_builders(team: Team) -> dict[str, Callable[[], dict[str, Any]]]:
    from alongside.people.models import Consent, Person

    def person() -> Person:
        p = Person.objects.create(given_name="Matrix", family_name="Person")
        p.involvements.create(team=team, reason="Role matrix test")
        return p

    def consent() -> dict[str, Any]:
        p = person()
        c = Consent.objects.create(
            person=p, purpose="support", agreed="Support", given_at="2026-01-01"
        )
        return {"pk": p.pk, "consent_pk": c.pk}

    def listing(state: str = "published") -> dict[str, Any]:
        from alongside.directory.models import Provider, Service

        provider = Provider.objects.create(
            name="Matrix group", description="A group.", account_organisation=team.organisation
        )
        service = Service.objects.create(
            provider=provider, name="Matrix listing", description="We meet.", state=state
        )
        return {"pk": service.pk}

    def suggestion() -> dict[str, Any]:
        from alongside.directory.models import Service, Suggestion

        service = Service.objects.get(pk=listing()["pk"])
        s = Suggestion.objects.create(
            kind="change", source="resident", service=service, message="Wrong day"
        )
        return {"pk": s.pk}

    def rating() -> dict[str, Any]:
        from alongside.directory.models import Service
        from alongside.portal.feedback import rating_create

        service = Service.objects.get(pk=listing()["pk"])
        return {"pk": rating_create(service=service, stars=3, comment="Helpful").pk}

    def message() -> dict[str, Any]:
        from alongside.notify.services import Attachment, send_email

        sent = send_email(
            to="someone@example.org",
            subject="Your list",
            body="Here it is.",
            kind="portal.my_list",
            attachments=[Attachment("list.pdf", b"%PDF-1.7 test")],
        )
        return {"pk": sent.pk, "attachment_pk": sent.attachments.get().pk}

    return {
        "notify:*": message,
        "portal-staff:*": rating,
        "directory:listing-preview": lambda: listing("draft"),
        "directory:listing-submit": lambda: listing("draft"),
        "directory:listing-publish": lambda: listing("draft"),
        "directory:listing-restore": lambda: listing("archived"),
        "directory:suggestion-detail": suggestion,
        "directory:suggestion-accept": suggestion,
        "directory:suggestion-reject": suggestion,
        "directory:*": listing,
        "accounts:user-detail": lambda: {"pk": UserFactory().pk},
        "accounts:user-edit": lambda: {"pk": UserFactory().pk},
        "accounts:team-detail": lambda: {"pk": TeamFactory().pk},
        "accounts:team-edit": lambda: {"pk": TeamFactory().pk},
        "accounts:organisation-edit": lambda: {"pk": OrganisationFactory().pk},
        "accounts:neighbourhood-edit": lambda: {"pk": Neighbourhood.objects.first().pk},
        "people:consent-withdraw": consent,
        "people:*": lambda: {"pk": person().pk},
    }


def _url(name: str, pattern: URLPattern, team: Team) -> str:
    builders = _kwargs_builders(team)
    kwargs: dict[str, Any] = {}
    if pattern.pattern.converters:
        builder = builders.get(name) or builders.get(name.split(":")[0] + ":*")
        assert builder, f"No test object for {name}: add one to _kwargs_builders"
        kwargs = builder()
        kwargs = {k: v for k, v in kwargs.items() if k in pattern.pattern.converters}
    return reverse(name, kwargs=kwargs)


def _user_in(group: Group | None, team: Team):
    user = UserFactory()
    if group is not None:
        user.groups.add(group)
    Membership.objects.create(team=team, user=user)
    return user


def test_every_staff_page_is_protected():
    unprotected = [
        name
        for name, p in STAFF_PAGES
        if name not in OPEN_PAGES and not hasattr(p.callback, "staff_permissions")
    ]
    assert unprotected == []
    assert len(STAFF_PAGES) > 20


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "pattern"),
    [(n, p) for n, p in STAFF_PAGES if n not in OPEN_PAGES | POST_ONLY],
    ids=[n for n, _ in STAFF_PAGES if n not in OPEN_PAGES | POST_ONLY],
)
def test_role_matrix(client, name, pattern):
    perms: tuple[str, ...] = pattern.callback.staff_permissions
    team = TeamFactory()
    url = _url(name, pattern, team)

    response = client.get(url)
    assert response.status_code == 302, f"anonymous on {url}"
    assert response["Location"].startswith(reverse("accounts:sign-in"))

    if perms:
        wrong = _user_in(_role_without(perms), team)
        client.force_login(wrong, backend="django.contrib.auth.backends.ModelBackend")
        assert client.get(url).status_code == 403, f"{wrong.groups.first()} on {url}"
        client.logout()

    right_role = _role_with(perms) if perms else None
    for prefix, role in ROLE_FOR_PAGE_PREFIX.items():
        if name.startswith(prefix):
            right_role = Group.objects.get(name=role)
    assert right_role is not None or not perms, f"No role may open {name} ({perms})"
    right = _user_in(right_role, team)
    client.force_login(right, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(url)
    assert response.status_code == 200, f"{right_role} on {url}: {response.status_code}"
