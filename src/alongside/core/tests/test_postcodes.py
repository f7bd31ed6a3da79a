"""Postcodes: format rules, and the ONS Postcode Directory import and look-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from alongside.core.models import Postcode
from alongside.core.postcodes import (
    PostcodeNotFound,
    is_valid_postcode,
    locate_postcode,
    normalise_postcode,
)
from alongside.core.services import postcodes_import

SAMPLE = Path(__file__).parent / "data" / "onspd_sample.csv"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("yo1 7hh", "YO1 7HH"),
        ("YO17HH", "YO1 7HH"),
        ("  yo24   1ab ", "YO24 1AB"),
        ("SW1A1AA", "SW1A 1AA"),
        ("M11AE", "M1 1AE"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_normalise_valid_postcodes(raw, expected):
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize("raw", ["YO1", "12345", "YO1 7H", "Q1 1AA", "YO1 7CI", "YO1-7HH!"])
def test_invalid_postcodes_are_refused_with_a_clear_message(raw):
    with pytest.raises(ValidationError) as err:
        normalise_postcode(raw)
    assert err.value.messages == ["Enter a real postcode, like YO1 7HH"]


def test_empty_postcode_asks_for_one():
    with pytest.raises(ValidationError) as err:
        normalise_postcode("   ")
    assert err.value.messages == ["Enter a postcode"]


@given(st.text(max_size=12))
def test_normalising_is_idempotent(raw):
    if is_valid_postcode(raw):
        once = normalise_postcode(raw)
        assert normalise_postcode(once) == once
        assert " " in once and once == once.upper()


@pytest.mark.django_db
def test_import_keeps_the_council_area_and_reports_what_it_skipped():
    result = postcodes_import(path=SAMPLE, local_authority="E06000014")
    assert result.read == 6
    assert result.imported == 3
    assert result.skipped_outside_area == 1  # the Leeds row
    assert result.skipped_no_location == 1  # no grid reference (lat 99.999999)
    assert result.invalid == 1
    minster = Postcode.objects.get(postcode="YO1 0TA")
    assert minster.ward.name == "Guildhall" and minster.small_area.code == "E01013366"
    # No ward code in the file: found from the boundaries instead.
    assert Postcode.objects.get(postcode="YO24 0TB").ward.name == "Acomb"
    assert Postcode.objects.get(postcode="YO10 0TG").terminated.isoformat() == "2015-06-01"


@pytest.mark.django_db
def test_import_twice_updates_in_place():
    postcodes_import(path=SAMPLE, local_authority="E06000014")
    postcodes_import(path=SAMPLE, local_authority="E06000014")
    assert Postcode.objects.count() == 3


@pytest.mark.django_db
def test_management_command_imports_every_area_when_asked(capsys):
    call_command("import_postcodes", str(SAMPLE), "--local-authority", "all")
    out = capsys.readouterr().out
    assert "imported 4" in out
    assert Postcode.objects.filter(postcode="LS1 0TD", ward__isnull=True).exists()


@pytest.mark.django_db
def test_locate_known_unknown_and_invalid_postcodes():
    postcodes_import(path=SAMPLE, local_authority="E06000014")
    place = locate_postcode("yo10tA")
    assert place.postcode == "YO1 0TA" and place.ward.name == "Guildhall"
    assert not place.terminated
    assert locate_postcode("YO10 0TG").terminated
    with pytest.raises(PostcodeNotFound) as err:
        locate_postcode("YO1 9ZZ")
    assert "We do not know the postcode YO1 9ZZ" in str(err.value)
    with pytest.raises(ValidationError):
        locate_postcode("not a postcode")
