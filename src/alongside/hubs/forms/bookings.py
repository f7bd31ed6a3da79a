"""Staff forms for booking: the slot search, the booking itself, cancelling, the bookings
list filter and the waiting list. They parse what was typed; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.core.forms import text_field

from ..models import AccessNeed, Booking, Hub, Session

NEAREST = "nearest"
ANY_HUB = ""


def _needs_field(label: str = "Access needs") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=AccessNeed.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only hubs that meet every need are shown",
        error_messages={"invalid_choice": "Choose access needs from the list"},
    )


class SearchForm(forms.Form):
    """Find free slots. Anything unexpected falls back to the next eight weeks, any hub."""

    start = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
        ),
        error_messages={"invalid": "Enter a real date, like 2025-03-27"},
    )
    kind = forms.ChoiceField(
        label="Kind of appointment",
        required=False,
        choices=[c for c in Session.Kind.choices if c[0] != Session.Kind.DROP_IN],
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    hub = forms.ChoiceField(
        label="Where", required=False, widget=forms.Select(attrs={"class": "govuk-select"})
    )
    needs = _needs_field()

    def __init__(self, *args: Any, hubs: list[Hub], near_ward: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(ANY_HUB, "Any hub, soonest first")]
        if near_ward is not None:
            choices.insert(0, (NEAREST, f"Nearest to {near_ward.name}"))
        choices += [(str(h.pk), h.name) for h in hubs]
        self.fields["hub"].choices = choices

    def clean_start(self) -> dt.date:
        value = self.cleaned_data.get("start")
        today = timezone.localdate()
        if value is not None and value < today:
            raise ValidationError("The date must be today or in the future")
        return value or today


class BookForm(forms.Form):
    """Book the chosen slot, with what the practitioner should know."""

    slot = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": "Choose a time"}
    )
    access_needs = _needs_field()
    interpreter_language = text_field(
        "Language for the interpreter (optional)", 60, name="Language"
    )
    notes = text_field(
        "Anything the practitioner should know (optional)", 500, name="Notes", textarea=True
    )
    waiting = forms.UUIDField(required=False, widget=forms.HiddenInput)


class WaitingAddForm(forms.Form):
    hub = forms.ChoiceField(
        label="Hub",
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"required": "Choose a hub", "invalid_choice": "Choose a hub from the list"},
    )
    kind = forms.ChoiceField(choices=Session.Kind.choices, required=False, widget=forms.HiddenInput)
    access_needs = _needs_field()

    def __init__(self, *args: Any, hubs: list[Hub], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hub"].choices = [("", "Choose a hub")] + [(str(h.pk), h.name) for h in hubs]


class CancelForm(forms.Form):
    cancelled_by = forms.ChoiceField(
        label="Who is cancelling?",
        choices=[
            (Booking.CancelledBy.PERSON, "The person asked us to cancel"),
            (Booking.CancelledBy.STAFF, "We are cancelling it"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who is cancelling"},
    )
    reason = text_field(
        "Why is it cancelled?",
        200,
        required=True,
        required_message="Enter why the booking is cancelled",
        name="Reason",
    )


class BookingFilterForm(forms.Form):
    hub = forms.ChoiceField(
        label="Hub", required=False, widget=forms.Select(attrs={"class": "govuk-select"})
    )
    start = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
        ),
    )

    def __init__(self, *args: Any, hubs: list[Hub], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hub"].choices = [("", "Every hub")] + [(str(h.pk), h.name) for h in hubs]

    def values(self) -> tuple[str, dt.date]:
        if not self.is_valid():
            return "", timezone.localdate()
        return self.cleaned_data["hub"], self.cleaned_data["start"] or timezone.localdate()


class WaitingRemoveForm(forms.Form):
    entry = forms.UUIDField(widget=forms.HiddenInput)
    reason = text_field(
        "Why are they coming off the list?",
        200,
        required=True,
        required_message="Enter why they are coming off the list",
        name="Reason",
    )
