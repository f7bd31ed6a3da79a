"""The satisfaction survey: the signed link (tampered, for something else, expired, replaced),
one answer only by link or paper, and the public pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from alongside.hubs.models import Conversation, SurveyResponse
from alongside.hubs.services.conversations import (
    SurveyAlreadyAnswered,
    conversation_record,
    survey_enter,
    survey_submit,
    survey_token,
)
from alongside.hubs.tokens import BadToken, make_token
from alongside.people.tests.factories import PersonFactory

from .factories import make_booking, make_session, make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(acomb_hub, pat):
    session = make_session(acomb_hub)
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(0, 30)))
    booking = make_booking(make_slot(session, starts_at=start), person=PersonFactory())
    return conversation_record(
        actor=pat,
        booking=booking,
        hub=acomb_hub,
        person=booking.person,
        held_on=timezone.localdate(),
        attendance="attended",
        outcomes=["information_advice"],
    )


def survey_url(token: str) -> str:
    return reverse("hubs-public:survey", kwargs={"token": token})


class TestSubmit:
    def test_answer_by_link(self, conversation):
        answer = survey_submit(token=survey_token(conversation), score=5, comment=" Lovely ")
        assert (answer.score, answer.comment, answer.source) == (5, "Lovely", "link")

    def test_answered_once(self, conversation):
        token = survey_token(conversation)
        survey_submit(token=token, score=2)
        with pytest.raises(SurveyAlreadyAnswered):
            survey_submit(token=token, score=5)
        assert SurveyResponse.objects.get().score == 2

    def test_tampered_token(self, conversation):
        token = survey_token(conversation)
        with pytest.raises(BadToken):
            survey_submit(token=token[:-2] + ("aa" if not token.endswith("aa") else "bb"), score=4)

    def test_token_for_something_else(self, conversation):
        with pytest.raises(BadToken):
            survey_submit(token=make_token("cancel", conversation.pk, 1), score=4)

    def test_replaced_token(self, conversation):
        token = survey_token(conversation)
        Conversation.objects.filter(pk=conversation.pk).update(survey_token_version=2)
        with pytest.raises(BadToken):
            survey_submit(token=token, score=4)

    def test_expired_token(self, conversation):
        token = survey_token(conversation)
        with override_settings(HUBS_LINK_DAYS=-1), pytest.raises(BadToken, match="expired"):
            survey_submit(token=token, score=4)

    def test_score_must_be_1_to_5(self, conversation):
        for score in (0, 6, "x", None):
            with pytest.raises(ValidationError):
                survey_submit(token=survey_token(conversation), score=score)
        assert not SurveyResponse.objects.exists()


class TestPaper:
    def test_entered_from_paper(self, conversation, pat):
        answer = survey_enter(actor=pat, conversation=conversation, score=3, comment="OK")
        assert answer.source == "paper" and answer.created_by == pat

    def test_paper_after_link_is_refused(self, conversation, pat):
        survey_submit(token=survey_token(conversation), score=5)
        with pytest.raises(SurveyAlreadyAnswered):
            survey_enter(actor=pat, conversation=conversation, score=1)

    def test_other_team_is_refused(self, conversation, nell):
        with pytest.raises(PermissionDenied):
            survey_enter(actor=nell, conversation=conversation, score=3)

    def test_no_survey_for_a_missed_conversation(self, conversation, pat):
        Conversation.objects.filter(pk=conversation.pk).update(attendance="did_not_attend")
        conversation.refresh_from_db()
        with pytest.raises(ValidationError):
            survey_enter(actor=pat, conversation=conversation, score=3)


class TestPublicPage:
    def test_no_sign_in_needed(self, client, conversation):
        response = client.get(survey_url(survey_token(conversation)))
        page = response.content.decode()
        assert response.status_code == 200
        assert "How helpful was your Talking Point?" in page
        assert "Very helpful" in page and "Not helpful at all" in page
        assert conversation.person.family_name not in page

    def test_answer_and_thank_you(self, client, conversation):
        response = client.post(survey_url(survey_token(conversation)), {"score": "4"})
        assert response["Location"] == reverse("hubs-public:survey-thanks")
        assert client.get(response["Location"]).status_code == 200
        assert SurveyResponse.objects.get().score == 4

    def test_second_visit_says_already_answered(self, client, conversation):
        url = survey_url(survey_token(conversation))
        client.post(url, {"score": "4"})
        again = client.get(url)
        assert "You have already answered" in again.content.decode()
        client.post(url, {"score": "1"})
        assert SurveyResponse.objects.get().score == 4

    def test_missing_score_keeps_the_comment(self, client, conversation):
        response = client.post(
            survey_url(survey_token(conversation)), {"comment": "The tea was good"}
        )
        page = response.content.decode()
        assert "Choose how helpful your conversation was" in page
        assert "The tea was good" in page
        assert not SurveyResponse.objects.exists()

    def test_bad_link_is_400(self, client, conversation):
        response = client.get(survey_url("not-a-real-link"))
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()

    def test_expired_link_is_410(self, client, conversation):
        token = survey_token(conversation)
        with override_settings(HUBS_LINK_DAYS=-1):
            response = client.get(survey_url(token))
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()

    def test_robot_is_thanked_and_nothing_kept(self, client, conversation):
        response = client.post(
            survey_url(survey_token(conversation)), {"score": "5", "website": "spam.example"}
        )
        assert response.status_code == 302
        assert not SurveyResponse.objects.exists()
