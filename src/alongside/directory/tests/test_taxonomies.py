"""The needs, service-type and audience taxonomies and the command that loads them."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from alongside.directory.models import Taxonomy, TaxonomyTerm
from alongside.directory.taxonomies import (
    AUDIENCE,
    AUDIENCE_TAXONOMY,
    NEEDS,
    NEEDS_TAXONOMY,
    SERVICE_TYPES,
    SERVICE_TYPES_TAXONOMY,
    TAXONOMIES,
    TaxonomySpec,
    TermSpec,
    taxonomies_load,
    terms_by_code,
)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EXPECTED_NEEDS = {
    "loneliness-and-isolation",
    "mental-health",
    "money-and-debt",
    "housing",
    "carers",
    "dementia",
    "physical-activity",
    "food",
    "digital-skills",
    "learning-and-work",
    "volunteering",
    "families",
    "older-people",
    "disability",
    "bereavement",
    "physical-health",
    "substance-use",
    "arts-and-culture",
    "nature-and-outdoors",
    "advice-and-information",
}
EXPECTED_SERVICE_TYPES = {
    "befriending",
    "social-group",
    "peer-support",
    "advice-service",
    "lunch-club",
    "exercise-class",
    "walking-group",
    "craft-group",
    "choir-and-music",
    "food-bank-and-pantry",
    "community-cafe",
    "digital-help",
    "volunteering-opportunity",
    "carers-group",
    "dementia-cafe",
    "mens-shed",
    "allotment-and-gardening",
}
EXPECTED_AUDIENCE = {"children", "young-people", "adults", "older-people", "carers", "families"}


# --- The vocabularies themselves (no database) -------------------------------------------------


def test_the_three_vocabularies_cover_what_residents_ask_for():
    assert {t.code for t in NEEDS_TAXONOMY.terms} >= EXPECTED_NEEDS
    assert {t.code for t in SERVICE_TYPES_TAXONOMY.terms} >= EXPECTED_SERVICE_TYPES
    assert {t.code for t in AUDIENCE_TAXONOMY.terms} == EXPECTED_AUDIENCE
    assert [t.code for t in TAXONOMIES] == [NEEDS, SERVICE_TYPES, AUDIENCE]


@pytest.mark.parametrize("spec", TAXONOMIES, ids=lambda s: s.code)
def test_every_term_is_well_formed(spec):
    codes = [t.code for t in spec.terms]
    names = [t.name.lower() for t in spec.terms]
    assert len(codes) == len(set(codes)), "codes are unique within a taxonomy"
    assert len(names) == len(set(names)), "names are unique within a taxonomy"
    for term in spec.terms:
        assert SLUG.match(term.code), term.code
        assert len(term.code) <= 80 and len(term.name) <= 150
        assert term.name[0].isupper()
        # Plain English: whole sentences, none of them long.
        assert term.description.endswith("."), term.code
        for sentence in re.split(r"(?<=\.)\s+", term.description):
            assert len(sentence.split()) <= 25, (term.code, sentence)
        assert term.synonyms, f"{term.code} has words residents use"
        assert len(set(term.synonyms)) == len(term.synonyms)
        assert all(s and s == s.strip() and "\n" not in s for s in term.synonyms)
        assert not term.parent or term.parent in codes


def test_residents_words_are_synonyms():
    synonyms = {t.code: set(t.synonyms) for t in NEEDS_TAXONOMY.terms}
    assert {"lonely", "isolated"} <= synonyms["loneliness-and-isolation"]
    assert {"money worries", "debt", "skint"} <= synonyms["money-and-debt"]
    assert "anxiety" in synonyms["mental-health"]
    assert "Alzheimer's" in synonyms["dementia"]


def test_no_external_codes_are_guessed():
    """External codes are filled only from a published list, so none are set here."""
    for spec in TAXONOMIES:
        for term in spec.terms:
            assert term.external_taxonomy == "" and term.external_code == ""


# --- Loading ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_creates_every_taxonomy_and_term():
    result = taxonomies_load()
    assert result.taxonomies_created == 3
    total = sum(len(spec.terms) for spec in TAXONOMIES)
    assert result.terms_created == total
    assert TaxonomyTerm.objects.count() == total
    for spec in TAXONOMIES:
        taxonomy = Taxonomy.objects.get(code=spec.code)
        assert taxonomy.name == spec.name and taxonomy.description
        assert taxonomy.terms.count() == len(spec.terms)
    lonely = TaxonomyTerm.objects.get(taxonomy__code=NEEDS, code="loneliness-and-isolation")
    assert "lonely" in lonely.synonyms.splitlines()
    assert (
        lonely.description == "Meeting people, making friends and feeling part of your community."
    )
    terms = terms_by_code()
    assert terms[(SERVICE_TYPES, "mens-shed")].name == "Men's shed"
    # The same code may be used in two taxonomies: "carers" is a need and an audience.
    assert terms[(NEEDS, "carers")] != terms[(AUDIENCE, "carers")]


@pytest.mark.django_db
def test_loading_again_changes_nothing():
    taxonomies_load()
    before = list(TaxonomyTerm.objects.order_by("pk").values())
    result = taxonomies_load()
    assert (result.taxonomies_created, result.terms_created) == (0, 0)
    assert result.terms_kept == len(before)
    assert list(TaxonomyTerm.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_staff_edits_survive_a_reload_and_missing_terms_come_back():
    taxonomies_load()
    lonely = TaxonomyTerm.objects.get(taxonomy__code=NEEDS, code="loneliness-and-isolation")
    lonely.name = "Feeling lonely"
    lonely.synonyms = "lonely\nno mates"
    lonely.description = "Edited by the editors."
    lonely.save()
    taxonomy = Taxonomy.objects.get(code=NEEDS)
    taxonomy.name = "What people need"
    taxonomy.save()
    TaxonomyTerm.objects.get(taxonomy__code=NEEDS, code="bereavement").delete()

    result = taxonomies_load()

    assert result.terms_created == 1
    lonely.refresh_from_db()
    assert lonely.name == "Feeling lonely"
    assert lonely.synonyms == "lonely\nno mates"
    assert lonely.description == "Edited by the editors."
    assert Taxonomy.objects.get(code=NEEDS).name == "What people need"
    assert TaxonomyTerm.objects.filter(taxonomy__code=NEEDS, code="bereavement").exists()


@pytest.mark.django_db
def test_parents_are_created_before_their_children():
    spec = TaxonomySpec(
        code="test-nested",
        name="Nested",
        description="A test taxonomy.",
        terms=(
            TermSpec("child", "Child", "A child term.", ("kid",), parent="parent"),
            TermSpec("parent", "Parent", "A parent term.", ("top",)),
        ),
    )
    taxonomies_load(taxonomies=(spec,))
    child = TaxonomyTerm.objects.get(taxonomy__code="test-nested", code="child")
    assert child.parent.code == "parent"


@pytest.mark.django_db
def test_command_reports_what_it_did(capsys):
    call_command("load_taxonomies")
    assert "3 taxonomies added" in capsys.readouterr().out
    call_command("load_taxonomies")
    out = capsys.readouterr().out
    assert "0 taxonomies added; 0 terms added" in out
    call_command("load_taxonomies", verbosity=0)
    assert capsys.readouterr().out == ""
