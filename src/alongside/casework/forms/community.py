"""Forms for work beside casework: community groups helped and system intelligence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.accounts.models import Team
from alongside.core.forms import GovDateField, template_form_helper, text_field
from alongside.core.models import Ward

from ..models import CommunityWork, SystemIntelligence

NOT_ONE_WARD = "Not about one ward"


def ward_choices(*, first: Iterable[Ward], others: Iterable[Ward]) -> list[Any]:
    """A select's choices: no ward, then the team's wards, then every other ward."""
    first = list(first)
    firsts = {w.pk for w in first}
    return [
        ("", NOT_ONE_WARD),
        ("Your team's wards", [(str(w.pk), w.name) for w in first]),
        ("Other wards", [(str(w.pk), w.name) for w in others if w.pk not in firsts]),
    ]


class _TeamWorkForm(forms.Form):
    """What community work and system intelligence share: the team (asked only when the
    worker is in more than one) and the ward, from a list with the team's wards first."""

    team = forms.ChoiceField(
        label="Which team is this for?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the team this is for",
            "invalid_choice": "Choose the team this is for",
        },
    )
    ward = forms.ChoiceField(
        label="Ward (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose a ward from the list"},
    )

    def __init__(
        self,
        *args: Any,
        teams: Sequence[Team],
        team_wards: Iterable[Ward],
        wards: Iterable[Ward],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {str(t.pk): t for t in teams}
        self.wards = {str(w.pk): w for w in wards}
        self.fields["team"].choices = [(pk, t.name) for pk, t in self.teams.items()]
        if len(self.teams) == 1:
            self.fields["team"].required = False
            self.fields["team"].widget = forms.HiddenInput()
        self.fields["ward"].choices = ward_choices(first=team_wards, others=self.wards.values())

    def team_part(self) -> list[Any]:
        return [Field.radios("team", legend_size=Size.MEDIUM)] if len(self.teams) > 1 else []

    def clean_team(self) -> Team | None:
        value = self.cleaned_data.get("team")
        if not value and len(self.teams) == 1:
            return next(iter(self.teams.values()))
        return self.teams.get(value)

    def clean_ward(self) -> Ward | None:
        value = self.cleaned_data.get("ward")
        return self.wards.get(value) if value else None

    def _not_future(self, name: str, what: str) -> dt.date | None:
        value = self.cleaned_data.get(name)
        if value and value > timezone.localdate():
            raise ValidationError(f"The {what} must be today or in the past")
        return value


class CommunityWorkForm(_TeamWorkForm):
    group_name = text_field(
        "Name of the group",
        200,
        name="The name of the group",
        help_text="Leave this blank if you choose the group from the directory below",
    )
    provider = forms.ChoiceField(
        label="The group in the directory (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose a group from the list"},
    )
    kind = forms.ChoiceField(
        label="What kind of help?",
        choices=CommunityWork.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the kind of help",
            "invalid_choice": "Choose the kind of help",
        },
    )
    what = text_field(
        "What did you do?",
        5000,
        name="What you did",
        required=True,
        required_message="Enter what you did",
        textarea=True,
    )
    happened_on = GovDateField(
        name="Date", label="When was it?", help_text="For example, 27 3 2026"
    )
    minutes = forms.IntegerField(
        label="Time spent, in minutes",
        min_value=0,
        max_value=24 * 60,
        initial=0,
        help_text="For example, 90 for an hour and a half",
        error_messages={
            "required": "Enter the time spent in minutes, like 90",
            "invalid": "Enter the time spent as a number of minutes, like 90",
            "min_value": "Time spent must be 0 minutes or more",
            "max_value": "Time spent must be 1,440 minutes (24 hours) or less",
        },
    )

    def __init__(self, *args: Any, providers: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.providers = {str(p.pk): p for p in providers}
        self.fields["provider"].choices = [
            ("", "Not in the directory"),
            *((pk, p.name) for pk, p in self.providers.items()),
        ]
        self.fields["minutes"].widget.attrs.update({"inputmode": "numeric"})
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            *self.team_part(),
            Field.text("group_name"),
            Field.select("provider"),
            Field.select("ward"),
            Field.radios("kind", legend_size=Size.MEDIUM, small=True),
            Field.textarea("what", rows=4, label_size=Size.MEDIUM),
            Field("happened_on"),
            Field.text("minutes", field_width=4),
            Submit("submit", "Save"),
        )

    def clean_provider(self) -> Any:
        value = self.cleaned_data.get("provider")
        return self.providers.get(value) if value else None

    def clean_happened_on(self) -> dt.date | None:
        return self._not_future("happened_on", "date")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        missing = not cleaned.get("group_name", "").strip() and not cleaned.get("provider")
        if missing and "group_name" not in self.errors and "provider" not in self.errors:
            self.add_error(
                "group_name", "Enter the name of the group, or choose it from the directory"
            )
        return cleaned


class SystemIntelligenceForm(_TeamWorkForm):
    kind = forms.ChoiceField(
        label="What did you see?",
        choices=SystemIntelligence.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what kind of thing you saw",
            "invalid_choice": "Choose what kind of thing you saw",
        },
    )
    service = text_field(
        "Which service or part of the system?",
        200,
        name="The service",
        required=True,
        required_message="Enter the service or part of the system",
        help_text="For example, adult social care front door, or GP repeat prescriptions",
    )
    description = text_field(
        "What happened?",
        5000,
        name="What happened",
        required=True,
        required_message="Enter what happened",
        help_text="Do not name the person or give details that could identify them",
        textarea=True,
    )
    noted_on = GovDateField(
        name="Date", label="When did you see it?", help_text="For example, 27 3 2026"
    )
    raised_with = text_field(
        "Who did you raise it with? (optional)",
        200,
        help_text="For example, the service manager, or the neighbourhood team meeting",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            *self.team_part(),
            Field.radios("kind", legend_size=Size.MEDIUM, small=True),
            Field.text("service"),
            Field.textarea("description", rows=5, label_size=Size.MEDIUM),
            Field.select("ward"),
            Field("noted_on"),
            Field.text("raised_with"),
            Submit("submit", "Save"),
        )

    def clean_noted_on(self) -> dt.date | None:
        return self._not_future("noted_on", "date")
