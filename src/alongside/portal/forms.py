"""Forms for the portal's feedback: residents' ratings and editors' decisions on comments.
They parse and check what people send; portal.feedback does the rest."""

from __future__ import annotations

from typing import Any

from django import forms

from .feedback import REJECTION_REASONS, SORTS

COMMENT_MAX = 2000

# Each score in words, so nobody has to guess what a number of stars means.
STAR_CHOICES: list[tuple[int, str]] = [
    (1, "Not at all useful"),
    (2, "Not very useful"),
    (3, "Quite useful"),
    (4, "Useful"),
    (5, "Very useful"),
]

STARS_MISSING = "Select how useful this page is"
STARS_INVALID = "Select how useful this page is, from 1 star to 5 stars"
COMMENT_TOO_LONG = f"Your comment must be {COMMENT_MAX} characters or fewer"


class _CommentField(forms.CharField):
    """Counts characters as people see them: browsers send each line break as two
    characters, which the character count on the page counts as one."""

    def to_python(self, value: Any) -> str:
        return super().to_python(value).replace("\r\n", "\n")


class RatingForm(forms.Form):
    """ "Is this page useful?": 1 to 5 stars, an optional comment, and a field only robots see
    (`website`): a form that fills it in is treated as spam."""

    stars = forms.TypedChoiceField(
        choices=STAR_CHOICES,
        coerce=int,
        error_messages={"required": STARS_MISSING, "invalid_choice": STARS_INVALID},
    )
    comment = _CommentField(
        required=False,
        max_length=COMMENT_MAX,
        error_messages={"max_length": COMMENT_TOO_LONG},
    )
    website = forms.CharField(required=False)

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def star_choices(self) -> list[dict[str, Any]]:
        """The radios, with whether each is chosen (so what was sent is shown again)."""
        chosen = str(self["stars"].value() or "")
        return [
            {"value": value, "label": label, "checked": str(value) == chosen}
            for value, label in STAR_CHOICES
        ]


class RejectCommentForm(forms.Form):
    reason = forms.ChoiceField(
        choices=list(REJECTION_REASONS.items()),
        error_messages={
            "required": "Select why you are rejecting this comment",
            "invalid_choice": "Select why you are rejecting this comment",
        },
    )


class RatingsFilterForm(forms.Form):
    """The editors' table: its order and whether to show only listings with comments waiting.
    Anything unexpected falls back to the defaults rather than failing."""

    sort = forms.ChoiceField(choices=list(SORTS.items()), required=False)
    waiting = forms.BooleanField(required=False)

    def values(self) -> tuple[str, bool]:
        if not self.is_valid():
            return "lowest", False
        return self.cleaned_data["sort"] or "lowest", self.cleaned_data["waiting"]
