"""Forms for the practitioner's day, recording a conversation, finding the person at a
drop-in, and the satisfaction survey. They parse what was typed; the services in
services/conversations.py check the rest (dates, outcomes against attendance, one answer)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import Q

from alongside.core.forms import GovDateField, text_field
from alongside.directory.models import PUBLIC_STATES, Service

from ..models import Conversation
from ..services.conversations import COMMENT_MAX, SCORE_CHOICES, outcome_labels

LONG_TEXT = 5000
LISTING_RESULTS = 20
A = Conversation.Attendance


def _text(label: str, hint: str = "") -> forms.CharField:
    field = text_field(f"{label} (optional)", LONG_TEXT, name=label, help_text=hint, textarea=True)
    field.widget.attrs["rows"] = 4
    return field


class DayForm(forms.Form):
    """Which day to show on the practitioner's day page."""

    on = GovDateField(name="Date", label="Show another day", help_text="For example, 27 3 2026")


def listing_search(query: str, *, limit: int = LISTING_RESULTS) -> list[Service]:
    """Published listings whose name, provider or summary has every word typed."""
    words = [w for w in re.split(r"\s+", query.strip()) if w][:8]
    if not words:
        return []
    listings = Service.objects.filter(state__in=PUBLIC_STATES).select_related("provider")
    for word in words:
        listings = listings.filter(
            Q(name__icontains=word) | Q(provider__name__icontains=word) | Q(summary__icontains=word)
        )
    return list(listings.order_by("name")[:limit])


class ConversationForm(forms.Form):
    """What happened at the conversation. At a drop-in the person is there, so attendance is
    not asked. Listings are chosen from a directory search run by the "Search" button, which
    posts the form without saving it (so nothing typed is lost)."""

    attendance = forms.ChoiceField(
        label="Did the person come?",
        choices=A.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether the person came",
            "invalid_choice": "Choose whether the person came",
        },
    )
    what_matters = _text("What matters to the person", "In their own words")
    strengths = _text("Their strengths", "What they are good at, what they enjoy, what helps")
    people_around = _text("The people around them", "Family, friends, neighbours, groups")
    notes = _text("Notes")
    outcomes = forms.MultipleChoiceField(
        label="Outcomes of the conversation",
        help_text="Tick all that apply. Leave empty if the person did not come.",
        choices=outcome_labels(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose outcomes from the list"},
    )
    listing_query = text_field(
        "Search the directory (optional)",
        200,
        name="Search",
        help_text="The name of a group, activity or organisation, for example walking group",
    )
    listings = forms.MultipleChoiceField(
        label="Community activities they were connected to",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose listings from the search results"},
    )
    send_survey = forms.BooleanField(
        label="Send them the short survey about how helpful the conversation was",
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        booked: bool = True,
        survey_to: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.booked = booked
        if not booked:
            del self.fields["attendance"]
            self.fields["outcomes"].help_text = "Tick all that apply."
        if survey_to:
            self.fields["send_survey"].help_text = f"We will send the link to {survey_to}"
        else:
            del self.fields["send_survey"]
        self.searched = False
        self.search_results: list[Service] = []
        chosen_ids = self.data.getlist("listings") if self.is_bound else []
        chosen = list(
            Service.objects.filter(pk__in=_valid_ids(chosen_ids), state__in=PUBLIC_STATES)
            .select_related("provider")
            .order_by("name")
        )
        query = (self.data.get("listing_query") or "").strip()[:200] if self.is_bound else ""
        if query and self.is_bound and self.data.get("action") == "search":
            self.searched = True
            self.search_results = [s for s in listing_search(query) if s not in chosen]
        self.listing_options = chosen + self.search_results
        self.chosen_ids = {str(s.pk) for s in chosen}
        self.fields["listings"].choices = [(str(s.pk), s.name) for s in self.listing_options]

    @property
    def is_search(self) -> bool:
        return self.is_bound and self.data.get("action") == "search"

    def clean_listings(self) -> list[Service]:
        wanted = set(self.cleaned_data["listings"])
        return [s for s in self.listing_options if str(s.pk) in wanted]

    def attendance_value(self) -> str:
        return self.cleaned_data["attendance"] if self.booked else A.ATTENDED

    def service_fields(self) -> dict[str, Any]:
        """The keyword arguments for conversation_record, from the cleaned data."""
        data = self.cleaned_data
        return {
            "attendance": self.attendance_value(),
            "what_matters": data["what_matters"],
            "strengths": data["strengths"],
            "people_around": data["people_around"],
            "notes": data["notes"],
            "outcomes": data["outcomes"],
            "listings": data["listings"],
            "send_survey": bool(data.get("send_survey")),
        }


def _valid_ids(values: list[str]) -> list[str]:
    import uuid

    ids = []
    for value in values[:50]:
        try:
            ids.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return ids


class SurveyForm(forms.Form):
    """The satisfaction survey: how helpful (1 to 5, with words) and an optional comment.
    Used by the public page and by staff typing in a paper form."""

    score = forms.TypedChoiceField(
        label="How helpful was your conversation?",
        choices=[(str(value), words) for value, words in SCORE_CHOICES],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how helpful your conversation was",
            "invalid_choice": "Choose how helpful your conversation was",
        },
    )
    comment = text_field(
        "Is there anything you want to tell us? (optional)",
        COMMENT_MAX,
        name="Your comment",
        help_text="For example, what went well or what we could do better",
        textarea=True,
    )
    # A field people cannot see: robots fill it in.
    website = forms.CharField(required=False, label="Leave this empty")

    def __init__(self, *args: Any, paper: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comment"].widget.attrs["rows"] = 5
        if paper:
            del self.fields["website"]
            self.fields["score"].label = "How helpful did they say the conversation was?"
            self.fields["score"].error_messages["required"] = "Choose the answer on the form"
            self.fields["comment"].label = "Their comment (optional)"
            self.fields["comment"].help_text = "Type it as they wrote it"

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))
