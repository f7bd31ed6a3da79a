"""Finding personal details in text meant for publication, and suggesting a redaction.

A story published anonymously must not say who the person is: not their names, where they
live, when they were born, their NHS number, phone number or email address, nor the names of
the people in their life. A named story may say the person's name (they agreed to be named)
but nothing else that identifies or reaches them.

Names are matched as whole words and only where they start with a capital letter, so that a
person called Will or Rose does not stop a story that says "will" or "rose". Postcodes, email
addresses, phone numbers and NHS numbers are found in any form, whoever they belong to; the
person's date of birth and address are found in the usual ways of writing them.

This is a check to help a worker, not a guarantee: a manager still reads every story before
it is approved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from alongside.people.nhs_number import nhs_check_digit

from .models import Relationship


@dataclass(frozen=True)
class Kind:
    code: str
    label: str  # what the message says was found
    placeholder: str  # what the suggested redaction puts instead


GIVEN_NAME = Kind("given_name", "the person's first name", "[name]")
FAMILY_NAME = Kind("family_name", "the person's family name", "[name]")
PREFERRED_NAME = Kind("preferred_name", "the person's preferred name", "[name]")
OTHER_NAME = Kind("other_name", "the name of someone in their life", "[name]")
ADDRESS = Kind("address", "their address", "[address]")
POSTCODE = Kind("postcode", "a postcode", "[postcode]")
DATE_OF_BIRTH = Kind("date_of_birth", "their date of birth", "[date of birth]")
NHS_NUMBER = Kind("nhs_number", "an NHS number", "[NHS number]")
PHONE = Kind("phone", "a phone number", "[phone number]")
EMAIL = Kind("email", "an email address", "[email address]")

# The order findings are listed in a message.
KINDS = (
    GIVEN_NAME,
    FAMILY_NAME,
    PREFERRED_NAME,
    OTHER_NAME,
    ADDRESS,
    POSTCODE,
    DATE_OF_BIRTH,
    NHS_NUMBER,
    PHONE,
    EMAIL,
)
PERSON_NAMES = (GIVEN_NAME, FAMILY_NAME, PREFERRED_NAME)


@dataclass(frozen=True)
class Finding:
    kind: Kind
    start: int
    end: int
    text: str


# Words in a name that are not themselves identifying: particles, titles and what people
# call their relatives. A whole name that is one of these ("Nan") is still matched.
NOT_NAMES = frozenset(
    {
        *("van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le"),
        *("al", "el", "bin", "ibn", "ap", "mac", "st", "the", "and", "of"),
        *("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev"),
        *("auntie", "aunty", "aunt", "uncle", "nan", "nana", "nanna", "gran", "granny"),
        *("grandma", "grandad", "grandpa", "mum", "mom", "mam", "dad", "cousin"),
    }
)

EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# A UK postcode anywhere in the text, with or without its space.
POSTCODE_RE = re.compile(r"(?<![\w])[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}(?![\w])", re.I)
# Ten digits written as an NHS number usually is: 943 476 5919, 943-476-5919 or 9434765919.
NHS_RE = re.compile(r"(?<![\w])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\w])")
# A UK phone number: 0 or +44 then 9 or 10 more digits, spaced or dashed as people write them.
PHONE_RE = re.compile(r"(?:(?<![\w+])\+44\s*(?:\(0\)\s*)?|(?<![\w])0)\d(?:[\s-]?\d){8,9}(?![\w])")
MONTHS = (
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
)


def _whole_words(value: str) -> str:
    """A pattern for `value` as whole words, with any spacing or punctuation between them."""
    words = [re.escape(w) for w in re.split(r"[\s,]+", value.strip()) if w]
    return r"(?<![\w])" + r"[\s,.]+".join(words) + r"(?![\w])"


def _name_patterns(value: str) -> list[str]:
    """The whole name, and each word of it that could identify someone on its own."""
    value = value.strip()
    if len(value) < 2:
        return []
    patterns = [_whole_words(value)]
    words = [w for w in re.split(r"[\s]+", value) if w]
    if len(words) > 1:
        patterns += [
            _whole_words(w) for w in words if len(w) >= 2 and w.lower().strip(".") not in NOT_NAMES
        ]
    return patterns


def _date_patterns(day: dt.date) -> list[str]:
    d, m, yyyy, yy = day.day, day.month, f"{day.year:04d}", f"{day.year % 100:02d}"
    month = MONTHS[m - 1]
    month_words = rf"(?:{month}|{month[:3]}{'|sept' if m == 9 else ''})\.?"
    ordinal = r"(?:st|nd|rd|th)?"
    edge_start, edge_end = r"(?<![\w])", r"(?!\w)"
    return [
        rf"{edge_start}0?{d}\s*[/.\-]\s*0?{m}\s*[/.\-]\s*(?:{yyyy}|{yy}){edge_end}",
        rf"{edge_start}{yyyy}\s*[/.\-]\s*0?{m}\s*[/.\-]\s*0?{d}{edge_end}",
        rf"{edge_start}0?{d}{ordinal}\s+(?:of\s+)?{month_words},?\s+{yyyy}{edge_end}",
        rf"{edge_start}{month_words}\s+0?{d}{ordinal},?\s+{yyyy}{edge_end}",
    ]


def _digits_pattern(value: str) -> str | None:
    digits = re.sub(r"\D", "", value)
    if len(digits) < 6:
        return None
    return r"(?<![\w])" + r"[\s()-]*".join(digits) + r"(?![\w])"


def _address_patterns(line: str) -> list[str]:
    line = line.strip()
    if len(line) < 4:
        return []
    patterns = [_whole_words(line)]
    # "lives on Acacia Avenue" names the street even without the house number.
    street = re.sub(r"^(?:flat\s+\w+,?\s+)?\d+[a-z]?,?\s+", "", line, flags=re.I)
    if street != line and len(street) >= 6 and " " in street:
        patterns.append(_whole_words(street))
    return patterns


def _finditer(pattern: str, text: str, *, flags: int = re.I) -> Iterable[re.Match[str]]:
    return re.finditer(pattern, text, flags)


def _all(kind: Kind, pattern: str | re.Pattern[str], text: str) -> list[Finding]:
    matches = (
        pattern.finditer(text) if isinstance(pattern, re.Pattern) else _finditer(pattern, text)
    )
    return [Finding(kind, m.start(), m.end(), m.group(0)) for m in matches]


def _name_findings(kind: Kind, value: str, text: str) -> list[Finding]:
    found = []
    for pattern in _name_patterns(value):
        for match in _finditer(pattern, text):
            if match.group(0)[:1].isupper():
                found.append(Finding(kind, match.start(), match.end(), match.group(0)))
    return found


def _nhs_findings(text: str, own: str) -> list[Finding]:
    found = []
    for match in NHS_RE.finditer(text):
        digits = "".join(match.groups())
        if digits == own or nhs_check_digit(digits[:9]) == int(digits[9]):
            found.append(Finding(NHS_NUMBER, match.start(), match.end(), match.group(0)))
    return found


def relationship_names(person: Any) -> list[str]:
    """The names of people in the person's life, from every episode's relationships. Groups
    are left out: naming the community group someone joined is the point of many stories."""
    return list(
        Relationship.objects.filter(episode__person=person)
        .exclude(kind=Relationship.Kind.GROUP)
        .values_list("name", flat=True)
        .distinct()
    )


def find_personal_details(
    text: str,
    *,
    person: Any,
    other_names: Iterable[str] = (),
    names_allowed: bool = False,
) -> list[Finding]:
    """Everything in `text` that identifies the person or reaches them, in the order it
    appears. With `names_allowed` (a named story) the person's own names are not findings;
    the names of others in their life still are."""
    text = text or ""
    found: list[Finding] = []
    if not names_allowed:
        for kind in PERSON_NAMES:
            found += _name_findings(kind, getattr(person, kind.code, "") or "", text)
    for name in other_names:
        found += _name_findings(OTHER_NAME, name, text)
    for line in (person.address_line_1, person.address_line_2):
        for pattern in _address_patterns(line or ""):
            found += _all(ADDRESS, pattern, text)
    found += _all(POSTCODE, POSTCODE_RE, text)
    if person.date_of_birth:
        for pattern in _date_patterns(person.date_of_birth):
            found += _all(DATE_OF_BIRTH, pattern, text)
    found += _nhs_findings(text, person.nhs_number or "")
    found += _all(PHONE, PHONE_RE, text)
    own_phone = _digits_pattern(person.phone or "")
    if own_phone:
        found += _all(PHONE, own_phone, text)
    found += _all(EMAIL, EMAIL_RE, text)
    return _without_overlaps(found)


def _without_overlaps(found: list[Finding]) -> list[Finding]:
    """Keep the longest of any findings that overlap (an address beats the name of its
    street); among equals, the one found first."""
    order = {kind.code: i for i, kind in enumerate(KINDS)}
    kept: list[Finding] = []
    for finding in sorted(found, key=lambda f: (f.start, -(f.end - f.start), order[f.kind.code])):
        if kept and finding.start < kept[-1].end:
            continue
        kept.append(finding)
    return kept


def describe(findings: Iterable[Finding]) -> str:
    """What was found, once each, in a fixed order: "the person's family name, a postcode"."""
    codes = {f.kind.code for f in findings}
    return ", ".join(kind.label for kind in KINDS if kind.code in codes)


def suggest_redaction(text: str, findings: Iterable[Finding]) -> str:
    """The text with each finding replaced by its placeholder ("[name]", "[postcode]"...).
    A first and family name side by side become one "[name]"."""
    parts: list[str] = []
    position = 0
    for finding in sorted(findings, key=lambda f: f.start):
        parts.append(text[position : finding.start])
        parts.append(finding.kind.placeholder)
        position = finding.end
    parts.append(text[position:])
    return re.sub(r"\[name\](?:\s+\[name\])+", "[name]", "".join(parts))


def redact(
    text: str, *, person: Any, other_names: Iterable[str] = (), names_allowed: bool = False
) -> str:
    """The suggested redaction of `text` for the person."""
    findings = find_personal_details(
        text, person=person, other_names=other_names, names_allowed=names_allowed
    )
    return suggest_redaction(text, findings)
