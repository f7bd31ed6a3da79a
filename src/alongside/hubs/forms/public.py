"""Forms for residents booking a Talking Point themselves: where and what kind, then their
details. Plain words; `website` is a honeypot hidden from people."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.core.forms import GovDateField, template_form_helper, text_field
from alongside.core.postcodes import is_valid_postcode, normalise_postcode

from ..models import AccessNeed
from ..services.bookings import clean_email, clean_mobile

EARLIEST_BIRTH = dt.date(1900, 1, 1)
HONEYPOT = HTML(
    '<div class="app-honeypot" hidden><label class="govuk-label" for="id_website">'
    'Leave this empty</label><input class="govuk-input" id="id_website" name="website" '
    'type="text" autocomplete="off" tabindex="-1" value=""></div>'
)
PUBLIC_NEEDS = [
    (AccessNeed.STEP_FREE, "Step-free access (no steps or stairs)"),
    (AccessNeed.HEARING_LOOP, "A hearing loop"),
    (AccessNeed.INTERPRETER, "An interpreter"),
]


def _needs() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Do you need any of these?",
        required=False,
        choices=PUBLIC_NEEDS,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose all that you need. We only show places that have them.",
        error_messages={"invalid_choice": "Choose from the list"},
    )


class StartForm(forms.Form):
    """Where, what kind of appointment and any access needs. Read from the query string."""

    where = forms.ChoiceField(
        label="Where would you like to go?",
        required=False,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": "Choose a place from the list"},
    )
    carer = forms.ChoiceField(
        label="Are you looking after someone?",
        required=False,
        choices=[
            ("no", "No, the conversation is about me"),
            ("yes", "Yes, I am a carer and want to talk about caring"),
        ],
        widget=forms.RadioSelect,
        help_text="Carers can book a conversation just for them",
    )
    needs = _needs()

    def __init__(self, *args: Any, areas: list[Any], hubs: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["where"].choices = [
            ("", "Anywhere, soonest first"),
            ("Areas", [(f"area:{a.pk}", f"Anywhere in {a.name}") for a in areas]),
            ("Places", [(f"hub:{h.pk}", h.name) for h in hubs]),
        ]

    def place(self) -> tuple[str, str]:
        """("area" or "hub", its id), or ("", "") for anywhere."""
        value = self.cleaned_data.get("where") or ""
        kind, _, pk = value.partition(":")
        return (kind, pk) if pk else ("", "")


class DetailsForm(forms.Form):
    """The resident's details for the booking."""

    given_name = text_field(
        "First name", 100, required=True, required_message="Enter your first name"
    )
    family_name = text_field(
        "Last name", 100, required=True, required_message="Enter your last name"
    )
    date_of_birth = GovDateField(
        name="Date of birth",
        label="Date of birth (optional)",
        help_text="For example, 27 3 1960",
        required=False,
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        error_messages={"required": "Enter your postcode", "max_length": "Enter a real postcode"},
    )
    email = forms.CharField(label="Email address (optional)", required=False, max_length=254)
    mobile = forms.CharField(label="Mobile phone number (optional)", required=False, max_length=20)
    access_needs = _needs()
    interpreter_language = text_field(
        "If you need an interpreter, which language? (optional)", 60, name="Language"
    )
    notes = text_field(
        "Is there anything you want to tell us before we meet? (optional)",
        500,
        name="What you want to tell us",
        textarea=True,
        help_text="For example, if you are coming with someone, or need a quiet room",
    )
    website = forms.CharField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        autocomplete = {
            "given_name": "given-name",
            "family_name": "family-name",
            "postcode": "postal-code",
            "email": "email",
            "mobile": "tel",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        self.fields["email"].widget.input_type = "email"
        self.fields["email"].widget.attrs["spellcheck"] = "false"
        self.fields["mobile"].widget.input_type = "tel"
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Fieldset(
                Field.text("given_name", field_width=20),
                Field.text("family_name", field_width=20),
                Field("date_of_birth"),
                Field.text("postcode", field_width=10),
                legend="About you",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                HTML(
                    '<p class="govuk-hint">Give us at least one. We send your booking and a '
                    "reminder the day before.</p>"
                ),
                Field.text("email"),
                Field.text("mobile", field_width=20),
                legend="How should we contact you?",
                legend_size=Size.MEDIUM,
            ),
            Field.checkboxes("access_needs", legend_size=Size.MEDIUM),
            Field.text("interpreter_language", field_width=20),
            Field.textarea("notes", rows=3),
            HONEYPOT,
            Submit("submit", "Book this time"),
        )

    def clean_date_of_birth(self) -> dt.date | None:
        value = self.cleaned_data.get("date_of_birth")
        if value is not None and value > timezone.localdate():
            raise ValidationError("Date of birth must be in the past")
        if value is not None and value < EARLIEST_BIRTH:
            raise ValidationError("Date of birth must be after 1 January 1900")
        return value

    def clean_postcode(self) -> str:
        value = (self.cleaned_data.get("postcode") or "").strip()
        if not is_valid_postcode(value):
            raise ValidationError("Enter a real postcode, like YO1 7HH")
        return normalise_postcode(value)

    def clean_email(self) -> str:
        try:
            return clean_email(self.cleaned_data.get("email", ""))
        except ValidationError as error:
            raise ValidationError(error.message_dict["email"]) from None

    def clean_mobile(self) -> str:
        try:
            return clean_mobile(self.cleaned_data.get("mobile", ""))
        except ValidationError as error:
            raise ValidationError(error.message_dict["mobile"]) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            not data.get("email")
            and not data.get("mobile")
            and "email" not in self.errors
            and "mobile" not in self.errors
        ):
            self.add_error("email", "Enter an email address or a mobile phone number")
        if AccessNeed.INTERPRETER in data.get("access_needs", []) and not data.get(
            "interpreter_language"
        ):
            self.add_error("interpreter_language", "Tell us which language you need")
        return data

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))
