"""A plain-English check for listing descriptions, shown to editors as a warning.

Residents read the directory on phones, often in a hurry or in a second language, so
descriptions should score at least 60 for Flesch reading ease ("plain English") and keep
sentences to 25 words or fewer. The check only warns: an editor decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import textstat

MAX_SENTENCE_WORDS = 25
MIN_READING_EASE = 60.0

# A sentence ends at . ! or ? followed by a space or the end, or at a line break
# (descriptions often use lines for lists).
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|\n+")
_WORD = re.compile(r"[A-Za-z0-9À-ÿ]+(?:['’\-][A-Za-z0-9À-ÿ]+)*")

_BANDS = (
    (90, "very easy to read"),
    (80, "easy to read"),
    (70, "fairly easy to read"),
    (60, "plain English"),
    (50, "fairly hard to read"),
    (30, "hard to read"),
)


@dataclass(frozen=True)
class LongSentence:
    text: str
    words: int


@dataclass(frozen=True)
class PlainEnglishReport:
    reading_ease: float | None
    grade: str
    long_sentences: list[LongSentence] = field(default_factory=list)
    word_count: int = 0

    @property
    def passes(self) -> bool:
        if self.reading_ease is None:
            return True
        return self.reading_ease >= MIN_READING_EASE and not self.long_sentences

    @property
    def message(self) -> str:
        if self.reading_ease is None:
            return "There is no description to check."
        if self.passes:
            return f"This description is in plain English (reading ease {self.reading_ease:.0f})."
        problems = []
        if self.long_sentences:
            count = len(self.long_sentences)
            problems.append(
                f"{count} sentence{'s have' if count != 1 else ' has'} more than "
                f"{MAX_SENTENCE_WORDS} words"
            )
        if self.reading_ease < MIN_READING_EASE:
            problems.append(
                f"its reading ease score is {self.reading_ease:.0f} ({self.grade}); aim for "
                f"{MIN_READING_EASE:.0f} or more"
            )
        return "This description may be hard to read: " + " and ".join(problems) + "."


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text or "") if part and part.strip()]


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def grade_for(score: float) -> str:
    for floor, words in _BANDS:
        if score >= floor:
            return words
    return "very hard to read"


def check(text: str) -> PlainEnglishReport:
    """Reading ease (Flesch, 0 to 100, higher is easier) and the sentences that are too long."""
    text = (text or "").strip()
    words = count_words(text)
    if not words:
        return PlainEnglishReport(reading_ease=None, grade="", word_count=0)
    # Scores run past 100 and below 0 for very short or very dense text; keep them readable.
    score = max(0.0, min(100.0, float(textstat.flesch_reading_ease(text))))
    long_sentences = [
        LongSentence(text=sentence, words=n)
        for sentence in split_sentences(text)
        if (n := count_words(sentence)) > MAX_SENTENCE_WORDS
    ]
    return PlainEnglishReport(
        reading_ease=round(score, 1),
        grade=grade_for(score),
        long_sentences=long_sentences,
        word_count=words,
    )
