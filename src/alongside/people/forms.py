"""Forms for person records: they parse and check what staff type; services do the rest."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from alongside.accounts.models import Organisation, Team
from alongside.core.forms import GovDateField, template_form_helper, text_field
from alongside.core.postcodes import normalise_postcode

from .duplicates import PossibleDuplicate
from .models import Consent, Person
from .nhs_number import format_nhs_number, normalise_nhs_number

NEW_RECORD = "new"
EARLIEST_BIRTH = date(1900, 1, 1)


def _yes(label: str) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False)


class PersonForm(forms.Form):
    """A person's details, for adding a record or changing one."""

    given_name = text_field("First name", 100, required=True, required_message="Enter a first name")
    family_name = text_field("Last name", 100, required=True, required_message="Enter a last name")
    preferred_name = text_field(
        "Preferred name (optional)", 100, help_text="What they like to be called, if different"
    )
    date_of_birth = GovDateField(
        name="Date of birth",
        required=False,
        label="Date of birth (optional)",
        help_text="For example, 27 3 1950",
    )
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        required=False,
        max_length=14,
        help_text="10 digits, like 943 476 5919",
        error_messages={"max_length": "NHS number must be 10 digits, like 943 476 5919"},
    )
    address_line_1 = text_field("Address line 1 (optional)", 200)
    address_line_2 = text_field("Address line 2 (optional)", 200)
    town = text_field("Town or city (optional)", 100)
    postcode = forms.CharField(label="Postcode (optional)", required=False, max_length=10)
    phone = text_field("Phone number (optional)", 30)
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.org"
        },
    )
    preferred_contact = forms.ChoiceField(
        label="Preferred way to contact them",
        required=False,
        choices=[("", "No preference"), *Person.ContactMethod.choices],
        widget=forms.RadioSelect,
    )
    do_not_phone = _yes("Do not phone")
    do_not_email = _yes("Do not email")
    do_not_write = _yes("Do not send letters")
    contact_notes = text_field(
        "Other contact preferences (optional)", 300, help_text="For example, the best time to call"
    )
    interpreter_needed = _yes("Needs an interpreter")
    language = text_field("Preferred language (optional)", 60)
    uses_bsl = _yes("Uses British Sign Language")
    needs_large_print = _yes("Needs large print")
    needs_easy_read = _yes("Needs easy read")
    other_communication_needs = text_field("Other communication needs (optional)", 300)
    is_carer = _yes("They look after someone (they are a carer)")
    has_carer = _yes("Someone looks after them (they have a carer)")

    submit_label = "Save"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_name"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false"}
        )
        self.fields["family_name"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false"}
        )
        self.fields["nhs_number"].widget.attrs.update(
            {"inputmode": "numeric", "spellcheck": "false"}
        )
        self.fields["postcode"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.helper = template_form_helper()
        self.helper.layout = Layout(*self.layout_parts(), Submit("submit", self.submit_label))

    def layout_parts(self) -> list[Any]:
        return [
            Fieldset(
                Field.text("given_name", field_width=20),
                Field.text("family_name", field_width=20),
                Field.text("preferred_name", field_width=20),
                legend="Name",
                legend_size=Size.MEDIUM,
            ),
            Field("date_of_birth"),
            Field.text("nhs_number", field_width=10),
            Fieldset(
                Field.text("address_line_1"),
                Field.text("address_line_2"),
                Field.text("town", field_width=20),
                Field.text("postcode", field_width=10),
                legend="Address",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("phone", field_width=20),
                Field.text("email"),
                Field.radios("preferred_contact", legend_size=Size.SMALL, small=True),
                Field.checkbox("do_not_phone", small=True),
                Field.checkbox("do_not_email", small=True),
                Field.checkbox("do_not_write", small=True),
                Field.text("contact_notes"),
                legend="Contact preferences",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.checkbox("interpreter_needed", small=True),
                Field.text("language", field_width=20),
                Field.checkbox("uses_bsl", small=True),
                Field.checkbox("needs_large_print", small=True),
                Field.checkbox("needs_easy_read", small=True),
                Field.text("other_communication_needs"),
                legend="Communication needs",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.checkbox("is_carer", small=True),
                Field.checkbox("has_carer", small=True),
                legend="Caring",
                legend_size=Size.MEDIUM,
            ),
        ]

    def clean_given_name(self) -> str:
        return self.cleaned_data["given_name"].strip()

    def clean_family_name(self) -> str:
        return self.cleaned_data["family_name"].strip()

    def clean_date_of_birth(self) -> date | None:
        value = self.cleaned_data.get("date_of_birth")
        if value is None:
            return None
        if value > timezone.localdate():
            raise ValidationError("Date of birth must be in the past")
        if value < EARLIEST_BIRTH:
            raise ValidationError("Date of birth must be after 1 January 1900")
        return value

    def clean_nhs_number(self) -> str:
        value = self.cleaned_data.get("nhs_number", "")
        return normalise_nhs_number(value) if value.strip() else ""

    def clean_postcode(self) -> str:
        value = self.cleaned_data.get("postcode", "")
        return normalise_postcode(value) if value.strip() else ""

    def person_fields(self) -> dict[str, Any]:
        """The cleaned values the services take as person fields."""
        return {name: self.cleaned_data[name] for name in PERSON_FORM_FIELDS}


PERSON_FORM_FIELDS: tuple[str, ...] = tuple(PersonForm.base_fields)


class PersonCreateForm(PersonForm):
    """Adding a person: their details, and why the team is working with them."""

    reason = text_field(
        "Why is your team working with this person?",
        300,
        name="The reason",
        required=True,
        required_message="Enter why your team is working with this person",
        help_text="For example, 'Phoned the front door about help at home'",
        textarea=True,
    )
    team = forms.ModelChoiceField(
        label="Which team is working with them?",
        queryset=Team.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select your team", "invalid_choice": "Select your team"},
    )

    submit_label = "Continue"

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        self.teams = list(teams)
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["team"].label_from_instance = lambda team: team.name
        if len(self.teams) == 1:
            # One team: nothing to ask.
            self.fields["team"].required = False
            self.fields["team"].widget = forms.HiddenInput()

    def layout_parts(self) -> list[Any]:
        parts = super().layout_parts()
        parts.append(Field.textarea("reason", rows=3, label_size=Size.MEDIUM))
        if len(self.teams) > 1:
            parts.append(Field.radios("team", legend_size=Size.MEDIUM))
        return parts

    def clean_team(self) -> Team | None:
        team = self.cleaned_data.get("team")
        if team is None and len(self.teams) == 1:
            return self.teams[0]
        return team

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()


def draft_from_form(form: PersonCreateForm) -> dict[str, Any]:
    """What was typed, in a form the session can keep between the steps of adding a person."""
    data = form.person_fields()
    dob = data["date_of_birth"]
    data["date_of_birth"] = dob.isoformat() if dob else None
    data["reason"] = form.cleaned_data["reason"]
    data["team"] = str(form.cleaned_data["team"].pk)
    return data


def initial_from_draft(draft: dict[str, Any]) -> dict[str, Any]:
    initial = dict(draft)
    if initial.get("date_of_birth"):
        initial["date_of_birth"] = date.fromisoformat(initial["date_of_birth"])
    return initial


def person_values_from_draft(draft: dict[str, Any]) -> dict[str, Any]:
    """The draft as keyword arguments for the services (without the team)."""
    values = {name: draft.get(name) for name in PERSON_FORM_FIELDS}
    if values["date_of_birth"]:
        values["date_of_birth"] = date.fromisoformat(values["date_of_birth"])
    for name, value in values.items():
        if value is None and name != "date_of_birth":
            values[name] = ""
    return values


def long_date(value: date) -> str:
    """27 March 1950."""
    return f"{value.day} {value:%B %Y}"


def _match_hint(match: PossibleDuplicate) -> str:
    person = match.person
    details = []
    if person.date_of_birth:
        details.append(f"Born {long_date(person.date_of_birth)}")
    if person.postcode:
        details.append(person.postcode)
    if person.nhs_number:
        details.append(f"NHS number {format_nhs_number(person.nhs_number)}")
    if person.is_archived:
        details.append("archived record")
    reasons = ", ".join(reason[:1].lower() + reason[1:] for reason in match.reasons)
    summary = f"{match.strength} ({reasons})"
    return f"{', '.join(details)}. {summary}." if details else f"{summary}."


class DuplicateChoiceForm(forms.Form):
    """After the duplicate check: use one of the records found, or add a new one."""

    choice = forms.ChoiceField(
        label="Is this the same person?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the record to use, or choose to add a new record",
            "invalid_choice": "Select the record to use, or choose to add a new record",
        },
    )

    def __init__(self, *args: Any, matches: Iterable[PossibleDuplicate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        matches = list(matches)
        if len(matches) > 1:
            self.fields["choice"].label = "Is one of these the same person?"
        choices: list[Choice] = [
            Choice(
                str(m.person.pk), f"Use the record for {m.person.full_name}", hint=_match_hint(m)
            )
            for m in matches
        ]
        if choices:
            choices[-1].divider = "or"
        choices.append(Choice(NEW_RECORD, "None of these: add a new record"))
        self.fields["choice"].choices = choices
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.radios("choice", legend_size=Size.MEDIUM), Submit("submit", "Continue")
        )


class ArchiveForm(forms.Form):
    reason = text_field(
        "Why are you archiving this record?",
        300,
        name="The reason",
        required=True,
        required_message="Enter why you are archiving this record",
        help_text="For example, 'Moved out of the area' or 'Support finished in 2023'",
        textarea=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.textarea("reason", rows=3, label_size=Size.MEDIUM),
            Submit("submit", "Archive record", css_class="govuk-button--warning"),
        )


class LinkForm(forms.Form):
    """Choose another record that may be the same person, and say why."""

    other = forms.ChoiceField(
        label="Which record may be the same person?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the record to link to",
            "invalid_choice": "Select the record to link to",
        },
    )
    reason = text_field(
        "Why may these be the same person?",
        300,
        name="The reason",
        required=True,
        required_message="Enter why these records may be the same person",
        textarea=True,
    )
    q = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, candidates: Iterable[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(p.pk): p for p in candidates}
        self.fields["other"].choices = [
            Choice(pk, p.full_name, hint=_person_hint(p)) for pk, p in self.candidates.items()
        ]
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            "q",
            Field.radios("other", legend_size=Size.MEDIUM),
            Field.textarea("reason", rows=3, label_size=Size.MEDIUM),
            Submit("submit", "Link records"),
        )

    def clean_other(self) -> Person:
        return self.candidates[self.cleaned_data["other"]]


def _person_hint(person: Person) -> str:
    parts = []
    if person.preferred_name:
        parts.append(f"Known as {person.preferred_name}")
    if person.date_of_birth:
        parts.append(f"born {long_date(person.date_of_birth)}")
    if person.postcode:
        parts.append(person.postcode)
    if person.is_archived:
        parts.append("archived")
    return ", ".join(parts)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(
        label="What is the consent for?",
        choices=Consent.Purpose.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the consent is for"},
    )
    agreed = text_field(
        "What did they agree to?",
        2000,
        name="What they agreed",
        required=True,
        required_message="Enter what the person agreed to",
        help_text="In their words where you can",
        textarea=True,
    )
    shared_with = forms.ModelMultipleChoiceField(
        label="Which organisations may it be shared with? (optional)",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Staff in these organisations will be able to see this person's record",
        error_messages={"invalid_choice": "Select organisations from the list"},
    )
    given_at = GovDateField(
        name="Date agreed",
        required_message="Enter the date they agreed",
        label="When did they agree?",
        help_text="For example, 27 3 2025",
    )
    how_recorded = forms.ChoiceField(
        label="How was it recorded?",
        choices=[("verbal", "Verbal"), ("written", "Written"), ("electronic", "Electronic")],
        widget=forms.RadioSelect,
        initial="verbal",
        error_messages={"required": "Select how the consent was recorded"},
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shared_with"].queryset = organisations
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.radios("purpose", legend_size=Size.MEDIUM),
            Field.textarea("agreed", rows=4, label_size=Size.MEDIUM),
            Field.checkboxes("shared_with", legend_size=Size.MEDIUM, small=True),
            Field("given_at"),
            Field.radios("how_recorded", legend_size=Size.MEDIUM, small=True, inline=True),
            Submit("submit", "Save consent"),
        )

    def clean_given_at(self) -> date:
        value = self.cleaned_data["given_at"]
        if value and value > timezone.localdate():
            raise ValidationError("The date agreed must be today or in the past")
        return value


class ConsentWithdrawForm(forms.Form):
    withdrawn_at = GovDateField(
        name="Date withdrawn",
        required_message="Enter the date they withdrew their consent",
        label="When did they withdraw their consent?",
        help_text="For example, 27 3 2025",
    )
    reason = text_field(
        "Reason (optional)",
        300,
        help_text="They do not have to give one",
        textarea=True,
    )

    def __init__(self, *args: Any, consent: Consent, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"withdrawn_at": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.consent = consent
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field("withdrawn_at"),
            Field.textarea("reason", rows=3),
            Submit("submit", "Withdraw consent", css_class="govuk-button--warning"),
        )

    def clean_withdrawn_at(self) -> date:
        value = self.cleaned_data["withdrawn_at"]
        if value and value > timezone.localdate():
            raise ValidationError("The date withdrawn must be today or in the past")
        if value and value < self.consent.given_at:
            raise ValidationError("The date withdrawn must be on or after the date it was agreed")
        return value


class ExportForm(forms.Form):
    reason = text_field(
        "Why are you exporting this record?",
        300,
        name="The reason",
        required=True,
        required_message="Enter why you are exporting this record",
        help_text="For example, the subject access request reference",
    )

    def __init__(self, *args: Any, submit_label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.text("reason", label_size=Size.MEDIUM), Submit("submit", submit_label)
        )


class EraseForm(forms.Form):
    lawful_basis = text_field(
        "What is the lawful basis for erasing this record?",
        300,
        name="The lawful basis",
        required=True,
        required_message="Enter the lawful basis for erasing this record",
        help_text="For example, 'Right to erasure request 2025-014: consent withdrawn, no other "
        "basis to keep the record'",
        textarea=True,
    )
    confirm = forms.BooleanField(
        label="I understand the record cannot be recovered",
        error_messages={"required": "Confirm that you understand the record cannot be recovered"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.textarea("lawful_basis", rows=3, label_size=Size.MEDIUM),
            Field.checkbox("confirm"),
            Submit("submit", "Erase record", css_class="govuk-button--warning"),
        )
