"""What people type, turned into what to look for.

A query becomes a list of *groups*; a listing matches when it matches every group. A group
is a set of *alternatives*, and an alternative is a tuple of tokens that must all be present
(so "lunch club" as an alternative needs both words). Phrases are matched longest first:
"money worries" is one group that finds debt advice, not "money" and "worries" separately.

Two sources feed the map: the curated `text.SYNONYMS`, and the taxonomies themselves, whose
term names and synonyms (editable by staff) lead to the term's token, so "lonely" finds every
listing tagged "Loneliness and isolation" whatever its description says.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.db import connection

from alongside.directory.models import TaxonomyTerm

from . import text

Alternative = tuple[str, ...]
MAX_PHRASE = 6


@dataclass(frozen=True)
class Group:
    """One part of a query. `words` is what the person typed for it (for messages)."""

    words: str
    alternatives: frozenset[Alternative]
    literal: Alternative  # the typed words' own stems
    term_codes: frozenset[str] = frozenset()  # taxonomy terms the phrase names
    excluded: bool = False  # no match may have any of these (a filter matched as tokens)

    @property
    def is_plain_word(self) -> bool:
        """A single typed word with nothing else to try: the case typo correction helps."""
        return len(self.literal) == 1 and len(self.alternatives) == 1


@dataclass
class Thesaurus:
    phrases: dict[Alternative, set[Alternative]] = field(default_factory=dict)
    phrase_terms: dict[Alternative, set[str]] = field(default_factory=dict)

    def add(self, phrase: str, alternatives: list[Alternative], term_code: str = "") -> None:
        key = tuple(text.stems(phrase, keep_stop_words=True))
        if not key or len(key) > MAX_PHRASE:
            return
        bucket = self.phrases.setdefault(key, set())
        bucket.update(alt for alt in alternatives if alt)
        if term_code:
            self.phrase_terms.setdefault(key, set()).add(term_code)

    def parse(self, query: str) -> list[Group]:
        folded = text.words(query)
        tokens = [text.stem(w) for w in folded]
        groups: list[Group] = []
        i = 0
        while i < len(tokens):
            for length in range(min(MAX_PHRASE, len(tokens) - i), 0, -1):
                key = tuple(tokens[i : i + length])
                if key in self.phrases:
                    literal = tuple(
                        t
                        for t, w in zip(key, folded[i : i + length], strict=True)
                        if w not in text.STOP_WORDS
                    )
                    alternatives = set(self.phrases[key])
                    if literal:
                        alternatives.add(literal)
                    groups.append(
                        Group(
                            words=" ".join(folded[i : i + length]),
                            alternatives=frozenset(alternatives),
                            literal=literal,
                            term_codes=frozenset(self.phrase_terms.get(key, ())),
                        )
                    )
                    i += length
                    break
            else:
                if folded[i] not in text.STOP_WORDS:
                    literal = (tokens[i],)
                    groups.append(
                        Group(words=folded[i], alternatives=frozenset({literal}), literal=literal)
                    )
                i += 1
        return _merge_duplicates(groups)


def _merge_duplicates(groups: list[Group]) -> list[Group]:
    seen: dict[frozenset[Alternative], Group] = {}
    for group in groups:
        seen.setdefault(group.alternatives, group)
    return list(seen.values())


def _alternatives(words_or_phrases: tuple[str, ...]) -> list[Alternative]:
    return [tuple(text.stems(p)) for p in words_or_phrases]


def build() -> Thesaurus:
    thesaurus = Thesaurus()
    for key, values in text.SYNONYMS.items():
        thesaurus.add(key, _alternatives(values))
    for term in TaxonomyTerm.objects.only("code", "name", "synonyms"):
        token = (text.term_token(term.code),)
        for phrase in [term.name, *term.synonyms.splitlines()]:
            phrase = phrase.strip()
            if phrase:
                extra = _alternatives(text.SYNONYMS.get(text.fold(phrase), ()))
                thesaurus.add(phrase, [token, *extra], term_code=term.code)
    return thesaurus


_cache_lock = threading.Lock()
_cache: dict[str, tuple[tuple, Thesaurus]] = {}


def current() -> Thesaurus:
    """The thesaurus for the taxonomy as it is now: rebuilt when any term changes (one small
    query tells), shared between requests otherwise."""
    with connection.cursor() as cursor:  # (plain SQL: this runs before every search)
        cursor.execute("SELECT count(*), max(modified_at) FROM directory_taxonomyterm")
        version = tuple(cursor.fetchone())
    with _cache_lock:
        cached = _cache.get("thesaurus")
        if cached and cached[0] == version:
            return cached[1]
    built = build()
    with _cache_lock:
        _cache["thesaurus"] = (version, built)
    return built
