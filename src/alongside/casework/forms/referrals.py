"""Forms for referrals (health staff, and residents for themselves), the intake queue's
filters, triage (accept, redirect, decline) and pathways. They parse what was typed; the
services check it against the team and the referral and save."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import escape

from alongside.accounts.models import Organisation, Team, User
from alongside.core.forms import GovDateField, template_form_helper, text_field
from alongside.core.models import Ward
from alongside.core.postcodes import normalise_postcode
from alongside.people.duplicates import PossibleDuplicate
from alongside.people.models import Person
from alongside.people.nhs_number import format_nhs_number, normalise_nhs_number

from ..models import IntroductionReason, Pathway, Referral
from ..referrals_selectors import long_date
from ..services.referrals import DECLINE_REASONS, ReferralDetails, ReferredPerson

NEW_RECORD = "new"
EARLIEST_BIRTH = dt.date(1900, 1, 1)
EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.org"

# A referrer's organisation suggests where the referral comes from.
SOURCE_FOR_ORGANISATION = {
    Organisation.Kind.GP_PRACTICE: Referral.Source.GP_PRACTICE,
    Organisation.Kind.PCN: Referral.Source.GP_PRACTICE,
    Organisation.Kind.NHS_TRUST: Referral.Source.HOSPITAL,
    Organisation.Kind.COUNCIL: Referral.Source.ADULT_SOCIAL_CARE,
}
STAFF_SOURCES = [(v, label) for v, label in Referral.Source.choices if v != Referral.Source.SELF]


def _email(label: str) -> forms.EmailField:
    return forms.EmailField(
        label=label,
        required=False,
        max_length=254,
        error_messages={"invalid": EMAIL_MESSAGE, "max_length": EMAIL_MESSAGE},
    )


def _reasons_field(label: str, *, required: str, hint: str = "Select all that apply") -> Any:
    return forms.MultipleChoiceField(
        label=label,
        help_text=hint,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": required, "invalid_choice": "Choose from the list"},
    )


def _reason_choices() -> list[tuple[str, str]]:
    return [(r.code, r.label) for r in IntroductionReason.objects.filter(is_active=True)]


def answer_field_name(question: Any) -> str:
    return f"answer_{question.pk.hex}"


class _PersonFieldsMixin:
    """Checks shared by both referral forms."""

    cleaned_data: dict[str, Any]

    def clean_given_name(self) -> str:
        return self.cleaned_data["given_name"].strip()

    def clean_family_name(self) -> str:
        return self.cleaned_data["family_name"].strip()

    def clean_date_of_birth(self) -> dt.date | None:
        value = self.cleaned_data.get("date_of_birth")
        if value is not None and value > timezone.localdate():
            raise ValidationError("Date of birth must be in the past")
        if value is not None and value < EARLIEST_BIRTH:
            raise ValidationError("Date of birth must be after 1 January 1900")
        return value

    def clean_postcode(self) -> str:
        value = self.cleaned_data.get("postcode", "")
        return normalise_postcode(value) if value.strip() else ""

    def referred_person(self) -> ReferredPerson:
        data = self.cleaned_data
        return ReferredPerson(
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data.get("date_of_birth"),
            nhs_number=data.get("nhs_number", ""),
            phone=data.get("phone", ""),
            email=data.get("email", ""),
            address=data.get("address", ""),
            postcode=data.get("postcode", ""),
        )


class ReferralForm(_PersonFieldsMixin, forms.Form):
    """A referral from health or care staff, on one page: the pathway (with its questions
    under it), the person, why, how urgent, their agreement and what may be shared back, and
    the referrer's own details (filled in from their account)."""

    pathway = forms.ChoiceField(
        label="Which pathway is this referral for?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a pathway",
            "invalid_choice": "Choose a pathway from the list",
        },
    )
    given_name = text_field(
        "First name", 100, required=True, required_message="Enter their first name"
    )
    family_name = text_field(
        "Last name", 100, required=True, required_message="Enter their last name"
    )
    date_of_birth = GovDateField(
        name="Date of birth",
        label="Date of birth",
        help_text="For example, 27 3 1950",
        required_message="Enter their date of birth",
    )
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        required=False,
        max_length=14,
        help_text="10 digits, like 943 476 5919",
        error_messages={"max_length": "NHS number must be 10 digits, like 943 476 5919"},
    )
    phone = text_field("Phone number", 30, name="Phone number")
    email = _email("Email address")
    address = text_field("Address", 300, name="Address", textarea=True)
    postcode = forms.CharField(label="Postcode (optional)", required=False, max_length=10)
    source = forms.ChoiceField(
        label="Where is the referral from?",
        choices=STAFF_SOURCES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose where the referral comes from",
            "invalid_choice": "Choose where the referral comes from",
        },
    )
    source_detail = text_field(
        "Ward, clinic or service (optional)",
        200,
        name="Ward, clinic or service",
        help_text="For example, Ward 23 or the falls clinic",
    )
    reasons = _reasons_field("Why are you referring them?", required="Choose at least one reason")
    reasons_other = text_field(
        "If you chose other, what is the reason?", 200, name="The other reason"
    )
    what_matters = text_field(
        "What matters to them? (optional)",
        3000,
        name="What matters to them",
        help_text="In their own words, if you can",
        textarea=True,
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=Referral.Urgency.choices,
        initial=Referral.Urgency.ROUTINE,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how urgent it is",
            "invalid_choice": "Choose how urgent it is",
        },
    )
    consent_to_referral = forms.BooleanField(
        label="The person agreed to this referral",
        error_messages={"required": "Confirm the person agreed to be referred"},
    )
    share_back = text_field(
        "What did they agree we may tell you? (optional)",
        1000,
        name="What they agreed we may tell you",
        help_text="For example, 'how things went when support ends'. Leave this empty if they "
        "agreed only that we tell you whether we accepted the referral and when it ends",
        textarea=True,
    )
    referrer_name = text_field(
        "Your name", 150, required=True, required_message="Enter your name", name="Your name"
    )
    referrer_role = text_field("Your job title (optional)", 150, name="Your job title")
    referrer_email = _email("Your email address (optional)")
    referrer_phone = text_field("Your phone number (optional)", 30, name="Your phone number")

    def __init__(self, *args: Any, pathways: Sequence[Pathway], user: Any, **kwargs: Any) -> None:
        self.pathways = {str(p.pk): p for p in pathways}
        organisation = getattr(user, "organisation", None)
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("referrer_name", user.full_name)
        initial.setdefault("referrer_role", user.job_title)
        initial.setdefault("referrer_email", user.email)
        initial.setdefault(
            "source",
            SOURCE_FOR_ORGANISATION.get(organisation.kind, Referral.Source.OTHER)
            if organisation
            else Referral.Source.OTHER,
        )
        if len(self.pathways) == 1:
            initial.setdefault("pathway", next(iter(self.pathways)))
        super().__init__(*args, **kwargs)
        self.fields["reasons"].choices = _reason_choices()
        self.fields["nhs_number"].widget.attrs.update(
            {"inputmode": "numeric", "spellcheck": "false"}
        )
        self.fields["postcode"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        for name in ("given_name", "family_name"):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        pathway_part: list[Any] = []
        if self.pathways:
            self.fields["pathway"].choices = [(pk, p.name) for pk, p in self.pathways.items()]
            pathway_part.append(Field.radios("pathway", legend_size=Size.MEDIUM))
            for pathway in self.pathways.values():
                questions = []
                for question in pathway.active_questions:
                    name = answer_field_name(question)
                    # crispy-forms-gds marks labels and hints safe: a manager typed these.
                    text = escape(question.text)
                    self.fields[name] = text_field(
                        text if question.required else f"{text} (optional)",
                        1000,
                        name="The answer",
                        help_text=escape(question.hint),
                    )
                    questions.append(Field.text(name))
                if questions:
                    legend = (
                        f"If you chose {escape(pathway.name)}"
                        if len(self.pathways) > 1
                        else f"Questions for {escape(pathway.name)}"
                    )
                    pathway_part.append(Fieldset(*questions, legend=legend, legend_size=Size.SMALL))
        else:
            del self.fields["pathway"]
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            *pathway_part,
            Fieldset(
                Field.text("given_name", field_width=20),
                Field.text("family_name", field_width=20),
                Field("date_of_birth"),
                Field.text("nhs_number", field_width=10),
                legend="Who are you referring?",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                HTML('<p class="govuk-hint">Give at least a phone number, email or address.</p>'),
                Field.text("phone", field_width=20),
                Field.text("email"),
                Field.textarea("address", rows=2),
                Field.text("postcode", field_width=10),
                legend="How can we contact them?",
                legend_size=Size.MEDIUM,
            ),
            Field.radios("source", legend_size=Size.MEDIUM, small=True),
            Field.text("source_detail"),
            Field.checkboxes("reasons", legend_size=Size.MEDIUM, small=True),
            Field.text("reasons_other"),
            Field.textarea("what_matters", rows=3, label_size=Size.SMALL),
            Field.radios("urgency", legend_size=Size.MEDIUM, small=True),
            Fieldset(
                Field.checkbox("consent_to_referral"),
                Field.textarea("share_back", rows=2, label_size=Size.SMALL),
                legend="Their agreement",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("referrer_name", field_width=20),
                Field.text("referrer_role", field_width=20),
                Field.text("referrer_email"),
                Field.text("referrer_phone", field_width=20),
                legend="Your details",
                legend_size=Size.MEDIUM,
            ),
            Submit("submit", "Send referral"),
        )

    def clean_nhs_number(self) -> str:
        value = self.cleaned_data.get("nhs_number", "")
        return normalise_nhs_number(value) if value.strip() else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        pathway = self.chosen_pathway()
        if pathway is not None:
            for question in pathway.active_questions:
                name = answer_field_name(question)
                if question.required and not (data.get(name) or "").strip():
                    self.add_error(name, f"Answer the question: {question.text}")
        if "other" in data.get("reasons", []) and not data.get("reasons_other"):
            self.add_error("reasons_other", "Say what the other reason is")
        reachable = any((data.get(n) or "").strip() for n in ("phone", "email", "address"))
        if not reachable and "phone" not in self.errors and "email" not in self.errors:
            self.add_error(
                "phone", "Enter a phone number, email address or address, so we can contact them"
            )
        return data

    def chosen_pathway(self) -> Pathway | None:
        value = self.cleaned_data.get("pathway") if hasattr(self, "cleaned_data") else None
        return self.pathways.get(value or "")

    def details(self) -> ReferralDetails:
        """What the referral service takes besides the person."""
        data = self.cleaned_data
        pathway = self.chosen_pathway()
        answers = {}
        if pathway is not None:
            answers = {
                str(q.pk): data.get(answer_field_name(q), "") for q in pathway.active_questions
            }
        reasons = data["reasons"]
        return ReferralDetails(
            source=data["source"],
            source_detail=data["source_detail"],
            reasons=reasons,
            reasons_other=data["reasons_other"] if "other" in reasons else "",
            what_matters=data["what_matters"],
            urgency=data["urgency"],
            consent_to_referral=data["consent_to_referral"],
            share_back=data["share_back"],
            answers=answers,
            referrer_name=data["referrer_name"],
            referrer_role=data["referrer_role"],
            referrer_email=data["referrer_email"],
            referrer_phone=data["referrer_phone"],
        )


HONEYPOT = HTML(
    '<div class="app-honeypot" hidden><label class="govuk-label" for="id_website">'
    'Leave this empty</label><input class="govuk-input" id="id_website" name="website" '
    'type="text" autocomplete="off" tabindex="-1" value=""></div>'
)


class SelfReferralForm(_PersonFieldsMixin, forms.Form):
    """A resident asks for social prescribing for themselves. Few questions, plain words.
    `website` is hidden from people: a form that fills it in is treated as spam."""

    given_name = text_field(
        "Your first name", 100, required=True, required_message="Enter your first name"
    )
    family_name = text_field(
        "Your last name", 100, required=True, required_message="Enter your last name"
    )
    date_of_birth = GovDateField(
        name="Date of birth",
        label="Your date of birth",
        help_text="For example, 27 3 1960",
        required_message="Enter your date of birth",
    )
    phone = text_field("Phone number", 30, name="Phone number")
    email = _email("Email address")
    postcode = forms.CharField(
        label="Your postcode (optional)",
        required=False,
        max_length=10,
        help_text="This helps us find things near you",
    )
    what_matters = text_field(
        "What matters to you? (optional)",
        3000,
        name="What matters to you",
        help_text="For example, getting out more, meeting people, or feeling less worried",
        textarea=True,
    )
    reasons = _reasons_field(
        "What would you like help with?",
        required="Choose at least one thing you would like help with",
        hint="Choose all that apply",
    )
    reasons_other = text_field(
        "If you chose other, tell us what", 200, name="What else you would like help with"
    )
    agree = forms.BooleanField(
        label="I agree that the social prescribing team can keep these details and contact me",
        error_messages={"required": "Tick the box to say you agree"},
    )
    website = forms.CharField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reasons"].choices = _reason_choices()
        self.fields["given_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["family_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["phone"].widget.input_type = "tel"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["postcode"].widget.attrs.update(
            {"autocomplete": "postal-code", "spellcheck": "false"}
        )
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Fieldset(
                Field.text("given_name", field_width=20),
                Field.text("family_name", field_width=20),
                Field("date_of_birth"),
                legend="About you",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                HTML('<p class="govuk-hint">Give us at least one.</p>'),
                Field.text("phone", field_width=20),
                Field.text("email"),
                legend="How can we contact you?",
                legend_size=Size.MEDIUM,
            ),
            Field.text("postcode", field_width=10),
            Field.textarea("what_matters", rows=4, label_size=Size.MEDIUM),
            Field.checkboxes("reasons", legend_size=Size.MEDIUM),
            Field.text("reasons_other"),
            Field.checkbox("agree"),
            HONEYPOT,
            Submit("submit", "Send"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "other" in data.get("reasons", []) and not data.get("reasons_other"):
            self.add_error("reasons_other", "Tell us what else you would like help with")
        reachable = (data.get("phone") or "").strip() or (data.get("email") or "").strip()
        if not reachable and "email" not in self.errors:
            self.add_error("phone", "Enter a phone number or email address")
        return data

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class IntakeFilterForm(forms.Form):
    """The queue's filters. Anything unexpected shows everything rather than failing."""

    pathway = forms.ChoiceField(
        label="Pathway", required=False, widget=forms.Select(attrs={"class": "govuk-select"})
    )
    urgency = forms.ChoiceField(
        label="Urgency",
        required=False,
        choices=[("", "Any urgency"), *Referral.Urgency.choices],
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )

    def __init__(self, *args: Any, pathways: Sequence[Pathway], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pathway"].choices = [("", "Every pathway")] + [
            (str(p.pk), p.name) for p in pathways
        ]

    def values(self) -> tuple[str, str]:
        if not self.is_valid():
            return "", ""
        return self.cleaned_data["pathway"], self.cleaned_data["urgency"]


# --- triage -----------------------------------------------------------------------------------


def _match_hint(match: PossibleDuplicate) -> str:
    person = match.person
    parts = []
    if person.date_of_birth:
        parts.append(f"born {long_date(person.date_of_birth)}")
    if person.postcode:
        parts.append(person.postcode)
    if person.nhs_number:
        parts.append(f"NHS number {format_nhs_number(person.nhs_number)}")
    why = "; ".join(match.reasons).lower()
    found = f"{match.strength}: {why}."
    if not parts:
        return found
    details = ", ".join(parts)
    return f"{details[:1].upper()}{details[1:]}. {found}"


class _RecordChoiceMixin(forms.Form):
    """Which record is this person: one of the possible matches, or a new record."""

    record = forms.ChoiceField(
        label="Is this someone already on record?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the record to use, or choose to add a new record",
            "invalid_choice": "Choose the record to use, or choose to add a new record",
        },
    )

    def _set_records(self, matches: Sequence[PossibleDuplicate]) -> None:
        self.matches = {str(m.person.pk): m.person for m in matches}
        if not self.matches:
            self.fields["record"].required = False
            self.fields["record"].widget = forms.HiddenInput()
            self.fields["record"].choices = [(NEW_RECORD, NEW_RECORD)]
            return
        choices: list[Choice] = [
            Choice(pk, f"Use the record for {m.person.full_name}", hint=_match_hint(m))
            for pk, m in ((str(m.person.pk), m) for m in matches)
        ]
        choices[-1].divider = "or"
        choices.append(Choice(NEW_RECORD, "None of these: add a new record"))
        self.fields["record"].choices = choices

    def record_part(self) -> list[Any]:
        return [Field.radios("record", legend_size=Size.MEDIUM)] if self.matches else ["record"]

    def chosen_person(self) -> Person | None:
        return self.matches.get(self.cleaned_data.get("record") or NEW_RECORD)


class AcceptForm(_RecordChoiceMixin):
    worker = forms.ChoiceField(
        label="Who will be their link worker?",
        error_messages={
            "required": "Choose their link worker",
            "invalid_choice": "Choose someone from the list",
        },
    )

    def __init__(
        self,
        *args: Any,
        matches: Sequence[PossibleDuplicate],
        workers: Sequence[User],
        actor: User,
        **kwargs: Any,
    ) -> None:
        self.workers = {str(u.pk): u for u in workers}
        if str(actor.pk) in self.workers:
            kwargs.setdefault("initial", {}).setdefault("worker", str(actor.pk))
        super().__init__(*args, **kwargs)
        self._set_records(matches)
        self.fields["worker"].choices = [("", "Choose a link worker")] + [
            (pk, u.full_name) for pk, u in self.workers.items()
        ]
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            *self.record_part(),
            Field.select("worker"),
            Submit("submit", "Accept and open support"),
        )

    def clean_worker(self) -> User:
        return self.workers[self.cleaned_data["worker"]]


class RedirectForm(_RecordChoiceMixin):
    ward = forms.ModelChoiceField(
        label="Which ward do they live in?",
        queryset=Ward.objects.order_by("name"),
        required=False,
        empty_label="Where their postcode is",
        help_text="The Local Area Coordination team that covers this ward will contact them",
        error_messages={"invalid_choice": "Choose a ward from the list"},
    )
    agreed = forms.BooleanField(
        label="The person agreed to be introduced to Local Area Coordination",
        error_messages={
            "required": "Confirm the person agreed to be introduced to Local Area Coordination"
        },
    )

    def __init__(self, *args: Any, matches: Sequence[PossibleDuplicate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_records(matches)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            *self.record_part(),
            Field.select("ward"),
            Field.checkbox("agreed"),
            Submit("submit", "Introduce to Local Area Coordination"),
        )


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are you declining the referral?",
        choices=list(DECLINE_REASONS.items()),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose why you are declining the referral",
            "invalid_choice": "Choose why you are declining the referral",
        },
    )
    reason_other = text_field(
        "If you chose other, what is the reason?",
        300,
        name="The reason",
        help_text="The referrer will see this",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.radios("reason", legend_size=Size.MEDIUM),
            Field.text("reason_other"),
            Submit("submit", "Decline referral", css_class="govuk-button--warning"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("reason") == "other" and not data.get("reason_other"):
            self.add_error("reason_other", "Say why you are declining the referral")
        return data


# --- pathways ---------------------------------------------------------------------------------


def _whole_number(label: str, *, name: str, required: str, low: int, high: int) -> Any:
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": required,
            "invalid": f"{name} must be a whole number, like {max(low, 10)}",
            "min_value": f"{name} must be {low} or more",
            "max_value": f"{name} must be {high} or fewer",
        },
    )


class PathwayForm(forms.Form):
    team = forms.ModelChoiceField(
        label="Which team is the pathway for?",
        queryset=Team.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose a team", "invalid_choice": "Choose a team"},
    )
    name = text_field("Name", 150, required=True, required_message="Enter the name of the pathway")
    description = text_field(
        "Description (optional)",
        2000,
        name="The description",
        help_text="Who it is for. Referrers do not see this",
        textarea=True,
    )
    target_days = _whole_number(
        "Target days from referral to first contact",
        name="The target",
        required="Enter the target in days",
        low=1,
        high=365,
    )
    is_active = forms.BooleanField(
        label="Referrers can choose this pathway", required=False, initial=True
    )

    def __init__(self, *args: Any, teams: Sequence[Team] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.teams = list(teams or [])
        parts: list[Any] = []
        if teams is None:  # changing a pathway: its team stays
            del self.fields["team"]
        else:
            self.fields["team"].queryset = Team.objects.filter(pk__in=[t.pk for t in self.teams])
            self.fields["team"].label_from_instance = lambda team: team.name
            del self.fields["is_active"]
            if len(self.teams) == 1:
                self.fields["team"].required = False
                self.fields["team"].widget = forms.HiddenInput()
            else:
                parts.append(Field.radios("team", legend_size=Size.SMALL))
        parts += [
            Field.text("name", field_width=20),
            Field.textarea("description", rows=3),
            Field.text("target_days", field_width=3),
        ]
        if "is_active" in self.fields:
            parts.append(Field.checkbox("is_active"))
        self.helper = template_form_helper()
        self.helper.layout = Layout(*parts, Submit("submit", "Save pathway"))

    def clean_team(self) -> Team | None:
        team = self.cleaned_data.get("team")
        if team is None and len(self.teams) == 1:
            return self.teams[0]
        return team


class PathwayQuestionForm(forms.Form):
    text = text_field(
        "Question", 300, required=True, required_message="Enter the question", name="The question"
    )
    hint = text_field(
        "Hint (optional)",
        300,
        name="The hint",
        help_text="Shown under the question, to help the referrer answer",
    )
    required = forms.BooleanField(label="Referrers must answer it", required=False)
    order = _whole_number(
        "Order",
        name="The order",
        required="Enter the order, like 10",
        low=0,
        high=999,
    )
    is_active = forms.BooleanField(label="Ask this question", required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order"].help_text = "Questions with lower numbers come first"
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.text("text"),
            Field.text("hint"),
            Field.checkbox("required"),
            Field.text("order", field_width=3),
            Field.checkbox("is_active"),
            Submit("submit", "Save question"),
        )
