"""The introduction and the life of an episode (quick checks the rest of the app relies on;
fuller tests sit beside the views)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from alongside.casework import services
from alongside.casework.models import EpisodeChange
from alongside.people.models import Involvement
from alongside.people.tests.factories import PersonFactory

from .factories import active_episode, closed_episode, introduce


def test_introduction_goes_to_the_team_covering_the_ward(york, west, east, lena, erin):
    person = PersonFactory(ward=york["Heworth"])
    episode = introduce(actor=lena, person=person)
    assert episode.team == east
    assert episode.worker == erin
    assert Involvement.objects.filter(person=person, team=east, ended_at__isnull=True).exists()


def test_the_introducing_coordinator_takes_the_episode_in_their_team(york, west, lena, omar):
    episode = introduce(actor=omar, ward=york["Acomb"])
    assert episode.worker == omar
    assert episode.status == "new"


def test_no_team_for_the_ward_is_a_clear_error(york, west, lena):
    with pytest.raises(ValidationError) as error:
        introduce(actor=lena, ward=york["Strensall"])
    assert "No Local Area Coordination team covering Strensall" in str(error.value)


def test_one_open_episode_per_person_per_programme(york, west, lena):
    episode = introduce(actor=lena, ward=york["Acomb"])
    with pytest.raises(ValidationError, match="already has open"):
        introduce(actor=lena, person=episode.person, ward=york["Acomb"])


def test_transitions_follow_the_table_and_are_recorded(york, west, lena):
    episode = introduce(actor=lena, ward=york["Acomb"])
    with pytest.raises(ValidationError, match="cannot move to paused"):
        services.episode_transition(actor=lena, episode=episode, to_status="paused")
    episode = services.episode_transition(actor=lena, episode=episode, to_status="contacted")
    assert episode.first_contact_on is not None
    change = EpisodeChange.objects.get(episode=episode, kind="status")
    assert (change.old_value, change.new_value, change.created_by) == ("new", "contacted", lena)


def test_another_team_cannot_change_the_episode(york, west, lena, erin):
    episode = introduce(actor=lena, ward=york["Acomb"])
    with pytest.raises(PermissionDenied):
        services.episode_transition(actor=erin, episode=episode, to_status="contacted")


def test_closing_needs_closing_status_reason_and_words(york, west, lena):
    episode = active_episode(actor=lena, ward=york["Acomb"], level=2)
    with pytest.raises(ValidationError) as error:
        services.episode_close(actor=lena, episode=episode, reason="", outcome_in_own_words="")
    assert set(error.value.message_dict) == {"status", "reason", "outcome_in_own_words"}
    closed = closed_episode(actor=lena, ward=york["Westfield"])
    assert closed.status == "closed"
    assert [d.kind_id for d in closed.diversions.all()] == ["gp_visits"]
