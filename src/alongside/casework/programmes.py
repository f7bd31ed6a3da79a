"""How each casework programme differs. Everything else (episodes, conversations, agreements,
connections, contacts, stories, closing) is shared, so a new programme is an entry here and a
team with that programme, not a copy of the app."""

from __future__ import annotations

from dataclasses import dataclass

from alongside.accounts.models import Programme


@dataclass(frozen=True)
class CaseworkProgramme:
    code: str
    name: str
    worker: str  # what its workers are called
    workers: str
    introduction: str  # what the way in is called
    place_based: bool  # teams cover wards; the introduction's ward chooses the team
    has_levels: bool  # Level 1 and Level 2 support
    takes_referrals: bool = False  # referrals wait in an intake queue for triage
    outcome_measures: bool = False  # a ProgrammeOutcome is recorded before closing


LAC = CaseworkProgramme(
    code=Programme.Code.LAC,
    name="Local Area Coordination",
    worker="coordinator",
    workers="coordinators",
    introduction="introduction",
    place_based=True,
    has_levels=True,
)
SOCIAL_PRESCRIBING = CaseworkProgramme(
    code=Programme.Code.SOCIAL_PRESCRIBING,
    name="Social prescribing",
    worker="link worker",
    workers="link workers",
    introduction="referral",
    place_based=False,
    has_levels=False,
    takes_referrals=True,
    outcome_measures=True,
)

PROGRAMMES: dict[str, CaseworkProgramme] = {p.code: p for p in (LAC, SOCIAL_PRESCRIBING)}


def casework_programme(code: str) -> CaseworkProgramme:
    """The programme's settings; KeyError for a programme that does no casework."""
    return PROGRAMMES[code]
