"""Pathways: the managers of a social prescribing team define its pathways (name,
description, target days) and their intake questions; the pathways page shows, for the last
12 months, referrals, the median days to first contact, the share contacted within the
target and how many still wait past it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import Membership
from alongside.casework.models import Episode, Pathway, PathwayQuestion, Referral
from alongside.casework.referrals_selectors import pathway_figures
from alongside.casework.services import pathways as services
from alongside.casework.services import referrals as referral_services
from alongside.core.models import AuditEvent

from .factories import manager
from .test_referrals import make_setting, send_referral

pytestmark = pytest.mark.django_db

LIST_URL = reverse("casework:pathways")
ADD_URL = reverse("casework:pathway-add")


@pytest.fixture
def setting(db):
    return make_setting()


@pytest.fixture
def mo(setting):
    """The manager (a lead) of the west link worker team."""
    return manager(setting["team"], full_name="Mo Manager")


def _edit(pathway: Pathway) -> str:
    return reverse("casework:pathway-edit", kwargs={"pk": pathway.pk})


def _question_add(pathway: Pathway) -> str:
    return reverse("casework:pathway-question-add", kwargs={"pk": pathway.pk})


def _question_edit(question: PathwayQuestion) -> str:
    return reverse(
        "casework:pathway-question-edit",
        kwargs={"pk": question.pathway_id, "item_pk": question.pk},
    )


# --- services -----------------------------------------------------------------------------------


def test_a_manager_adds_a_pathway_to_a_team_they_lead(setting, mo):
    pathway = services.pathway_create(
        actor=mo, team=setting["team"], name=" Hospital discharge ", target_days=5
    )
    assert pathway.name == "Hospital discharge" and pathway.is_active
    assert AuditEvent.objects.filter(action="create", object_id=str(pathway.pk)).exists()


def test_only_a_lead_with_the_permission_may(setting, mo):
    with pytest.raises(PermissionDenied):
        services.pathway_create(
            actor=setting["lin"], team=setting["team"], name="Hospital", target_days=5
        )
    with pytest.raises(PermissionDenied):
        services.pathway_create(
            actor=mo, team=setting["other_team"], name="Hospital", target_days=5
        )
    Membership.objects.create(team=setting["other_team"], user=setting["lin"], is_lead=True)
    with pytest.raises(PermissionDenied):  # a lead, but no pathway permission
        services.pathway_create(
            actor=setting["lin"], team=setting["other_team"], name="Hospital", target_days=5
        )


def test_names_are_unique_in_a_team_and_targets_sensible(setting, mo):
    with pytest.raises(ValidationError) as error:
        services.pathway_create(actor=mo, team=setting["team"], name="primary care", target_days=0)
    assert error.value.message_dict == {
        "name": ["West link workers already has a pathway called primary care"],
        "target_days": ["The target must be between 1 and 365 days"],
    }


def test_changing_a_pathway_and_its_questions_is_audited(setting, mo):
    pathway = services.pathway_update(
        actor=mo,
        pathway=setting["pathway"],
        name="Primary care",
        target_days=14,
        is_active=False,
    )
    assert (pathway.target_days, pathway.is_active) == (14, False)
    event = AuditEvent.objects.get(action="change", object_id=str(pathway.pk))
    assert event.changes["target_days"] == [10, 14]
    question = services.pathway_question_add(
        actor=mo, pathway=pathway, text="Do they have a carer?", required=True, order=20
    )
    question = services.pathway_question_update(
        actor=mo, question=question, text="Do they have a carer?", order=5, is_active=False
    )
    assert (question.order, question.required, question.is_active) == (5, False, False)
    with pytest.raises(ValidationError) as error:
        services.pathway_question_add(actor=mo, pathway=pathway, text=" ", order=0)
    assert error.value.message_dict["text"] == ["Enter the question"]


# --- figures ------------------------------------------------------------------------------------


def _received(referral: Referral, days_ago: int) -> None:
    Referral.objects.filter(pk=referral.pk).update(
        received_at=timezone.now() - dt.timedelta(days=days_ago)
    )


def test_the_figures_count_the_last_12_months_against_the_target(setting):
    lin, pathway = setting["lin"], setting["pathway"]
    today = timezone.localdate()

    def contacted(days_ago: int, days_to_contact: int) -> None:
        referral = send_referral(referrer=setting["gp"], team=setting["team"], pathway=pathway)
        referral = referral_services.referral_accept(actor=lin, referral=referral)
        _received(referral, days_ago)
        Episode.objects.filter(pk=referral.episode_id).update(
            first_contact_on=today - dt.timedelta(days=days_ago - days_to_contact)
        )

    contacted(40, 3)
    contacted(30, 8)
    contacted(20, 15)  # over the target of 10
    waiting = send_referral(referrer=setting["gp"], team=setting["team"], pathway=pathway)
    _received(waiting, 12)  # past the target, not triaged
    recent = send_referral(referrer=setting["gp"], team=setting["team"], pathway=pathway)
    _received(recent, 2)  # not due yet
    old = send_referral(referrer=setting["gp"], team=setting["team"], pathway=pathway)
    _received(old, 400)  # more than 12 months ago
    declined = send_referral(referrer=setting["gp"], team=setting["team"], pathway=pathway)
    referral_services.referral_decline(actor=lin, referral=declined, reason="not_suitable")
    _received(declined, 50)

    figures = pathway_figures(pathways=[pathway])[pathway.pk]
    assert figures.referrals == 6
    assert figures.median_days == 8
    assert figures.waiting_past_target == 1
    assert figures.within_target_share == pytest.approx(2 / 4)
    assert figures.within_target_percent == 50


def test_a_pathway_with_no_referrals_has_no_figures(setting):
    figures = pathway_figures(pathways=[setting["pathway"]])[setting["pathway"].pk]
    assert figures.referrals == 0
    assert figures.median_days is None and figures.within_target_percent is None


# --- pages --------------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client, setting):
    for url in (
        LIST_URL,
        ADD_URL,
        _edit(setting["pathway"]),
        _question_add(setting["pathway"]),
        _question_edit(setting["question"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:sign-in"))


def test_who_may_see_and_change_pathways(staff_client, setting, mo):
    assert staff_client(setting["gp"]).get(LIST_URL).status_code == 403
    lin = staff_client(setting["lin"])
    listing = lin.get(LIST_URL)
    assert listing.status_code == 200
    assert "Primary care" in listing.text
    assert ADD_URL not in listing.text
    assert lin.get(ADD_URL).status_code == 403
    assert lin.get(_edit(setting["pathway"])).status_code == 403
    other_manager = manager(setting["other_team"])
    assert staff_client(other_manager).get(_edit(setting["pathway"])).status_code == 404
    assert staff_client(other_manager).get(_question_edit(setting["question"])).status_code == 404
    page = staff_client(mo).get(LIST_URL)
    assert ADD_URL in page.text and _edit(setting["pathway"]) in page.text


def test_the_pathways_page_has_a_fixed_number_of_queries(staff_client, setting, mo):
    client = staff_client(mo)
    client.get(LIST_URL)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST_URL)
    for n in range(6):
        pathway = Pathway.objects.create(team=setting["team"], name=f"Pathway {n}")
        send_referral(referrer=setting["gp"], team=setting["team"], pathway=pathway)
    with CaptureQueriesContext(connection) as seven:
        response = client.get(LIST_URL)
    assert len(response.context["rows"]) == 7
    assert len(seven.captured_queries) == len(one.captured_queries)


def test_a_manager_adds_a_pathway_then_a_question(staff_client, setting, mo):
    client = staff_client(mo)
    assert client.get(ADD_URL).status_code == 200
    response = client.post(
        ADD_URL, {"name": "Mental health recovery", "description": "", "target_days": "7"}
    )
    pathway = Pathway.objects.get(name="Mental health recovery")
    assert response.status_code == 302 and response.url == _edit(pathway)
    assert pathway.team == setting["team"] and pathway.target_days == 7
    assert client.get(_question_add(pathway)).status_code == 200
    response = client.post(
        _question_add(pathway),
        {"text": "Who is their care coordinator?", "hint": "", "order": "10", "is_active": "on"},
    )
    assert response.status_code == 302
    question = pathway.questions.get()
    assert question.text == "Who is their care coordinator?" and not question.required


def test_bad_input_keeps_what_was_typed(staff_client, setting, mo):
    client = staff_client(mo)
    response = client.post(
        ADD_URL, {"name": "Primary care", "description": "For GP patients", "target_days": "x"}
    )
    assert response.status_code == 200
    assert "Error:" in response.text
    assert "The target must be a whole number" in response.text
    assert "For GP patients" in response.text
    response = client.post(
        ADD_URL, {"name": "Primary care", "description": "For GP patients", "target_days": "10"}
    )
    assert "West link workers already has a pathway called Primary care" in response.text
    assert Pathway.objects.count() == 1
    response = client.post(_question_edit(setting["question"]), {"text": "", "order": "5"})
    assert response.status_code == 200
    assert "Enter the question" in response.text
    setting["question"].refresh_from_db()
    assert setting["question"].text == "Are they a carer?"


def test_a_manager_changes_a_pathway_and_a_question(staff_client, setting, mo):
    client = staff_client(mo)
    page = client.get(_edit(setting["pathway"]))
    assert page.status_code == 200
    assert "Are they a carer?" in page.text
    response = client.post(
        _edit(setting["pathway"]),
        {"name": "Primary care", "description": "", "target_days": "14"},
    )
    assert response.status_code == 302
    setting["pathway"].refresh_from_db()
    assert setting["pathway"].target_days == 14
    assert not setting["pathway"].is_active  # the box was not ticked
    response = client.post(
        _question_edit(setting["question"]),
        {"text": "Do they care for someone?", "order": "5", "required": "on", "is_active": "on"},
    )
    assert response.status_code == 302
    setting["question"].refresh_from_db()
    assert setting["question"].text == "Do they care for someone?"
