"""NHS numbers: 9 digits and a modulus 11 check digit; any one wrong digit is caught."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from alongside.people.nhs_number import (
    format_nhs_number,
    is_valid_nhs_number,
    nhs_check_digit,
    normalise_nhs_number,
)

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)
valid_numbers = (
    nine_digits.map(lambda nine: (nine, nhs_check_digit(nine)))
    .filter(lambda pair: pair[1] is not None)
    .map(lambda pair: f"{pair[0]}{pair[1]}")
)


@given(nine_digits)
def test_nine_digits_and_their_check_digit_pass_or_the_prefix_has_no_valid_number(nine):
    check = nhs_check_digit(nine)
    if check is None:
        # A remainder giving check digit 10 means no number starts with these nine digits.
        assert not any(is_valid_nhs_number(f"{nine}{last}") for last in "0123456789")
    else:
        assert normalise_nhs_number(f"{nine}{check}") == f"{nine}{check}"


@given(valid_numbers, st.integers(min_value=0, max_value=9), st.integers(1, 9))
def test_changing_any_single_digit_fails(number, position, shift):
    digits = list(number)
    digits[position] = str((int(digits[position]) + shift) % 10)
    changed = "".join(digits)
    assert changed != number
    with pytest.raises(ValidationError):
        normalise_nhs_number(changed)


@given(valid_numbers, st.integers(min_value=0, max_value=7))
def test_swapping_two_neighbouring_digits_fails(number, position):
    digits = list(number)
    if digits[position] == digits[position + 1]:
        return
    digits[position], digits[position + 1] = digits[position + 1], digits[position]
    assert not is_valid_nhs_number("".join(digits))


@given(valid_numbers)
def test_spaces_and_dashes_are_ignored(number):
    spaced = format_nhs_number(number)
    assert normalise_nhs_number(spaced) == number
    assert normalise_nhs_number(spaced.replace(" ", "-")) == number
    assert normalise_nhs_number(f"  {number} ") == number


@given(st.text(alphabet="0123456789", max_size=20).filter(lambda s: len(s) != 10))
def test_the_wrong_number_of_digits_is_refused(digits):
    with pytest.raises(ValidationError) as raised:
        normalise_nhs_number(digits)
    assert raised.value.code == "format"


@pytest.mark.parametrize("raw", ["943 476 591O", "abcdefghij", "943476591.9", ""])
def test_anything_but_digits_is_refused(raw):
    assert not is_valid_nhs_number(raw)


def test_a_published_example_is_valid_and_formatted_in_threes():
    assert normalise_nhs_number("943 476 5919") == "9434765919"
    assert format_nhs_number("9434765919") == "943 476 5919"


def test_a_wrong_check_digit_says_to_check_the_number():
    with pytest.raises(ValidationError) as raised:
        normalise_nhs_number("943 476 5918")
    assert raised.value.code == "checksum"
    assert "Enter a real NHS number" in raised.value.messages[0]
