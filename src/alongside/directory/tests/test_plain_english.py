"""The plain-English check editors see for each description."""

from __future__ import annotations

from alongside.directory.plain_english import check, count_words, split_sentences

PLAIN = "Come and knit with us. We meet on Tuesdays. Tea is free. Everyone is welcome."
LONG_SENTENCE = (
    "This organisation facilitates a comprehensive programme of intergenerational "
    "activities designed to ameliorate social isolation among residents who may "
    "otherwise experience considerable difficulty accessing community-based "
    "opportunities within the locality and surrounding neighbourhoods of the city."
)


def test_short_plain_sentences_pass():
    report = check(PLAIN)
    assert report.passes
    assert report.long_sentences == []
    assert report.reading_ease >= 60
    assert "plain English" in report.message


def test_long_sentences_are_listed_with_their_word_count():
    report = check(f"{PLAIN} {LONG_SENTENCE} {LONG_SENTENCE} {LONG_SENTENCE}")
    assert not report.passes
    assert len(report.long_sentences) == 3
    assert all(s.words > 25 for s in report.long_sentences)
    assert report.message.startswith(
        "This description may be hard to read: 3 sentences have more than 25 words"
    )


def test_one_long_sentence_is_named_in_the_singular():
    report = check(LONG_SENTENCE)
    assert "1 sentence has more than 25 words" in report.message


def test_hard_words_lower_the_reading_ease_and_warn():
    report = check(
        "Intergenerational facilitation ameliorates isolation. Comprehensive "
        "opportunities necessitate considerable organisational coordination."
    )
    assert report.reading_ease < 60
    assert not report.passes
    assert "reading ease score is" in report.message
    assert report.grade in {"hard to read", "very hard to read", "fairly hard to read"}


def test_empty_text_passes_with_nothing_to_check():
    report = check("   ")
    assert report.passes
    assert report.reading_ease is None
    assert report.message == "There is no description to check."


def test_sentences_split_at_full_stops_and_line_breaks():
    assert split_sentences("One. Two! Three?\nFour\n\nFive.") == [
        "One.",
        "Two!",
        "Three?",
        "Four",
        "Five.",
    ]
    assert split_sentences("It costs £2.50 a session.") == ["It costs £2.50 a session."]


def test_words_are_counted_with_hyphens_and_apostrophes_as_one():
    assert count_words("It's a drop-in, 10am to 12pm.") == 6
