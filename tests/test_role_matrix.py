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
POST_ONLY: set[str] = {
    "portal-staff:rating-accept",
    "portal-staff:rating-reject",
    "casework:contact-escalation-done",
    "casework:story-submit",
    "casework:story-withdraw",
    "casework:call-followed-up",
}
# Pages only the author of the thing may open (their own tests cover the right user).
AUTHOR_ONLY = {
    "casework:contact-update",
    "casework:referral-confirmation",  # the referrer who sent it
    "casework:call-record",  # the caller on the plan
}
STAFF_NAMESPACES = {
    "accounts",
    "people",
    "directory",
    "portal-staff",
    "notify",
    "casework",
    "grants",
    "hubs",
}
# Pages only a lead of the team may use (deciding, approving, setting capacity).
LEAD_PAGES = {
    "casework:capacity",
    "casework:story-review",
    "grants:award-approve",
    "grants:award-decline",
    "grants:award-paid",
    "casework:pathway-add",
    "casework:pathway-edit",
    "casework:pathway-question-add",
    "casework:pathway-question-edit",
    "hubs:hub-edit",
    "hubs:session-new",
    "hubs:session-edit",
    "hubs:session-cancel-day",
    "hubs:closure-delete",
}
# Pages that need a role as well as permissions (the view checks it): the role to use.
ROLE_FOR_PAGE_PREFIX = {
    "directory:partner-": "Partner",
    "casework:handover": "Team manager",
    "casework:calls-today": "Welfare caller",
}


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

    def episode(status: str = "active", programme: str = "lac"):
        from django.utils import timezone

        from alongside.accounts.models import Programme
        from alongside.casework.models import Episode, Introduction
        from alongside.core.models import Ward

        ward = Ward.objects.order_by("code").first()
        team.programmes.add(Programme.objects.get(code=programme))
        team.wards.add(ward)
        p = person()
        today = timezone.localdate()
        intro = Introduction.objects.create(
            person=p, programme_id=programme, team=team, ward=ward, source="self", received_on=today
        )
        return Episode.objects.create(
            person=p,
            programme_id=programme,
            team=team,
            ward=ward,
            introduction=intro,
            status=status,
            level=2,
            status_changed_at=timezone.now(),
            opened_on=today,
        )

    def episode_item(kind: str) -> dict[str, Any]:
        from django.utils import timezone

        from alongside.casework import models as cw

        e = episode()
        today = timezone.localdate()
        other = UserFactory()
        if kind == "relationship":
            item = cw.Relationship.objects.create(episode=e, kind="friend", name="Sam")
        elif kind in ("goal", "action"):
            agreement = cw.Agreement.objects.create(episode=e)
            item = cw.Goal.objects.create(agreement=agreement, in_own_words="Walk more")
            if kind == "action":
                item = cw.Action.objects.create(goal=item, what="Find a group", who="person")
        elif kind == "connection":
            item = cw.Connection.objects.create(episode=e, name="A group", status_changed_on=today)
        elif kind == "contact":
            item = cw.Contact.objects.create(
                episode=e,
                worker=other,
                kind="call",
                happened_on=today,
                minutes=10,
                summary="Rang",
                safeguarding_concern=True,
                escalation="manager",
            )
        else:  # a story (waiting for a manager when written by someone else)
            item = cw.Story.objects.create(
                episode=e,
                title="A story",
                body="Told",
                consent_level="internal",
                status="awaiting_approval" if kind == "story-review" else "draft",
                created_by=other,
            )
            if kind == "story-review":
                return {"pk": item.pk}
        return {"pk": e.pk, "item_pk": item.pk}

    def social_prescribing() -> dict[str, Any]:
        """A referral waiting in the team's queue, and a pathway of the team."""
        from django.utils import timezone

        from alongside.accounts.models import Programme
        from alongside.casework.models import Pathway, PathwayQuestion, Referral

        team.programmes.add(Programme.objects.get(code="social_prescribing"))
        pathway = Pathway.objects.create(team=team, name="Primary care")
        question = PathwayQuestion.objects.create(pathway=pathway, text="Anything else?")
        referral = Referral.objects.create(
            programme_id="social_prescribing",
            team=team,
            source="gp_practice",
            given_name="Ria",
            family_name="Ferral",
            consent_to_referral=True,
            received_at=timezone.now(),
        )
        return {"pk": referral.pk, "pathway": pathway.pk, "question": question.pk}

    def pathway(with_question: bool = False) -> dict[str, Any]:
        made = social_prescribing()
        kwargs = {"pk": made["pathway"]}
        if with_question:
            kwargs["item_pk"] = made["question"]
        return kwargs

    def sp_item(kind: str) -> dict[str, Any]:
        import datetime as dt

        from django.utils import timezone

        from alongside.casework import models as cw

        e = episode(programme="social_prescribing")
        other = UserFactory()
        if kind == "appointment":
            item = cw.Appointment.objects.create(
                episode=e, worker=other, starts_at=timezone.now(), place="home"
            )
            return {"pk": e.pk, "item_pk": item.pk}
        plan = cw.WelfareCallPlan.objects.create(
            episode=e, caller=other, frequency="daily", starts_on=timezone.localdate()
        )
        if kind == "plan":
            return {"pk": e.pk, "item_pk": plan.pk}
        return {"plan_pk": plan.pk, "day": (timezone.localdate() - dt.timedelta(0)).isoformat()}

    def partner_connection() -> dict[str, Any]:
        from django.utils import timezone

        from alongside.casework.models import Connection
        from alongside.directory.models import Service

        service = Service.objects.get(pk=listing()["pk"])
        service.provider.account_organisation = team.organisation
        service.provider.save()
        c = Connection.objects.create(
            episode=episode(),
            listing=service,
            name=service.name,
            status="introduced",
            status_changed_on=timezone.localdate(),
        )
        return {"pk": c.pk}

    def fund():
        from alongside.grants.models import Fund

        return Fund.objects.create(
            name=f"Fund for {team.name}",
            starts_on="2026-04-01",
            ends_on="2027-03-31",
            budget=1000,
        )

    def award(status: str = "requested") -> dict[str, Any]:
        from django.utils import timezone

        from alongside.grants.models import Award

        e = episode()
        a = Award.objects.create(
            fund=fund(),
            person=e.person,
            episode=e,
            category="devices",
            amount=50,
            reason="A tablet",
            requested_by=UserFactory(),
            requested_on=timezone.localdate(),
            status=status,
            decided_at=None if status == "requested" else timezone.now(),
        )
        return {"pk": a.pk}

    def hubs_thing(kind: str) -> dict[str, Any]:
        """Talking Points records of the test team: a hub it runs, with a session, a slot,
        a booking from one of its first contacts, a conversation and an assessment request."""
        import datetime as dt

        from django.utils import timezone

        from alongside.core.models import Ward
        from alongside.directory.models import Location
        from alongside.hubs import models as hm

        ward = Ward.objects.order_by("code").first()
        location = Location.objects.create(name="Matrix hub", ward=ward)
        hub = hm.Hub.objects.create(location=location, name="Matrix hub", team=team, ward=ward)
        if kind == "hub":
            return {"pk": hub.pk}
        today = timezone.localdate()
        if kind == "closure":
            tomorrow = today + dt.timedelta(days=1)
            closure = hm.Closure.objects.create(
                hub=hub, starts_on=tomorrow, ends_on=tomorrow, reason="Matrix closure"
            )
            return {"pk": closure.pk}
        session = hm.Session.objects.create(
            hub=hub,
            rrule="FREQ=WEEKLY;BYDAY=MO",
            starts_on=today,
            start_time=dt.time(10),
            end_time=dt.time(12),
        )
        if kind == "session":
            return {"pk": session.pk}
        p = person()
        contact = hm.FirstContact.objects.create(
            person=p, team=team, contact_date=today, made_by="person"
        )
        if kind == "contact":
            return {"pk": contact.pk}
        if kind == "assessment":
            a = hm.AssessmentRequest.objects.create(
                person=p, team=team, route="front_door", first_contact=contact, requested_on=today
            )
            return {"pk": a.pk}
        starts = timezone.now() - dt.timedelta(hours=2)
        slot = hm.Slot.objects.create(
            session=session,
            hub=hub,
            kind="booked",
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=45),
            capacity=1,
            booked=1,
        )
        booking = hm.Booking.objects.create(slot=slot, seat=1, person=p, first_contact=contact)
        if kind == "booking":
            return {"pk": booking.pk}
        conversation = hm.Conversation.objects.create(
            booking=booking,
            session=session,
            hub=hub,
            person=p,
            held_on=today,
            attendance="attended",
            information_advice=True,
        )
        return {"pk": conversation.pk}

    def worker() -> dict[str, Any]:
        from alongside.accounts.models import Programme

        team.programmes.add(Programme.objects.get(code="lac"))
        coordinator = UserFactory(with_role="Local Area Coordinator")
        Membership.objects.create(team=team, user=coordinator)
        return {"user_pk": coordinator.pk}

    return {
        "casework:capacity": worker,
        "casework:close": lambda: {"pk": episode("closing").pk},
        "casework:relationship-remove": lambda: episode_item("relationship"),
        "casework:goal-edit": lambda: episode_item("goal"),
        "casework:action-add": lambda: episode_item("goal"),
        "casework:action-edit": lambda: episode_item("action"),
        "casework:connection-update": lambda: episode_item("connection"),
        "casework:contact-update": lambda: episode_item("contact"),
        "casework:contact-escalation-done": lambda: episode_item("contact"),
        "casework:story-review": lambda: episode_item("story-review"),
        "casework:story-edit": lambda: episode_item("story"),
        "casework:agreement-pdf": lambda: episode_item("goal"),
        "casework:pathway-add": social_prescribing,
        "casework:referral-confirmation": social_prescribing,
        "casework:referral": social_prescribing,
        "casework:referral-accept": social_prescribing,
        "casework:referral-redirect": social_prescribing,
        "casework:referral-decline": social_prescribing,
        "casework:pathway-edit": pathway,
        "casework:pathway-question-add": pathway,
        "casework:pathway-question-edit": lambda: pathway(with_question=True),
        "casework:appointment-update": lambda: sp_item("appointment"),
        "casework:call-plan-end": lambda: sp_item("plan"),
        "casework:call-record": lambda: sp_item("call"),
        "casework:outcome": lambda: {"pk": episode(programme="social_prescribing").pk},
        "casework:partner-referral": partner_connection,
        "casework:*": lambda: {"pk": episode().pk},
        "grants:fund-detail": lambda: {"pk": fund().pk},
        "grants:fund-edit": lambda: {"pk": fund().pk},
        "grants:award-paid": lambda: award("approved"),
        "grants:*": award,
        "hubs:hub": lambda: hubs_thing("hub"),
        "hubs:hub-edit": lambda: hubs_thing("hub"),
        "hubs:session-new": lambda: hubs_thing("hub"),
        "hubs:waiting-list": lambda: hubs_thing("hub"),
        "hubs:closure-delete": lambda: hubs_thing("closure"),
        "hubs:session": lambda: hubs_thing("session"),
        "hubs:session-edit": lambda: hubs_thing("session"),
        "hubs:session-cancel-day": lambda: hubs_thing("session"),
        "hubs:drop-in-new": lambda: hubs_thing("session"),
        "hubs:contact": lambda: hubs_thing("contact"),
        "hubs:contact-decide": lambda: hubs_thing("contact"),
        "hubs:assessment": lambda: hubs_thing("assessment"),
        "hubs:booking": lambda: hubs_thing("booking"),
        "hubs:booking-cancel": lambda: hubs_thing("booking"),
        "hubs:booking-rebook": lambda: hubs_thing("booking"),
        "hubs:conversation-new": lambda: hubs_thing("booking"),
        "hubs:*": lambda: hubs_thing("conversation"),
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
    elif name in builders:  # a page with no object in its address that needs some data
        builders[name]()
    return reverse(name, kwargs=kwargs)


def _user_in(group: Group | None, team: Team, *, lead: bool = False):
    user = UserFactory()
    if group is not None:
        user.groups.add(group)
    Membership.objects.create(team=team, user=user, is_lead=lead)
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

    if name in AUTHOR_ONLY:
        return
    right_role = _role_with(perms) if perms else None
    for prefix, role in ROLE_FOR_PAGE_PREFIX.items():
        if name.startswith(prefix):
            right_role = Group.objects.get(name=role)
    assert right_role is not None or not perms, f"No role may open {name} ({perms})"
    right = _user_in(right_role, team, lead=name in LEAD_PAGES)
    client.force_login(right, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(url)
    assert response.status_code == 200, f"{right_role} on {url}: {response.status_code}"
