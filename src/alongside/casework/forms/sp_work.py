"""Forms for appointments, welfare call plans and calls, and the programme's outcome. They
parse what people type; the services (appointments.py, welfare.py, outcomes.py) check it
against the episode, the plan and today, and save."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from crispy_forms_gds.layout import ConditionalRadios, Field, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.accounts.models import User
from alongside.core.forms import GovDateField, template_form_helper, text_field

from ..models import Appointment, ProgrammeOutcome, WelfareCall, WelfareCallPlan
from ..services.appointments import MAX_MINUTES, MIN_MINUTES
from ..services.outcomes import DEFAULT_GP_MONTHS, MAX_GP_MONTHS, MAX_GP_VISITS
from ..services.welfare import WEEKDAYS
from .episodes import RevealingChoice

TIME_MESSAGE = "Enter the time like 9:30am, 2pm or 14:00"
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


def parse_time(text: str) -> dt.time:
    """'9:30', '09.30', '2pm', '2:15 pm', '14:00' (a bare '14' is ambiguous and refused)."""
    match = _TIME.match(re.sub(r"\s+", " ", (text or "").strip().lower().replace("noon", "pm")))
    if not match or (match[2] is None and match[3] is None):
        raise ValidationError(TIME_MESSAGE)
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half:
        if not 1 <= hour <= 12:
            raise ValidationError(TIME_MESSAGE)
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValidationError(TIME_MESSAGE)
    return dt.time(hour, minute)


def format_time(value: dt.time) -> str:
    """14:05 as '2:05pm', 9:00 as '9am' (GOV.UK style)."""
    hour = value.hour % 12 or 12
    half = "am" if value.hour < 12 else "pm"
    if value.minute:
        return f"{hour}:{value.minute:02d}{half}"
    return f"{hour}{half}"


class TimeField(forms.CharField):
    """A time of day typed as people write it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("required", "Enter the time of the appointment")
        kwargs["error_messages"].setdefault("max_length", TIME_MESSAGE)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> dt.time | None:  # type: ignore[override]
        text = super().clean(value)
        return parse_time(text) if text else None


def _whole(label: str, *, name: str, low: int, high: int, required: bool = True) -> Any:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=low,
        max_value=high,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": f"Enter {name.lower()}",
            "invalid": f"{name} must be a whole number",
            "min_value": f"{name} must be {low} or more",
            "max_value": f"{name} must be {high} or fewer",
        },
    )


def _radios(label: str, choices: Any, message: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


# --- appointments -------------------------------------------------------------------------------


class AppointmentForm(forms.Form):
    """Book an appointment, or (with `with_status`) record what happened and change it."""

    status = _radios("What happened?", Appointment.Status.choices, "Choose what happened")
    day = GovDateField(
        name="Date of the appointment", label="Date", help_text="For example, 27 3 2026"
    )
    time = TimeField(label="Time", help_text="For example, 9:30am, 2pm or 14:00")
    minutes = _whole(
        "How long, in minutes",
        name="How long the appointment is",
        low=MIN_MINUTES,
        high=MAX_MINUTES,
    )
    place = _radios("Where is it?", Appointment.Place.choices, "Choose where the appointment is")
    place_detail = text_field(
        "Where exactly (optional)",
        200,
        name="Where exactly",
        help_text="For example, the room at the practice, or the café where you will meet",
    )
    worker = forms.ChoiceField(
        label="Who will meet them?",
        error_messages={
            "required": "Choose who will meet them",
            "invalid_choice": "Choose someone from the list",
        },
    )
    notes = text_field(
        "Notes (optional)",
        300,
        name="Notes",
        help_text="For example, bring the leaflet about the walking group",
        textarea=True,
    )

    def __init__(
        self, *args: Any, workers: Sequence[User], with_status: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.workers = {str(u.pk): u for u in workers}
        self.fields["worker"].choices = [(pk, u.full_name) for pk, u in self.workers.items()]
        parts: list[Any] = []
        if with_status:
            parts.append(Field.radios("status", legend_size=Size.MEDIUM, small=True))
        else:
            del self.fields["status"]
        parts += [
            Field("day"),
            Field.text("time", field_width=5),
            Field.text("minutes", field_width=4),
            Field.radios("place", legend_size=Size.SMALL, small=True),
            Field.text("place_detail"),
            Field.select("worker"),
            Field.textarea("notes", rows=3),
        ]
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            *parts, Submit("submit", "Save the appointment" if with_status else "Book it")
        )

    def values(self) -> dict[str, Any]:
        """The service's arguments."""
        data = self.cleaned_data
        starts_at = timezone.make_aware(dt.datetime.combine(data["day"], data["time"]))
        values = {
            "starts_at": starts_at,
            "minutes": data["minutes"],
            "place": data["place"],
            "place_detail": data["place_detail"],
            "notes": data["notes"],
            "worker": self.workers[data["worker"]],
        }
        if "status" in self.fields:
            values["status"] = data["status"]
        return values


def appointment_initial(appointment: Appointment) -> dict[str, Any]:
    starts = timezone.localtime(appointment.starts_at)
    return {
        "status": appointment.status,
        "day": starts.date(),
        "time": format_time(starts.time()),
        "minutes": appointment.minutes,
        "place": appointment.place,
        "place_detail": appointment.place_detail,
        "worker": str(appointment.worker_id),
        "notes": appointment.notes,
    }


# --- welfare call plans -------------------------------------------------------------------------


class CallPlanForm(forms.Form):
    """Who calls, how often, when, and what they should know."""

    caller = forms.ChoiceField(
        label="Who will make the calls?",
        help_text="A welfare caller, someone in your team or in a volunteering team",
        error_messages={
            "required": "Choose who will make the calls",
            "invalid_choice": "Choose someone from the list",
        },
    )
    frequency = _radios("How often?", WelfareCallPlan.Frequency.choices, "Choose how often to call")
    weekday = forms.TypedChoiceField(
        label="Which day of the week?",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Choose a day"), *((str(n), day) for n, day in enumerate(WEEKDAYS))],
        error_messages={"invalid_choice": "Choose the day of the week to call"},
    )
    best_time = text_field(
        "Best time to call (optional)",
        100,
        name="Best time to call",
        help_text="For example, mornings before 11am",
    )
    starts_on = GovDateField(
        name="Date of the first call", label="First call", help_text="For example, 27 3 2026"
    )
    ends_on = GovDateField(
        name="Date of the last call",
        required=False,
        label="Last call (optional)",
        help_text="Leave empty to keep calling until the plan is ended",
    )
    notes = text_field(
        "What the caller should know (optional)",
        300,
        name="What the caller should know",
        help_text="The caller sees this, the person's first name and phone number, and "
        "nothing else about their support",
        textarea=True,
    )

    def __init__(self, *args: Any, callers: Sequence[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.callers = {str(u.pk): u for u in callers}
        self.fields["caller"].choices = [
            ("", "Choose someone"),
            *((pk, u.full_name) for pk, u in self.callers.items()),
        ]
        frequencies = [
            RevealingChoice(str(label), Field.select("weekday"))
            if value == WelfareCallPlan.Frequency.WEEKLY
            else RevealingChoice(str(label))
            for value, label in WelfareCallPlan.Frequency.choices
        ]
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.select("caller"),
            ConditionalRadios("frequency", *frequencies),
            Field.text("best_time"),
            Field("starts_on"),
            Field("ends_on"),
            Field.textarea("notes", rows=3),
            Submit("submit", "Save the plan"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("frequency") == WelfareCallPlan.Frequency.WEEKLY
            and data.get("weekday") is None
        ):
            self.add_error("weekday", "Choose the day of the week to call")
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "caller": self.callers[data["caller"]],
            "frequency": data["frequency"],
            "weekday": data["weekday"],
            "best_time": data["best_time"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "notes": data["notes"],
        }


class CallPlanEndForm(forms.Form):
    ends_on = GovDateField(
        name="Date of the last call",
        label="When is the last call?",
        help_text="Today or later. For example, 27 3 2026",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(Field("ends_on"), Submit("submit", "End the calls"))


class CallRecordForm(forms.Form):
    """What happened on a welfare call."""

    outcome = _radios("What happened?", WelfareCall.Outcome.choices, "Choose what happened")
    note = text_field(
        "Anything the link worker should know",
        2000,
        name="The note",
        help_text="Needed if you are worried. Write what they said and what worried you",
        textarea=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.radios("outcome", legend_size=Size.MEDIUM),
            Field.textarea("note", rows=4),
            Submit("submit", "Save the call"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("outcome") == WelfareCall.Outcome.CONCERN and not data.get("note", "").strip():
            self.add_error("note", "Say what worried you")
        return data


# --- the programme's outcome --------------------------------------------------------------------


class OutcomeForm(forms.Form):
    """What the person says about the support, and GP visits from the practice record."""

    goals_achieved = _radios(
        "Did they achieve their goals?",
        ProgrammeOutcome.Achieved.choices,
        "Choose whether they achieved their goals",
    )
    more_able = _radios(
        "“I feel more able to manage my own health and wellbeing”",
        ProgrammeOutcome.Agreement.choices,
        "Choose how much they agree that they feel more able to manage",
    )
    would_not_have = _radios(
        "“I would not have made these changes without my link worker”",
        ProgrammeOutcome.Agreement.choices,
        "Choose how much they agree that they would not have made these changes",
    )
    gp_months = _whole(
        "Months counted before and after",
        name="Months counted",
        low=1,
        high=MAX_GP_MONTHS,
    )
    gp_visits_before = _whole(
        "GP visits in those months before the referral (optional)",
        name="GP visits before",
        low=0,
        high=MAX_GP_VISITS,
        required=False,
    )
    gp_visits_after = _whole(
        "GP visits in those months after (optional)",
        name="GP visits after",
        low=0,
        high=MAX_GP_VISITS,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("gp_months", DEFAULT_GP_MONTHS)
        super().__init__(*args, **kwargs)
        self.fields["gp_months"].help_text = "From the practice record. Usually 6"
        self.fields["gp_visits_before"].help_text = "Enter both figures or neither"
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.radios("goals_achieved", legend_size=Size.SMALL, small=True, inline=True),
            Field.radios("more_able", legend_size=Size.SMALL, small=True),
            Field.radios("would_not_have", legend_size=Size.SMALL, small=True),
            Field.text("gp_months", field_width=3),
            Field.text("gp_visits_before", field_width=3),
            Field.text("gp_visits_after", field_width=3),
            Submit("submit", "Save the outcome"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        before, after = data.get("gp_visits_before"), data.get("gp_visits_after")
        if "gp_visits_before" in data and "gp_visits_after" in data:
            if before is None and after is not None:
                self.add_error(
                    "gp_visits_before", "Enter GP visits both before and after, or neither"
                )
            elif after is None and before is not None:
                self.add_error(
                    "gp_visits_after", "Enter GP visits both before and after, or neither"
                )
        return data
