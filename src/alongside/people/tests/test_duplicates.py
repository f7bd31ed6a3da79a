"""The duplicate check: across every record, tolerant of spelling, with reasons."""

from __future__ import annotations

import datetime

import pytest

from alongside.people.duplicates import (
    compare_names,
    find_possible_duplicates,
    name_part_similarity,
    normalise_name,
    soundex,
    transposed,
)

from .factories import ArchivedPersonFactory, PersonFactory, valid_nhs_number

BORN = datetime.date(1950, 3, 4)


def _find(given="John", family="Smith", born=BORN, nhs=""):
    return find_possible_duplicates(
        given_name=given, family_name=family, date_of_birth=born, nhs_number=nhs
    )


# Name comparison, without the database ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Robert", "R163"),
        ("Rupert", "R163"),
        ("Ashcraft", "A261"),
        ("Tymczak", "T522"),
        ("Pfister", "P236"),
        ("Smith", "S530"),
        ("Smyth", "S530"),
        ("Lee", "L000"),
    ],
)
def test_soundex_codes_follow_the_standard(name, code):
    assert soundex(name) == code


def test_soundex_treats_spellings_of_the_same_first_sound_alike():
    assert soundex("Catherine") == soundex("Katherine")
    assert soundex("Philip") == soundex("Filip")


def test_names_are_normalised_without_accents_or_punctuation():
    assert normalise_name("  Zoë  O'Brien-Smith ") == "zoe obrien smith"


@pytest.mark.parametrize(
    ("a", "b"),
    [("Jon", "John"), ("Smyth", "Smith"), ("Bill", "William"), ("Katie", "Catherine")],
)
def test_similar_name_parts_score_highly(a, b):
    assert name_part_similarity(a, b) >= 0.8


@pytest.mark.parametrize(("a", "b"), [("John", "Mary"), ("Smith", "Jones"), ("Ann", "")])
def test_different_name_parts_score_low(a, b):
    assert name_part_similarity(a, b) < 0.7


def test_swapped_first_and_last_names_are_recognised():
    match = compare_names(
        given_name="Smith",
        family_name="John",
        other_given="John",
        other_family="Smith",
        other_preferred="",
    )
    assert match is not None
    assert match.reason == "First and last names the other way round"


def test_the_preferred_name_counts_as_a_first_name():
    match = compare_names(
        given_name="Peggy",
        family_name="Hall",
        other_given="Edith",
        other_family="Hall",
        other_preferred="Peggy",
    )
    assert match is not None


def test_transposed_dates_swap_day_and_month_only_when_that_is_another_real_date():
    assert transposed(datetime.date(1950, 3, 4)) == datetime.date(1950, 4, 3)
    assert transposed(datetime.date(1950, 3, 13)) is None  # no 13th month
    assert transposed(datetime.date(1950, 5, 5)) is None  # the same date


# Finding matches -----------------------------------------------------------------------------


def test_the_same_nhs_number_matches_whatever_the_name(db):
    nhs = valid_nhs_number(1)
    held = PersonFactory(given_name="Edith", family_name="Brown", nhs_number=nhs)
    [match] = _find(nhs=nhs)
    assert match.person == held
    assert match.score == 100
    assert "Same NHS number" in match.reasons


def test_same_date_of_birth_and_a_misspelt_name_matches(db):
    held = PersonFactory(given_name="John", family_name="Smith", date_of_birth=BORN)
    [match] = _find(given="Jon", family="Smyth")
    assert match.person == held
    assert match.reasons == ("Same date of birth", "Similar name")
    assert 70 <= match.score < 100


def test_exactly_the_same_name_and_date_of_birth_is_very_likely(db):
    PersonFactory(given_name="John", family_name="Smith", date_of_birth=BORN)
    [match] = _find()
    assert match.reasons == ("Same date of birth", "Same name")
    assert match.strength == "Very likely the same person"


def test_capitals_and_spaces_do_not_matter(db):
    PersonFactory(given_name="John", family_name="Smith", date_of_birth=BORN)
    assert len(_find(given=" JOHN ", family="smith")) == 1


def test_a_short_form_of_the_first_name_matches(db):
    PersonFactory(given_name="William", family_name="Jones", date_of_birth=BORN)
    assert len(_find(given="Bill", family="Jones")) == 1


def test_swapped_first_and_last_names_match(db):
    PersonFactory(given_name="John", family_name="Smith", date_of_birth=BORN)
    [match] = _find(given="Smith", family="John")
    assert "First and last names the other way round" in match.reasons


def test_day_and_month_the_other_way_round_matches_with_a_lower_score(db):
    same_day = PersonFactory(given_name="John", family_name="Smith", date_of_birth=BORN)
    swapped = PersonFactory(
        given_name="John", family_name="Smith", date_of_birth=datetime.date(1950, 4, 3)
    )
    first, second = _find()
    assert (first.person, second.person) == (same_day, swapped)
    assert first.score > second.score
    assert "Date of birth with the day and month the other way round" in second.reasons


def test_a_record_without_a_date_of_birth_matches_on_name(db):
    held = PersonFactory(given_name="John", family_name="Smith", date_of_birth=None)
    [match] = _find()
    assert match.person == held
    assert "No date of birth to compare" in match.reasons


def test_without_a_date_of_birth_the_same_last_name_and_similar_first_name_match(db):
    held = PersonFactory(given_name="John", family_name="Smith", date_of_birth=BORN)
    [match] = _find(given="Jon", born=None)
    assert match.person == held


def test_the_same_name_with_a_different_date_of_birth_is_not_a_match(db):
    PersonFactory(given_name="John", family_name="Smith", date_of_birth=datetime.date(1961, 8, 20))
    assert _find() == []


def test_a_different_name_with_the_same_date_of_birth_is_not_a_match(db):
    PersonFactory(given_name="Mary", family_name="Jones", date_of_birth=BORN)
    assert _find() == []


def test_two_different_nhs_numbers_are_two_different_people(db):
    PersonFactory(
        given_name="John", family_name="Smith", date_of_birth=BORN, nhs_number=valid_nhs_number(2)
    )
    assert _find(nhs=valid_nhs_number(3)) == []


def test_every_record_is_checked_including_archived_and_unshared_ones(db):
    """No team works with this record and it is archived: it is still the same person."""
    held = ArchivedPersonFactory(given_name="John", family_name="Smith", date_of_birth=BORN)
    assert [m.person for m in _find()] == [held]


def test_the_best_matches_come_first_and_the_list_is_limited(db):
    for _ in range(4):
        PersonFactory(given_name="Jon", family_name="Smith", date_of_birth=BORN)
    exact = PersonFactory(given_name="John", family_name="Smith", date_of_birth=BORN)
    matches = find_possible_duplicates(
        given_name="John", family_name="Smith", date_of_birth=BORN, limit=3
    )
    assert len(matches) == 3
    assert matches[0].person == exact


def test_a_record_can_be_left_out(db):
    held = PersonFactory(given_name="John", family_name="Smith", date_of_birth=BORN)
    matches = find_possible_duplicates(
        given_name="John", family_name="Smith", date_of_birth=BORN, exclude=[held.pk]
    )
    assert matches == []


def test_the_check_is_one_query_however_many_records_there_are(db, django_assert_num_queries):
    for day in range(1, 28):
        PersonFactory(given_name="John", family_name="Smith", date_of_birth=BORN.replace(day=day))
    PersonFactory(given_name="John", family_name="Smith", date_of_birth=transposed(BORN))
    PersonFactory.create_batch(30)
    with django_assert_num_queries(1):
        matches = _find(given="Jon", family="Smyth")
    assert [m.person.date_of_birth for m in matches] == [BORN, transposed(BORN)]
