"""Words to search tokens, the same way for listings and for what people type.

Stemming is done here in Python (Snowball's English stemmer), not by the database, so SQLite
and PostgreSQL index and match exactly the same tokens. Both engines then treat the tokens as
plain words (FTS5 `unicode61`, PostgreSQL's `simple` configuration).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[a-z0-9]+")
_stemmer = snowballstemmer.stemmer("english")

# Words that say nothing about what someone wants. Kept short on purpose: "help", "support"
# and "group" are left in because names use them, and ranking copes.
_STOP_WORDS_TEXT = """
    a about after all also am an and any are as at be been being but by can could do
    does for from get got had has have he her him his how i if in into is it its just me
    my near need needs of on or our she so some than that the their them then there these
    they this those to too up us was we were what when where which who why will with would
    you your im ive dont want looking find somewhere something"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

# A curated map from what people type to the words listings use. Keys and values are plain
# words or phrases; they are stemmed when loaded. The needs taxonomy's own synonyms (editable
# by staff) are used as well: see `thesaurus.py`.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "lonely": ("befriending", "friendship", "companionship", "lunch club"),
    "loneliness": ("befriending", "friendship", "companionship"),
    "alone": ("befriending", "friendship", "companionship"),
    "isolated": ("befriending", "friendship", "companionship"),
    "friends": ("befriending", "friendship"),
    "money": ("debt", "benefits", "budgeting", "finance"),
    "money worries": ("debt", "benefits", "budgeting", "money advice"),
    "debt": ("money", "budgeting", "arrears"),
    "skint": ("debt", "money", "benefits", "food bank"),
    "bills": ("debt", "energy", "budgeting"),
    "depressed": ("mental health", "wellbeing", "low mood"),
    "anxious": ("mental health", "anxiety", "wellbeing"),
    "sad": ("mental health", "wellbeing", "low mood"),
    "stressed": ("mental health", "stress", "wellbeing"),
    "exercise": ("physical activity", "fitness", "walking", "dance", "yoga", "sport"),
    "fitness": ("exercise", "physical activity", "sport"),
    "walk": ("walking", "ramble"),
    "ramble": ("walking",),
    "computer": ("digital", "internet", "online", "tablet"),
    "internet": ("digital", "online", "computer"),
    "online": ("digital", "internet", "computer"),
    "phone": ("digital", "smartphone"),
    "memory": ("dementia", "memory cafe"),
    "alzheimers": ("dementia",),
    "carer": ("carers", "caring"),
    "caring": ("carers",),
    "food": ("meal", "lunch", "food bank", "cooking"),
    "hungry": ("food bank", "food", "meal"),
    "meal": ("lunch", "food", "dinner"),
    "job": ("work", "employment", "volunteering", "skills"),
    "work": ("employment", "job", "skills"),
    "kids": ("children", "families", "young people"),
    "children": ("kids", "families"),
    "teenagers": ("young people", "youth"),
    "elderly": ("older people", "over 60s", "over 50s"),
    "pensioners": ("older people", "over 60s"),
    "bereaved": ("bereavement", "grief", "loss"),
    "grief": ("bereavement", "loss"),
    "garden": ("gardening", "allotment", "green space"),
    "gardening": ("garden", "allotment"),
    "art": ("arts", "crafts", "painting", "drawing"),
    "crafts": ("craft", "knitting", "sewing", "art"),
    "sing": ("singing", "choir", "music"),
    "singing": ("choir", "music"),
    "music": ("singing", "choir"),
    "coffee": ("cafe", "tea"),
    "cafe": ("coffee",),
    "homeless": ("housing", "shelter"),
    "housing": ("home", "tenancy", "homeless"),
    "disabled": ("disability", "accessible"),
    "wheelchair": ("disability", "accessible", "step free"),
    "deaf": ("hearing", "bsl", "sign language"),
    "blind": ("sight loss", "visual impairment"),
    "volunteer": ("volunteering",),
    "learn": ("learning", "course", "class"),
    "course": ("learning", "class"),
}

# Each synonym group also finds the other forms of its own key (e.g. "walk" finds "walking"
# through stemming), so nothing here needs listing twice.


def fold(text: str) -> str:
    """Lower case without accents or apostrophes: "Café O'Neill's" -> "cafe oneills"."""
    text = text.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("'", "").replace("\u2019", "")


def words(text: str) -> list[str]:
    """The words of a text, folded, in order (stop words included)."""
    return _WORD.findall(fold(text))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def stems(text: str, *, keep_stop_words: bool = False) -> list[str]:
    """The stems of a text's words, in order, without stop words (unless asked)."""
    return [stem(w) for w in words(text) if keep_stop_words or w not in STOP_WORDS]


def document(*texts: str, tokens: Iterable[str] = ()) -> str:
    """The index form of some texts (and ready-made tokens): distinct stems in first-seen
    order, space separated, with a space at each end so a whole token can be found with
    `LIKE '% token %'`."""
    seen: dict[str, None] = dict.fromkeys(tokens)
    for text in texts:
        for token in stems(text):
            seen.setdefault(token, None)
    return " " + " ".join(seen) + " " if seen else " "


def term_token(code: str) -> str:
    """The token that marks a listing as having a taxonomy term: letters and digits only, so
    neither engine splits it (`loneliness-and-isolation` -> `xtlonelinessandisolation`)."""
    return "xt" + _letters_and_digits(code)


def _letters_and_digits(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


FACT_PREFIX = "qq"


def fact_token(kind: str, value: str = "") -> str:
    """The token that marks a listing as having a fact a filter asks about, kept with its
    other words so the full-text index answers the filter with them: `w` and a ward's code,
    `h` and a neighbourhood's slug, `e` for the whole area, `f` free, `d` and a day (`mon`),
    `m` and a time of day, `a` and an accessibility code, `k` and a kind of listing. Letters
    and digits only, behind a prefix no English word has (`qqwe05010318`)."""
    return FACT_PREFIX + kind + _letters_and_digits(value)


AGE_CAP = 127  # ages above this are taken as this (search asks about ages up to 120)


def age_blocks(low: int, high: int) -> list[str]:
    """The aligned blocks of ages (sizes 1, 2, 4 ... 64) that make up `low` to `high`
    (0 to AGE_CAP), each as "level x index" (`3x2` is ages 16 to 23): a listing's age limit
    is marked with the 7 blocks it falls in, so "a limit from 9 to 127" is a few tokens."""
    blocks = []
    low, high = max(low, 0), min(high, AGE_CAP)
    while low <= high:
        level = 0
        while level < 6 and low % (2 << level) == 0 and low + (2 << level) - 1 <= high:
            level += 1
        blocks.append(f"{level}x{low >> level}")
        low += 1 << level
    return blocks


def age_marks(age: int) -> list[str]:
    """The blocks an age limit falls in, one per level (see `age_blocks`)."""
    age = min(age, AGE_CAP)
    return [f"{level}x{age >> level}" for level in range(7)]


def is_fact(token: str) -> bool:
    return token.startswith(FACT_PREFIX)


def damerau_levenshtein(a: str, b: str, *, limit: int = 3) -> int:
    """Edit distance counting a swap of two neighbouring letters as one edit. Returns `limit`
    as soon as the distance is known to be at least that."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) >= limit:
            return limit
        previous2, previous = previous, current
    return min(previous[-1], limit)
