"""Finding records that may be the same person, before a new one is added.

The check looks at every record, not only those the member of staff may see: a person's
second record is the mistake it exists to prevent. It narrows candidates with indexed
filters (NHS number, date of birth, last name without capitals) and only then compares
names in Python, where spelling tolerance is cheap.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from uuid import UUID

from django.db.models import Q
from django.db.models.functions import Upper

from .models import Person

# Enough for any real town's worth of one surname without a date of birth to narrow by.
MAX_CANDIDATES = 1000

# A name part scoring at least this is "similar" (1.0 is the same after normalising).
FAMILY_THRESHOLD = 0.8
GIVEN_THRESHOLD = 0.7

# Common English short forms. Each group is names that may be the same person's.
_NAME_GROUPS: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "william bill billy will willie liam",
        "robert bob bobby rob robbie bert",
        "richard dick rick ricky rich richie",
        "margaret maggie meg peggy marge margie",
        "elizabeth liz lizzie beth betty bessie eliza libby",
        "catherine katherine kathryn kate katie kath cathy kathy kitty",
        "james jim jimmy jamie",
        "john jack johnny jon",
        "jonathan jon jonny",
        "edward ed eddie ted teddy ned",
        "thomas tom tommy",
        "michael mike mick mickey",
        "anthony tony",
        "christopher chris kit",
        "christine chris chrissie tina",
        "patricia pat patty trish",
        "patrick pat paddy",
        "susan sue susie",
        "jennifer jen jenny",
        "alexander alex sandy",
        "alexandra alex sandra",
        "daniel dan danny",
        "david dave davy",
        "joseph joe joey",
        "samuel sam sammy",
        "samantha sam sammy",
        "benjamin ben benny",
        "peter pete",
        "stephen steven steve",
        "matthew matt",
        "nicholas nick nicky",
        "andrew andy drew",
        "frederick fred freddie",
        "henry harry hal",
        "charles charlie chas chuck",
        "dorothy dot dotty",
        "deborah debbie deb",
        "rebecca becky becca",
        "victoria vicky tori",
        "gerald gerry",
        "kenneth ken kenny",
        "ronald ron ronnie",
        "donald don donnie",
        "leonard len lenny",
        "raymond ray",
        "barbara barbs babs",
        "jacqueline jackie",
        "josephine jo josie",
        "joanne jo",
        "valerie val",
        "mary molly polly",
        "ann anne anna annie",
    )
)

_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


@dataclass(frozen=True)
class PossibleDuplicate:
    """A record that may be the same person, how strongly, and why."""

    person: Person
    score: int
    reasons: tuple[str, ...]

    @property
    def strength(self) -> str:
        if self.score >= 90:
            return "Very likely the same person"
        if self.score >= 70:
            return "Likely the same person"
        return "Possibly the same person"


def normalise_name(name: str) -> str:
    """Lower case letters and single spaces: accents, hyphens and apostrophes removed."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = re.sub(r"[-_.]", " ", plain)
    plain = re.sub(r"[^a-z ]", "", plain)
    return " ".join(plain.split())


def soundex(name: str) -> str:
    """A Soundex code, with a few English spellings of the same first sound made equal
    ("Catherine" and "Katherine", "Philip" and "Filip")."""
    word = normalise_name(name).replace(" ", "")
    if not word:
        return ""
    for written, sound in (("ph", "f"), ("kn", "n"), ("wr", "r"), ("c", "k")):
        if word.startswith(written):
            word = sound + word[len(written) :]
            break
    first = word[0]
    digits: list[str] = []
    previous = _SOUNDEX_CODES.get(first, "")
    for char in word[1:]:
        code = _SOUNDEX_CODES.get(char, "")
        if code and code != previous:
            digits.append(code)
        if char not in "hw":  # h and w do not separate letters with the same code
            previous = code
    return (first.upper() + "".join(digits) + "000")[:4]


def _are_variants(a: str, b: str) -> bool:
    return any(a in group and b in group for group in _NAME_GROUPS)


def name_part_similarity(a: str, b: str) -> float:
    """How alike two first names (or two last names) are, from 0 to 1."""
    a, b = normalise_name(a), normalise_name(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    scores = [SequenceMatcher(None, a, b).ratio()]
    tokens_a, tokens_b = set(a.split()), set(b.split())
    if tokens_a & tokens_b:
        scores.append(0.85)  # double-barrelled or middle names: one part in common
    if soundex(a) == soundex(b):
        scores.append(0.85)
    if _are_variants(a.split()[0], b.split()[0]):
        scores.append(0.9)
    if (len(a) == 1 or len(b) == 1) and a[0] == b[0]:
        scores.append(0.7)  # an initial
    return max(scores)


@dataclass(frozen=True)
class NameMatch:
    score: float
    reason: str


def compare_names(
    *, given_name: str, family_name: str, other_given: str, other_family: str, other_preferred: str
) -> NameMatch | None:
    """Whether two names may be the same person's, allowing for spelling, short forms and
    first and last names written the wrong way round. None when they are not alike."""
    given_score = max(
        name_part_similarity(given_name, other_given),
        name_part_similarity(given_name, other_preferred) if other_preferred else 0.0,
    )
    family_score = name_part_similarity(family_name, other_family)
    if family_score >= FAMILY_THRESHOLD and given_score >= GIVEN_THRESHOLD:
        same = given_score == 1.0 and family_score == 1.0
        return NameMatch(
            score=(given_score + family_score) / 2,
            reason="Same name" if same else "Similar name",
        )
    swapped_given = name_part_similarity(given_name, other_family)
    swapped_family = name_part_similarity(family_name, other_given)
    if swapped_family >= FAMILY_THRESHOLD and swapped_given >= GIVEN_THRESHOLD:
        return NameMatch(
            score=(swapped_given + swapped_family) / 2 * 0.95,
            reason="First and last names the other way round",
        )
    return None


def transposed(day_first: date) -> date | None:
    """The date with day and month swapped (3 April for 4 March), when that is a
    different, real date."""
    if day_first.day > 12 or day_first.day == day_first.month:
        return None
    try:
        return day_first.replace(day=day_first.month, month=day_first.day)
    except ValueError:
        return None


def _digits(nhs_number: str) -> str:
    return re.sub(r"\D", "", nhs_number or "")


def _candidates(
    *,
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
    nhs_number: str,
    exclude: Iterable[UUID],
) -> list[Person]:
    conditions = Q(pk__in=[])
    if nhs_number:
        conditions |= Q(nhs_number=nhs_number)
    dates = [d for d in (date_of_birth, date_of_birth and transposed(date_of_birth)) if d]
    if dates:
        conditions |= Q(date_of_birth__in=dates)
    family, given = family_name.strip().upper(), given_name.strip().upper()
    if family:
        # Same last name, or the names swapped, where a date of birth cannot narrow it down.
        by_name = Q(family_upper=family) | Q(given_upper=family)
        if given:
            by_name |= Q(family_upper=given)
        if date_of_birth is not None:
            by_name &= Q(date_of_birth__isnull=True)
        conditions |= by_name
    return list(
        Person.objects.alias(family_upper=Upper("family_name"), given_upper=Upper("given_name"))
        .filter(conditions)
        .exclude(pk__in=list(exclude))
        .select_related("ward")
        .order_by("family_name", "given_name", "id")[:MAX_CANDIDATES]
    )


def _assess(
    candidate: Person,
    *,
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
    nhs_number: str,
) -> PossibleDuplicate | None:
    name = compare_names(
        given_name=given_name,
        family_name=family_name,
        other_given=candidate.given_name,
        other_family=candidate.family_name,
        other_preferred=candidate.preferred_name,
    )
    reasons: list[str] = []
    if nhs_number and candidate.nhs_number == nhs_number:
        reasons.append("Same NHS number")
        if name:
            reasons.append(name.reason)
        if date_of_birth and candidate.date_of_birth == date_of_birth:
            reasons.append("Same date of birth")
        return PossibleDuplicate(person=candidate, score=100, reasons=tuple(reasons))
    if nhs_number and candidate.nhs_number:
        # Two different valid NHS numbers are two different people.
        return None
    if name is None:
        return None
    if date_of_birth and candidate.date_of_birth == date_of_birth:
        score = 50 + 40 * name.score
        reasons = ["Same date of birth", name.reason]
    elif date_of_birth and candidate.date_of_birth == transposed(date_of_birth):
        score = 40 + 35 * name.score
        reasons = ["Date of birth with the day and month the other way round", name.reason]
    elif date_of_birth is None or candidate.date_of_birth is None:
        score = 30 + 30 * name.score
        reasons = [name.reason, "No date of birth to compare"]
    else:
        return None
    return PossibleDuplicate(person=candidate, score=round(score), reasons=tuple(reasons))


def find_possible_duplicates(
    *,
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
    nhs_number: str = "",
    exclude: Iterable[UUID] = (),
    limit: int = 10,
) -> list[PossibleDuplicate]:
    """Records across the whole system that may be this person, best first.

    Matches on: the same NHS number; the same date of birth with a similar name (spelling,
    short forms, swapped first and last names); a similar name with the day and month of
    the date of birth swapped; a similar name where either record has no date of birth.
    """
    nhs_number = _digits(nhs_number)
    matches = [
        match
        for candidate in _candidates(
            given_name=given_name,
            family_name=family_name,
            date_of_birth=date_of_birth,
            nhs_number=nhs_number,
            exclude=exclude,
        )
        if (
            match := _assess(
                candidate,
                given_name=given_name,
                family_name=family_name,
                date_of_birth=date_of_birth,
                nhs_number=nhs_number,
            )
        )
    ]
    matches.sort(key=lambda m: (-m.score, m.person.family_name, m.person.given_name))
    return matches[:limit]
