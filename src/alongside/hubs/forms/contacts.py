"""Forms for the front door: adding a person quickly, a first contact and its decision, the
contact list's filters, and recording or withdrawing an assessment request. They parse what
staff type; the services in hubs/services/contacts.py check it and save."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.accounts.models import Programme, Team
from alongside.core.forms import GovDateField, template_form_helper, text_field

from ..models import FirstContact

NEW_RECORD = "new"
DECIDE_LATER = "later"


def _not_in_future(value: dt.date | None, name: str) -> dt.date | None:
    if value and value > timezone.localdate():
        raise ValidationError(f"{name} must be today or in the past")
    return value


def _team_field(teams: Sequence[Team]) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Which front-door team is taking this?",
        queryset=Team.objects.filter(pk__in=[t.pk for t in teams]).order_by("name"),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose your team",
            "invalid_choice": "Choose one of your teams",
        },
    )


# --- finding or adding the person --------------------------------------------------------------


class NewPersonForm(forms.Form):
    """The few details needed to add someone at the front door. Possible duplicates are
    shown before a new record is added (`choice`)."""

    given_name = text_field(
        "First name", 100, required=True, required_message="Enter their first name"
    )
    family_name = text_field(
        "Last name", 100, required=True, required_message="Enter their last name"
    )
    date_of_birth = GovDateField(
        name="Date of birth",
        label="Date of birth (optional)",
        required=False,
        help_text="For example, 27 3 1950",
    )
    postcode = text_field("Postcode (optional)", 10, name="Postcode")
    phone = text_field("Phone number (optional)", 30, name="Phone number")
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    choice = forms.ChoiceField(
        label="Is this the same person?",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a record from the list, or add a new one"},
    )

    def __init__(
        self, *args: Any, teams: Sequence[Team], matches: Sequence[Any] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.matches = list(matches)
        parts: list[Any] = []
        if len(teams) > 1:
            self.fields["team"] = _team_field(teams)
            parts.append(Field.radios("team", legend_size=Size.SMALL))
        parts += [
            Field.text("given_name", field_width=20),
            Field.text("family_name", field_width=20),
            Field("date_of_birth"),
            Field.text("postcode", field_width=10),
            Field.text("phone", field_width=20),
            Field.text("email", field_width=30),
        ]
        if self.matches:
            choices = [
                Choice(
                    str(m.person.pk),
                    f"Use the record for {m.person.full_name}",
                    hint=_match_hint(m),
                )
                for m in self.matches
            ]
            choices[-1].divider = "or"
            choices.append(Choice(NEW_RECORD, "None of these: add a new record"))
            self.fields["choice"].choices = choices
            self.fields["choice"].required = True
            self.fields["choice"].error_messages["required"] = (
                "Choose the record to use, or choose to add a new one"
            )
            if len(self.matches) > 1:
                self.fields["choice"].label = "Is one of these the same person?"
            parts.append(Field.radios("choice", legend_size=Size.MEDIUM))
        else:
            # Checked against the matches found once the details are valid.
            self.fields["choice"] = forms.CharField(required=False, widget=forms.HiddenInput())
        parts.append(Submit("add", "Add the person and continue"))
        self.helper = template_form_helper()
        self.helper.layout = Layout(*parts)

    def clean_date_of_birth(self) -> dt.date | None:
        return _not_in_future(self.cleaned_data.get("date_of_birth"), "Date of birth")

    def person_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "given_name": data["given_name"].strip(),
            "family_name": data["family_name"].strip(),
            "date_of_birth": data.get("date_of_birth"),
            "postcode": data["postcode"].strip(),
            "phone": data["phone"].strip(),
            "email": data["email"].strip(),
        }


def _match_hint(match: Any) -> str:
    person = match.person
    details = []
    if person.date_of_birth:
        details.append(f"Born {person.date_of_birth.day} {person.date_of_birth:%B %Y}")
    if person.postcode:
        details.append(person.postcode)
    reasons = ", ".join(r[:1].lower() + r[1:] for r in match.reasons)
    return "; ".join([*details, reasons])


# --- the decision -----------------------------------------------------------------------------


def referral_route_choices() -> list[tuple[str, str]]:
    """Each active social prescribing team, or each of its active pathways when it has
    them: "<team id>" or "<team id>:<pathway id>"."""
    from alongside.casework.models import Pathway

    teams = list(
        Team.objects.filter(is_active=True, programmes=Programme.Code.SOCIAL_PRESCRIBING)
        .distinct()
        .order_by("name")
    )
    pathways: dict[Any, list[Any]] = {}
    for pathway in Pathway.objects.filter(team__in=teams, is_active=True).order_by("name"):
        pathways.setdefault(pathway.team_id, []).append(pathway)
    choices: list[tuple[str, str]] = []
    for team in teams:
        if pathways.get(team.pk):
            choices += [(f"{team.pk}:{p.pk}", f"{team.name}: {p.name}") for p in pathways[team.pk]]
        else:
            choices.append((str(team.pk), team.name))
    return choices


class DecisionFields(forms.Form):
    """What happens next, and what a decision needs: reasons for an introduction or a
    referral, and for a referral the team (and pathway) and the person's agreement."""

    decision = forms.ChoiceField(
        label="What happens next?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what happens next",
            "invalid_choice": "Choose what happens next from the list",
        },
    )
    decision_notes = text_field(
        "Notes on the decision (optional)",
        5000,
        name="Notes on the decision",
        textarea=True,
        help_text="For an urgent response, say what was done",
    )
    reasons = forms.MultipleChoiceField(
        label="Why introduce or refer them?",
        help_text="Only for Local Area Coordination or social prescribing. Select all that apply",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose reasons from the list"},
    )
    reasons_other = text_field(
        "If you chose other, what is the reason?", 200, name="The other reason"
    )
    referral_route = forms.ChoiceField(
        label="Which social prescribing team should get the referral?",
        required=False,
        help_text="Only for social prescribing",
        error_messages={"invalid_choice": "Choose a social prescribing team from the list"},
    )
    consent_to_referral = forms.BooleanField(
        label="The person agreed to be referred to social prescribing",
        required=False,
    )

    allow_later = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from alongside.casework.models import IntroductionReason

        decisions: list[Any] = [Choice(v, str(label)) for v, label in FirstContact.Decision.choices]
        if self.allow_later:
            decisions[-1].divider = "or"
            decisions.append(Choice(DECIDE_LATER, "Decide later"))
        self.fields["decision"].choices = decisions
        self.fields["reasons"].choices = [
            (r.code, r.label) for r in IntroductionReason.objects.filter(is_active=True)
        ]
        self.fields["referral_route"].choices = [
            ("", "Choose a team"),
            *referral_route_choices(),
        ]

    def decision_layout(self) -> list[Any]:
        return [
            Field.radios("decision", legend_size=Size.MEDIUM),
            Field.textarea("decision_notes", rows=3),
            Fieldset(
                Field.checkboxes("reasons", small=True),
                Field.text("reasons_other"),
                Field.select("referral_route"),
                Field.checkbox("consent_to_referral", small=True),
                legend="For an introduction or a referral",
                legend_size=Size.SMALL,
            ),
        ]

    def clean_decision(self) -> str:
        value = self.cleaned_data.get("decision", "")
        return "" if value == DECIDE_LATER else value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        decision = data.get("decision")
        if decision in (FirstContact.Decision.LAC, FirstContact.Decision.SOCIAL_PRESCRIBING):
            if not data.get("reasons") and "reasons" not in self.errors:
                self.add_error("reasons", "Choose at least one reason")
            elif "other" in data.get("reasons", []) and not data.get("reasons_other"):
                self.add_error("reasons_other", "Say what the other reason is")
        if decision == FirstContact.Decision.SOCIAL_PRESCRIBING:
            if not data.get("referral_route") and "referral_route" not in self.errors:
                self.add_error("referral_route", "Choose a social prescribing team")
            if not data.get("consent_to_referral"):
                self.add_error("consent_to_referral", "Confirm the person agreed to be referred")
        if decision == FirstContact.Decision.URGENT_RESPONSE and not data.get("decision_notes"):
            self.add_error("decision_notes", "Enter what was done as an urgent response")
        return data

    def decision_details(self) -> dict[str, Any]:
        """Keyword arguments for contact_decide, besides the decision and notes."""
        from alongside.casework.models import Pathway

        data = self.cleaned_data
        details: dict[str, Any] = {}
        if data.get("decision") in (
            FirstContact.Decision.LAC,
            FirstContact.Decision.SOCIAL_PRESCRIBING,
        ):
            details["reasons"] = data.get("reasons", [])
            details["reasons_other"] = data.get("reasons_other", "")
        if data.get("decision") == FirstContact.Decision.SOCIAL_PRESCRIBING:
            team_pk, _, pathway_pk = data["referral_route"].partition(":")
            details["referral_team"] = Team.objects.get(pk=team_pk)
            details["pathway"] = Pathway.objects.get(pk=pathway_pk) if pathway_pk else None
            details["consent_to_referral"] = bool(data.get("consent_to_referral"))
        return details


class DecisionForm(DecisionFields):
    """Deciding later, on the contact's own page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(*self.decision_layout(), Submit("submit", "Save the decision"))


class ContactForm(DecisionFields):
    """A first contact on one page: when and how, who made contact, what matters and what
    worries them, urgency and safeguarding, and (now or later) the decision."""

    allow_later = True

    contact_date = GovDateField(
        name="Date of first contact",
        label="When did they make contact?",
        help_text="For example, 27 3 2025",
    )
    channel = forms.ChoiceField(
        label="How did they make contact?",
        choices=FirstContact.Channel.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how they made contact",
            "invalid_choice": "Choose how they made contact",
        },
    )
    made_by = forms.ChoiceField(
        label="Who made contact?",
        choices=FirstContact.MadeBy.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who made contact",
            "invalid_choice": "Choose who made contact",
        },
    )
    contact_name = text_field("Their name", 150, name="Their name")
    contact_organisation = text_field(
        "Their organisation", 150, name="Their organisation", help_text="For a professional"
    )
    contact_details = text_field(
        "How to reach them", 200, name="How to reach them", help_text="A phone number or email"
    )
    what_matters = text_field(
        "What matters to the person?", 5000, name="What matters to the person", textarea=True
    )
    worries = text_field(
        "What is worrying them?", 5000, name="What is worrying them", textarea=True
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=FirstContact.Urgency.choices,
        initial=FirstContact.Urgency.ROUTINE,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how urgent it is",
            "invalid_choice": "Choose how urgent it is",
        },
    )
    safeguarding = forms.BooleanField(label="There is a safeguarding concern", required=False)
    safeguarding_details = text_field(
        "What is the safeguarding concern?",
        5000,
        name="The safeguarding concern",
        textarea=True,
        help_text="Only if there is a concern. Follow the safeguarding procedure as well",
    )

    def __init__(self, *args: Any, teams: Sequence[Team], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("contact_date", timezone.localdate())
        kwargs["initial"].setdefault("channel", FirstContact.Channel.PHONE)
        kwargs["initial"].setdefault("urgency", FirstContact.Urgency.ROUTINE)
        kwargs["initial"].setdefault("decision", DECIDE_LATER)
        super().__init__(*args, **kwargs)
        self.teams = list(teams)
        parts: list[Any] = []
        if len(self.teams) > 1:
            self.fields["team"] = _team_field(self.teams)
            parts.append(Field.radios("team", legend_size=Size.SMALL))
        parts += [
            Field("contact_date"),
            Field.radios("channel", legend_size=Size.SMALL, small=True, inline=True),
            Field.radios("made_by", legend_size=Size.SMALL, small=True),
            Fieldset(
                Field.text("contact_name", field_width=20),
                Field.text("contact_organisation", field_width=20),
                Field.text("contact_details", field_width=20),
                legend="If family, a friend or a professional made contact",
                legend_size=Size.SMALL,
            ),
            Field.textarea("what_matters", rows=3),
            Field.textarea("worries", rows=3),
            Field.radios("urgency", legend_size=Size.SMALL, small=True),
            Field.checkbox("safeguarding", small=True),
            Field.textarea("safeguarding_details", rows=3),
            *self.decision_layout(),
            Submit("submit", "Save the first contact"),
        ]
        self.helper = template_form_helper()
        self.helper.layout = Layout(*parts)

    def clean_contact_date(self) -> dt.date | None:
        return _not_in_future(self.cleaned_data.get("contact_date"), "The date of first contact")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        made_by = data.get("made_by")
        needed: list[tuple[str, str]] = []
        if made_by in (FirstContact.MadeBy.FAMILY, FirstContact.MadeBy.PROFESSIONAL):
            needed += [
                ("contact_name", "Enter the name of the person who made contact"),
                ("contact_details", "Enter how to reach the person who made contact"),
            ]
        if made_by == FirstContact.MadeBy.PROFESSIONAL:
            needed.append(("contact_organisation", "Enter the professional's organisation"))
        if data.get("safeguarding"):
            needed.append(("safeguarding_details", "Enter what the safeguarding concern is"))
        for name, message in needed:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        return data

    def team(self) -> Team:
        return self.cleaned_data["team"] if len(self.teams) > 1 else self.teams[0]

    def contact_fields(self) -> dict[str, Any]:
        """Keyword arguments for contact_create (without actor, person and team)."""
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in (
                "contact_date",
                "channel",
                "made_by",
                "contact_name",
                "contact_organisation",
                "contact_details",
                "what_matters",
                "worries",
                "urgency",
                "safeguarding",
                "safeguarding_details",
            )
        }
        fields["decision"] = data.get("decision", "")
        fields["decision_notes"] = data.get("decision_notes", "")
        if fields["decision"]:
            fields.update(self.decision_details())
        return fields


# --- the contact list ---------------------------------------------------------------------------

UNDECIDED = "undecided"


class ContactFilterForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", required=False)
    urgent = forms.BooleanField(label="Urgent only", required=False)
    safeguarding = forms.BooleanField(label="Safeguarding concerns only", required=False)
    since = forms.DateField(
        label="From",
        required=False,
        help_text="For example, 2025-03-27",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the from date as a real date"},
    )
    until = forms.DateField(
        label="To",
        required=False,
        help_text="For example, 2025-03-31",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the to date as a real date"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [
            ("", "Any"),
            (UNDECIDED, "Not decided yet"),
            *FirstContact.Decision.choices,
        ]
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "govuk-checkboxes__input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "govuk-select"
            else:
                widget.attrs["class"] = "govuk-input govuk-input--width-10"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The to date must be the same as or after the from date")
        return data


# --- the assessment waiting list -------------------------------------------------------------


class AssessedForm(forms.Form):
    assessed_on = GovDateField(
        name="Date of the assessment",
        label="When was the assessment?",
        help_text="For example, 27 3 2025",
    )
    paid_service_needed = forms.TypedChoiceField(
        label="Is a paid-for service needed?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether a paid-for service is needed",
            "invalid_choice": "Say whether a paid-for service is needed",
        },
    )
    notes = text_field("Notes (optional)", 5000, name="Notes", textarea=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field("assessed_on"),
            Field.radios("paid_service_needed", legend_size=Size.SMALL, inline=True),
            Field.textarea("notes", rows=3),
            Submit("submit", "Record the assessment"),
        )

    def clean_assessed_on(self) -> dt.date | None:
        return _not_in_future(self.cleaned_data.get("assessed_on"), "The date of the assessment")


class WithdrawForm(forms.Form):
    reason = text_field(
        "Why is the request withdrawn?",
        200,
        name="The reason",
        required=True,
        required_message="Enter why the request is withdrawn",
        help_text="For example, 'Support from a Talking Point was enough' or 'Moved away'",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.text("reason"),
            Submit("submit", "Take them off the waiting list"),
        )
