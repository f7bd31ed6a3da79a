"""Forms for introductions, an episode's status, level, worker and closing, and a worker's
capacity. They parse what staff type; the services check it against the episode and save."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import (
    ConditionalQuestion,
    ConditionalRadios,
    Field,
    Fieldset,
    Layout,
    Size,
    Submit,
)
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.accounts.models import User
from alongside.core.forms import GovDateField, template_form_helper, text_field
from alongside.core.models import Ward

from ..caseloads import Load
from ..models import DiversionKind, Episode, Introduction, IntroductionReason
from ..programmes import CaseworkProgramme
from ..services.caseloads import MAX_LEVEL2_CAPACITY
from ..services.episodes import DiversionEntry, IntroductionDetails

NOT_RELEVANT = "not_relevant"


def _not_in_future(value: dt.date | None, name: str) -> dt.date | None:
    if value and value > timezone.localdate():
        raise ValidationError(f"{name} must be today or in the past")
    return value


class RevealingChoice(ConditionalQuestion):
    """A radio of a ConditionalRadios that may reveal a question when chosen."""

    template = "casework/introduction_conditional_radio.html"


def _choices_revealing(choices: Sequence[tuple[Any, Any]], other: str, field: str) -> list[Any]:
    """The radios of a field, the `other` one revealing a text question."""
    return [
        RevealingChoice(str(label), Field.text(field))
        if value == other
        else RevealingChoice(str(label))
        for value, label in choices
    ]


class IntroductionForm(forms.Form):
    """Step 2 of recording an introduction: who introduced the person, why, where and when."""

    programme = forms.ChoiceField(
        label="Which programme is the introduction for?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a programme",
            "invalid_choice": "Choose a programme from the list",
        },
    )
    source = forms.ChoiceField(
        label="Who introduced them?",
        choices=Introduction.Source.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who introduced them",
            "invalid_choice": "Choose who introduced them",
        },
    )
    source_other = text_field("Who was it?", 150, name="Who introduced them")
    introducer_name = text_field(
        "Name of the person who introduced them (optional)", 150, name="The introducer's name"
    )
    introducer_organisation = text_field(
        "Their organisation (optional)", 150, name="The introducer's organisation"
    )
    introducer_contact = text_field(
        "How to reach them (optional)",
        200,
        name="How to reach the introducer",
        help_text="A phone number or email address",
    )
    reasons = forms.MultipleChoiceField(
        label="Why were they introduced?",
        help_text="Select all that apply",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one reason",
            "invalid_choice": "Choose reasons from the list",
        },
    )
    reasons_other = text_field(
        "If you chose other, what is the reason?", 200, name="The other reason"
    )
    ward = forms.ModelChoiceField(
        label="Which ward do they live in?",
        queryset=Ward.objects.order_by("name"),
        required=False,
        empty_label="Not known",
        help_text="The team that covers this ward will work with them",
        error_messages={"invalid_choice": "Choose a ward from the list"},
    )
    received_on = GovDateField(
        name="Date of the introduction",
        label="When were they introduced?",
        help_text="For example, 27 3 2025",
    )
    notes = text_field(
        "What did the introducer tell us? (optional)",
        5000,
        name="What the introducer told us",
        textarea=True,
    )
    worker = forms.ChoiceField(
        label="Who will walk alongside them? (optional)",
        required=False,
        help_text="Leave this to give it to you when you work in the ward's team, or else to "
        "the team's worker with the fewest people",
        error_messages={"invalid_choice": "Choose someone from the list"},
    )

    def __init__(
        self,
        *args: Any,
        programmes: Sequence[CaseworkProgramme],
        workers: Sequence[User],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("received_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.programmes = list(programmes)
        self.fields["programme"].choices = [(p.code, p.name) for p in self.programmes]
        if len(self.programmes) == 1:
            # Only one programme: nothing to ask.
            self.fields["programme"].required = False
            self.fields["programme"].widget = forms.HiddenInput()
        self.fields["reasons"].choices = [
            (r.code, r.label) for r in IntroductionReason.objects.filter(is_active=True)
        ]
        self.workers = {str(u.pk): u for u in workers}
        self.fields["worker"].choices = [("", "Choose for me")] + [
            (pk, u.full_name) for pk, u in self.workers.items()
        ]
        source_choices = _choices_revealing(
            Introduction.Source.choices, Introduction.Source.OTHER, "source_other"
        )
        parts: list[Any] = []
        if len(self.programmes) > 1:
            parts.append(Field.radios("programme", legend_size=Size.MEDIUM))
        parts += [
            ConditionalRadios("source", *source_choices),
            Fieldset(
                Field.text("introducer_name", field_width=20),
                Field.text("introducer_organisation", field_width=20),
                Field.text("introducer_contact", field_width=20),
                legend="About the introducer",
                legend_size=Size.MEDIUM,
            ),
            Field.checkboxes("reasons", legend_size=Size.MEDIUM, small=True),
            Field.text("reasons_other"),
            Field.select("ward"),
            Field("received_on"),
            Field.textarea("notes", rows=5, label_size=Size.SMALL),
            Field.select("worker"),
            Submit("submit", "Record the introduction"),
        ]
        self.helper = template_form_helper()
        self.helper.layout = Layout(*parts)

    def clean_programme(self) -> str:
        value = self.cleaned_data.get("programme", "")
        if not value and len(self.programmes) == 1:
            return self.programmes[0].code
        return value

    def clean_received_on(self) -> dt.date | None:
        return _not_in_future(self.cleaned_data.get("received_on"), "The date of the introduction")

    def clean_worker(self) -> User | None:
        value = self.cleaned_data.get("worker")
        return self.workers[value] if value else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("source") == Introduction.Source.OTHER and not data.get("source_other"):
            self.add_error("source_other", "Say who introduced them")
        if "other" in data.get("reasons", []) and not data.get("reasons_other"):
            self.add_error("reasons_other", "Say what the other reason is")
        return data

    def details(self) -> IntroductionDetails:
        """What the introduction service takes."""
        data = self.cleaned_data
        source = data["source"]
        reasons = data["reasons"]
        return IntroductionDetails(
            source=source,
            source_other=data["source_other"] if source == Introduction.Source.OTHER else "",
            reasons=reasons,
            reasons_other=data["reasons_other"] if "other" in reasons else "",
            received_on=data["received_on"],
            introducer_name=data["introducer_name"],
            introducer_organisation=data["introducer_organisation"],
            introducer_contact=data["introducer_contact"],
            notes=data["notes"],
        )


STATUS_HINTS = {
    Episode.Status.CONTACTED: "You have reached them",
    Episode.Status.ACTIVE: "You are walking alongside them",
    Episode.Status.PAUSED: "Support is on hold for now",
    Episode.Status.CLOSING: "Support is ending. Then fill in the closing form",
}


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(
        label="What is the status now?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the new status",
            "invalid_choice": "Choose a status from the list",
        },
    )
    note = text_field("Note (optional)", 2000, name="The note", textarea=True)

    def __init__(self, *args: Any, statuses: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Episode.Status.choices)
        self.fields["to_status"].choices = [
            Choice(s, labels[s], hint=STATUS_HINTS.get(s, "")) for s in statuses
        ]
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.radios("to_status", legend_size=Size.MEDIUM),
            Field.textarea("note", rows=3),
            Submit("submit", "Change status"),
        )


class LevelForm(forms.Form):
    level = forms.TypedChoiceField(
        label="Which level of support is right now?",
        choices=Episode.Level.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose Level 1 or Level 2",
            "invalid_choice": "Choose Level 1 or Level 2",
        },
    )
    reason = text_field(
        "Why is the level changing?",
        2000,
        name="The reason",
        required=True,
        required_message="Enter why the level is changing",
        textarea=True,
    )

    def __init__(self, *args: Any, current: int, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"level": 2 if current == 1 else 1})
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.radios("level", legend_size=Size.MEDIUM),
            Field.textarea("reason", rows=3, label_size=Size.SMALL),
            Submit("submit", "Change level"),
        )


class HandoverForm(forms.Form):
    """Hand the episode to another worker. When they are at or over their Level 2 capacity
    the page asks once more: `confirmed_worker` carries who was confirmed."""

    worker = forms.ChoiceField(
        label="Who will walk alongside them now?",
        error_messages={
            "required": "Choose who will work with them",
            "invalid_choice": "Choose someone from the list",
        },
    )
    note = text_field(
        "Handover note",
        2000,
        name="The handover note",
        required=True,
        required_message="Enter a handover note",
        help_text="What the new worker needs to know. It is kept in the history",
        textarea=True,
    )
    confirmed_worker = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        workers: Sequence[User],
        loads: dict[Any, Load],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.workers = {str(u.pk): u for u in workers}
        choices = [("", "Choose someone")]
        for pk, user in self.workers.items():
            load = loads.get(user.pk)
            hint = f" (Level 2: {load.level2} of {load.capacity})" if load else ""
            choices.append((pk, f"{user.full_name}{hint}"))
        self.fields["worker"].choices = choices
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.select("worker"),
            Field.textarea("note", rows=4),
            "confirmed_worker",
            Submit("submit", "Hand over"),
        )

    def clean_worker(self) -> User:
        return self.workers[self.cleaned_data["worker"]]

    def confirmed(self) -> bool:
        worker = self.cleaned_data.get("worker")
        return worker is not None and self.cleaned_data.get("confirmed_worker") == str(worker.pk)


EFFECT_CHOICES = [
    (NOT_RELEVANT, "Not relevant"),
    ("avoided", "Avoided"),
    ("delayed", "Delayed"),
]


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is support ending?",
        choices=Episode.CloseReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose why support is ending",
            "invalid_choice": "Choose why support is ending",
        },
    )
    reason_other = text_field("What is the reason?", 200, name="The reason")
    outcome_in_own_words = text_field(
        "What changed, in their own words?",
        5000,
        name="What changed",
        required=True,
        required_message="Enter what changed, in the person's own words",
        help_text="Write what they said, as they said it",
        textarea=True,
    )
    closed_on = GovDateField(
        name="Closing date",
        label="When did support end?",
        help_text="For example, 27 3 2025",
    )

    def __init__(self, *args: Any, kinds: Sequence[DiversionKind], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("closed_on", timezone.localdate())
        self.kinds = list(kinds)
        for kind in self.kinds:
            kwargs["initial"].setdefault(f"diversion_{kind.code}", NOT_RELEVANT)
        super().__init__(*args, **kwargs)
        diversion_parts: list[Any] = []
        for kind in self.kinds:
            effect, note = f"diversion_{kind.code}", f"diversion_note_{kind.code}"
            self.fields[effect] = forms.ChoiceField(
                label=kind.label,
                choices=EFFECT_CHOICES,
                required=False,  # not answered: not relevant
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Say whether {kind.label.lower()} was avoided or delayed",
                    "invalid_choice": f"Say whether {kind.label.lower()} was avoided or delayed",
                },
            )
            self.fields[note] = text_field(
                f"Note about {kind.label.lower()} (optional)", 300, name="The note"
            )
            diversion_parts += [
                Field.radios(effect, legend_size=Size.SMALL, small=True, inline=True),
                Field.text(note),
            ]
        reasons = _choices_revealing(
            Episode.CloseReason.choices, Episode.CloseReason.OTHER, "reason_other"
        )
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            ConditionalRadios("reason", *reasons),
            Field.textarea("outcome_in_own_words", rows=5, label_size=Size.SMALL),
            Field("closed_on"),
            Fieldset(
                *diversion_parts,
                legend="Which needs did the support avoid or delay?",
                legend_size=Size.MEDIUM,
            ),
            Submit("submit", "Close support"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("reason") == Episode.CloseReason.OTHER and not data.get("reason_other"):
            self.add_error("reason_other", "Say why support is ending")
        return data

    def clean_closed_on(self) -> dt.date | None:
        return _not_in_future(self.cleaned_data.get("closed_on"), "The closing date")

    def diversions(self) -> list[DiversionEntry]:
        entries = []
        for kind in self.kinds:
            effect = self.cleaned_data.get(f"diversion_{kind.code}")
            if effect and effect != NOT_RELEVANT:
                entries.append(
                    DiversionEntry(
                        kind=kind.code,
                        effect=effect,
                        note=self.cleaned_data.get(f"diversion_note_{kind.code}", ""),
                    )
                )
        return entries


class CapacityForm(forms.Form):
    level2_capacity = forms.IntegerField(
        label="How many Level 2 episodes can they hold?",
        min_value=0,
        max_value=MAX_LEVEL2_CAPACITY,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the Level 2 capacity",
            "invalid": "Level 2 capacity must be a whole number, like 45",
            "min_value": "Level 2 capacity must be 0 or more",
            "max_value": f"Level 2 capacity must be {MAX_LEVEL2_CAPACITY} or fewer",
        },
    )
    note = text_field(
        "Why is this their capacity?",
        200,
        name="The note",
        required=True,
        required_message="Enter a note about the capacity, for example 'Works 3 days a week'",
        help_text="For example, 'Works 3 days a week' or 'New in post until June'",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.text("level2_capacity", field_width=3, label_size=Size.MEDIUM),
            Field.text("note"),
            Submit("submit", "Save capacity"),
        )
