"""The form for a contact on the timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms.layout import LayoutObject
from crispy_forms.utils import TEMPLATE_PACK, render_field
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from alongside.core.forms import GovDateField, template_form_helper, text_field

from ..models import Contact, Episode
from ..services.timeline import MAX_MINUTES, long_date


class RevealingCheckbox(LayoutObject):
    """A single GOV.UK checkbox that reveals more questions when ticked. Without JavaScript
    the questions are always shown."""

    template = "casework/contact_concern_field.html"

    def __init__(self, field: str, *fields: Any) -> None:
        self.field = field
        self.fields = list(fields)

    def render(
        self, form: forms.Form, context: Any, template_pack: str = TEMPLATE_PACK, **kwargs: Any
    ) -> str:
        revealed = "".join(
            render_field(field, form, context, template_pack=template_pack, **kwargs)
            for field in self.fields
        )
        return render_to_string(
            self.template,
            {"field": form[self.field], "revealed": mark_safe(revealed)},  # noqa: S308
        )


class ContactForm(forms.Form):
    """A visit, call, walk to a group or meeting: when, how long, what happened."""

    kind = forms.ChoiceField(
        label="What kind of contact was it?",
        choices=Contact.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the kind of contact",
            "invalid_choice": "Choose the kind of contact",
        },
    )
    happened_on = GovDateField(
        name="Date of the contact",
        label="When was it?",
        help_text="For example, 27 3 2026",
    )
    minutes = forms.IntegerField(
        label="Time spent, in minutes",
        help_text="Include travel. For example, 90 for an hour and a half",
        min_value=1,
        max_value=MAX_MINUTES,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the time spent in minutes",
            "invalid": "Time spent must be a whole number of minutes, like 45",
            "min_value": "Time spent must be at least 1 minute",
            "max_value": f"Time spent must be {MAX_MINUTES} minutes (a whole day) or less",
        },
    )
    summary = text_field(
        "What happened?",
        5000,
        name="The summary",
        required=True,
        required_message="Enter a summary of the contact",
        textarea=True,
    )
    is_sensitive = forms.BooleanField(
        label="This is a sensitive note",
        required=False,
        help_text="Only the person's worker, you and the team's leads will be able to read it",
    )
    safeguarding_concern = forms.BooleanField(
        label="There is a safeguarding concern", required=False
    )
    escalation = forms.ChoiceField(
        label="What escalation does the concern need?",
        required=False,
        widget=forms.RadioSelect,
        choices=[c for c in Contact.Escalation.choices if c[0]],
        error_messages={"invalid_choice": "Choose the escalation this concern needs"},
    )
    escalated_to = text_field(
        "Who was it escalated to? (optional)",
        200,
        name="Who it was escalated to",
        help_text="A name, team or reference number",
    )

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.episode = episode
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.radios("kind", legend_size=Size.SMALL, small=True),
            Field("happened_on"),
            Field.text("minutes", field_width=5, label_size=Size.SMALL),
            Field.textarea("summary", rows=6, label_size=Size.SMALL),
            Field.checkbox("is_sensitive", small=True),
            Fieldset(
                RevealingCheckbox(
                    "safeguarding_concern",
                    Field.radios("escalation", legend_size=Size.SMALL, small=True),
                    Field.text("escalated_to"),
                ),
                legend="Safeguarding",
                legend_size=Size.SMALL,
            ),
            Submit("submit", "Save"),
        )

    def clean_happened_on(self) -> dt.date:
        value = self.cleaned_data["happened_on"]
        if value > timezone.localdate():
            raise ValidationError("The date of the contact must be today or in the past")
        if value < self.episode.opened_on:
            raise ValidationError(
                "The date of the contact must be on or after "
                f"{long_date(self.episode.opened_on)}, when support began"
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        concern, escalation = data.get("safeguarding_concern"), data.get("escalation")
        if concern and not escalation and "escalation" not in self.errors:
            self.add_error("escalation", "Choose the escalation this concern needs")
        return data

    def contact_values(self) -> dict[str, Any]:
        """The cleaned values, as the timeline services take them."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "happened_on": data["happened_on"],
            "minutes": data["minutes"],
            "summary": data["summary"],
            "is_sensitive": data["is_sensitive"],
            "safeguarding_concern": data["safeguarding_concern"],
            "escalation": data["escalation"] or "",
            "escalated_to": data["escalated_to"],
        }


def contact_initial(contact: Contact) -> dict[str, Any]:
    return {
        "kind": contact.kind,
        "happened_on": contact.happened_on,
        "minutes": contact.minutes,
        "summary": contact.summary,
        "is_sensitive": contact.is_sensitive,
        "safeguarding_concern": contact.safeguarding_concern,
        "escalation": contact.escalation,
        "escalated_to": contact.escalated_to,
    }
