"""The outbox's filter form."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms

from alongside.core.forms import template_form_helper

from .models import OutboxMessage


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "All messages"), *OutboxMessage.Status.choices],
        error_messages={"invalid_choice": "Select which messages to show from the list"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.select("status"), Submit("apply", "Show", css_class="govuk-button--secondary")
        )
