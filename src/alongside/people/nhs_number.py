"""NHS numbers: ten digits whose last is a modulus 11 check digit."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError


def nhs_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no valid number can end them."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(first_nine))
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def normalise_nhs_number(raw: str) -> str:
    """Strip spaces and dashes; raise ValidationError unless it is a valid NHS number."""
    digits = re.sub(r"[\s-]", "", raw or "")
    if not digits.isdigit() or len(digits) != 10:
        raise ValidationError("NHS number must be 10 digits, like 943 476 5919", code="format")
    if nhs_check_digit(digits[:9]) != int(digits[9]):
        raise ValidationError(
            "Enter a real NHS number. Check you have copied every digit correctly",
            code="checksum",
        )
    return digits


def is_valid_nhs_number(raw: str) -> bool:
    try:
        normalise_nhs_number(raw)
    except ValidationError:
        return False
    return True


def format_nhs_number(digits: str) -> str:
    """'4857773456' -> '943 476 5919'."""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else digits
