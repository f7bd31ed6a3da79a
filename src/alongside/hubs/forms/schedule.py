"""Forms for hubs, sessions and closures. They parse what people type; the services in
services/schedule.py check it against the hub, the team and today, and save."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError

from alongside.accounts.models import Team, User
from alongside.core.forms import GovDateField, template_form_helper, text_field

from ..models import Hub, Session
from ..services.schedule import (
    FREQUENCIES,
    MONTHLY,
    NTH,
    WEEKDAYS,
    rrule_build,
    rrule_parse,
    rrule_validate,
)

TIME_MESSAGE = "like 9:30am, 2pm or 14:00"
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


def parse_time(text: str, *, name: str) -> dt.time:
    """'9:30', '09.30', '2pm', '2:15 pm', '14:00' (a bare '14' is ambiguous and refused)."""
    message = f"Enter the {name.lower()} {TIME_MESSAGE}"
    cleaned = re.sub(r"\s+", " ", (text or "").strip().lower().replace("noon", "pm"))
    match = _TIME.match(cleaned)
    if not match or (match[2] is None and match[3] is None):
        raise ValidationError(message)
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half:
        if not 1 <= hour <= 12:
            raise ValidationError(message)
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValidationError(message)
    return dt.time(hour, minute)


def format_time(value: dt.time) -> str:
    """14:05 as '2:05pm', 9:00 as '9am'."""
    hour = value.hour % 12 or 12
    half = "am" if value.hour < 12 else "pm"
    return f"{hour}:{value.minute:02d}{half}" if value.minute else f"{hour}{half}"


class TimeField(forms.CharField):
    """A time of day typed as people write it."""

    def __init__(self, *, name: str, **kwargs: Any) -> None:
        self.name = name
        kwargs.setdefault("max_length", 10)
        kwargs["error_messages"] = {
            "required": f"Enter the {name.lower()}",
            "max_length": f"Enter the {name.lower()} {TIME_MESSAGE}",
        }
        kwargs.setdefault("widget", forms.TextInput(attrs={"spellcheck": "false"}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return format_time(value) if isinstance(value, dt.time) else value

    def clean(self, value: Any) -> dt.time | None:  # type: ignore[override]
        text = super().clean(value)
        return parse_time(text, name=self.name) if text else None


def _whole(label: str, *, name: str, low: int, high: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
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


def _yes_no(label: str, message: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


# --- hubs ---------------------------------------------------------------------------------------


class VenueSearchForm(forms.Form):
    """Find a directory venue by name (a GET form)."""

    q = forms.CharField(
        label="Venue name",
        required=False,
        max_length=100,
        help_text="Part of the name is enough, for example library",
        error_messages={"max_length": "Venue name must be 100 characters or fewer"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(Field.text("q"), Submit("search", "Search the directory"))


class HubForm(forms.Form):
    """A hub's details. When adding, the venue is chosen first; when editing, the form also
    asks whether the hub is still holding Talking Points."""

    name = text_field(
        "Name of the hub",
        200,
        required=True,
        required_message="Enter the hub's name",
        name="Name",
        help_text="What people will see, for example Acomb Explore Library",
    )
    team = forms.ChoiceField(
        label="Team running the hub",
        error_messages={
            "required": "Choose the team running the hub",
            "invalid_choice": "Choose a team you lead",
        },
    )
    step_free = forms.BooleanField(label="Step-free access", required=False)
    hearing_loop = forms.BooleanField(label="Hearing loop", required=False)
    interpreters = forms.BooleanField(
        label="Interpreters can be arranged (face to face or by phone)", required=False
    )
    directions = text_field(
        "How to get there (optional)",
        2000,
        name="How to get there",
        help_text="Buses, parking and which door to use",
        textarea=True,
    )
    is_active = _yes_no(
        "Is this hub holding Talking Points?", "Choose whether the hub is holding Talking Points"
    )

    def __init__(self, *args: Any, teams: Sequence[Team], editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.teams = {str(team.pk): team for team in teams}
        self.fields["team"].choices = [(pk, team.name) for pk, team in self.teams.items()]
        parts: list[Any] = [Field.text("name"), Field.select("team")]
        parts.append(Field.checkbox("step_free", small=True))
        parts.append(Field.checkbox("hearing_loop", small=True))
        parts.append(Field.checkbox("interpreters", small=True))
        parts.append(Field.textarea("directions", rows=3))
        if editing:
            parts.append(Field.radios("is_active", legend_size=Size.SMALL, inline=True))
        else:
            del self.fields["is_active"]
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            *parts, Submit("submit", "Save the hub" if editing else "Add the hub")
        )

    def values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        values["team"] = self.teams[values["team"]]
        return values


def hub_initial(hub: Hub) -> dict[str, Any]:
    return {
        "name": hub.name,
        "team": str(hub.team_id),
        "step_free": hub.step_free,
        "hearing_loop": hub.hearing_loop,
        "interpreters": hub.interpreters,
        "directions": hub.directions,
        "is_active": "yes" if hub.is_active else "no",
    }


# --- sessions -----------------------------------------------------------------------------------


class SessionForm(forms.Form):
    """A session: what kind, how often, when, how long each conversation is, how many people
    are seen at once, and who holds the conversations."""

    kind = forms.ChoiceField(
        label="What kind of session is it?",
        choices=Session.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the kind of session",
            "invalid_choice": "Choose the kind of session",
        },
    )
    frequency = forms.ChoiceField(
        label="How often does it happen?",
        choices=FREQUENCIES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how often the session happens",
            "invalid_choice": "Choose how often the session happens",
        },
    )
    weekdays = forms.MultipleChoiceField(
        label="On which days?",
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one day",
            "invalid_choice": "Choose days from the list",
        },
    )
    nth = forms.TypedChoiceField(
        label="For monthly sessions: which week of the month?",
        choices=NTH,
        coerce=int,
        required=False,
        initial=1,
        error_messages={"invalid_choice": "Choose which week of the month"},
    )
    starts_on = GovDateField(
        name="First date", label="First date", help_text="For example, 12 1 2027"
    )
    ends_on = GovDateField(
        name="Last date",
        label="Last date (optional)",
        required=False,
        help_text="Leave empty if the session carries on",
    )
    start_time = TimeField(name="Start time", label="Start time", help_text="For example, 10am")
    end_time = TimeField(name="End time", label="End time", help_text="For example, 1pm")
    appointment_minutes = _whole(
        "Length of each conversation, in minutes",
        name="Length of each conversation",
        low=10,
        high=240,
    )
    capacity = _whole(
        "How many people can be seen at the same time?",
        name="People seen at the same time",
        low=1,
        high=20,
    )
    practitioners = forms.MultipleChoiceField(
        label="Practitioners (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="People in the hub's team who hold Talking Point conversations",
        error_messages={"invalid_choice": "Choose practitioners from the hub's team"},
    )
    public_booking = forms.BooleanField(
        label="Residents can book this session online", required=False
    )

    rrule_fields = ("frequency", "weekdays", "nth")

    def __init__(self, *args: Any, practitioners: Sequence[User], editing: bool = False, **kw):
        super().__init__(*args, **kw)
        self.people = {str(user.pk): user for user in practitioners}
        self.fields["practitioners"].choices = [
            (pk, user.full_name or user.email) for pk, user in self.people.items()
        ]
        parts: list[Any] = [
            Field.radios("kind", legend_size=Size.SMALL, small=True),
            Field.radios("frequency", legend_size=Size.SMALL, small=True),
            Field.checkboxes("weekdays", legend_size=Size.SMALL, small=True),
            Field.select("nth"),
            Field("starts_on"),
            Field("ends_on"),
            Field.text("start_time", field_width=5),
            Field.text("end_time", field_width=5),
            Field.text("appointment_minutes", field_width=3),
            Field.text("capacity", field_width=2),
        ]
        if self.people:
            parts.append(Field.checkboxes("practitioners", legend_size=Size.SMALL, small=True))
        parts.append(Field.checkbox("public_booking", small=True))
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            *parts, Submit("submit", "Save the session" if editing else "Add the session")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("frequency") and data.get("weekdays"):
            rule = rrule_build(
                frequency=data["frequency"],
                weekdays=data["weekdays"],
                nth=(data.get("nth") or 1) if data["frequency"] == MONTHLY else None,
            )
            try:
                data["rrule"] = rrule_validate(rule, starts_on=data.get("starts_on"))
            except ValidationError as error:
                self.add_error("frequency", error.message_dict["rrule"])
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "rrule": data["rrule"],
            "starts_on": data["starts_on"],
            "ends_on": data.get("ends_on"),
            "start_time": data["start_time"],
            "end_time": data["end_time"],
            "appointment_minutes": data["appointment_minutes"],
            "capacity": data["capacity"],
            "practitioners": [self.people[pk] for pk in data.get("practitioners") or []],
            "public_booking": data.get("public_booking", False),
        }


def session_initial(session: Session) -> dict[str, Any]:
    rule = rrule_parse(session.rrule) or {}
    return {
        "kind": session.kind,
        "frequency": rule.get("frequency", ""),
        "weekdays": rule.get("weekdays", []),
        "nth": rule.get("nth") or 1,
        "starts_on": session.starts_on,
        "ends_on": session.ends_on,
        "start_time": session.start_time,
        "end_time": session.end_time,
        "appointment_minutes": session.appointment_minutes,
        "capacity": session.capacity,
        "practitioners": [str(user.pk) for user in session.practitioners.all()],
        "public_booking": session.public_booking,
    }


# --- closures -----------------------------------------------------------------------------------

EVERY_HUB = "every"


class ClosureForm(forms.Form):
    """Days with no Talking Points: at every hub (a bank holiday) or at one hub."""

    hub = forms.ChoiceField(
        label="Where?",
        error_messages={
            "required": "Choose where there are no Talking Points",
            "invalid_choice": "Choose a hub you manage, or every hub",
        },
    )
    starts_on = GovDateField(
        name="First day", label="First day", help_text="For example, 25 12 2026"
    )
    ends_on = GovDateField(
        name="Last day",
        label="Last day",
        help_text="The same as the first day for a single day",
    )
    reason = text_field(
        "Reason",
        200,
        required=True,
        required_message="Enter why there are no Talking Points then",
        help_text="People who are booked will be told this, for example Christmas Day",
    )

    def __init__(
        self, *args: Any, hubs: Sequence[Hub], every_hub: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.hubs = {str(hub.pk): hub for hub in hubs}
        choices = [(EVERY_HUB, "Every hub (for example a bank holiday)")] if every_hub else []
        self.fields["hub"].choices = choices + [(pk, hub.name) for pk, hub in self.hubs.items()]
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.select("hub"),
            Field("starts_on"),
            Field("ends_on"),
            Field.text("reason"),
            Submit("submit", "Add the closure"),
        )

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "hub": self.hubs.get(data["hub"]),
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "reason": data["reason"],
        }


class CancelDayForm(forms.Form):
    """One day of a session cancelled, with the reason people booked are told."""

    day = GovDateField(name="Date", label="Date", help_text="For example, 8 12 2026")
    reason = text_field(
        "Reason",
        200,
        required=True,
        required_message="Enter why the session is cancelled",
        help_text="People who are booked will be told this",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field("day"), Field.text("reason"), Submit("submit", "Cancel the session that day")
        )
