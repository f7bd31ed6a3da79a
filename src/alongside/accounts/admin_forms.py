"""Forms for the administration pages: they parse and check what was typed; the services in
accounts/services.py make the change.

Field names match the service arguments, so a ValidationError a service raises for
`email` or `roles` is shown against the field of that name (see `show_service_errors`)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fieldset, Layout, Size
from django import forms
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, validate_email
from django.db.models import Q
from django.utils.text import slugify

from alongside.core.models import AuditEvent, Neighbourhood, Ward

from . import selectors
from .models import Organisation, Programme, Team, User
from .roles import ROLE_DESCRIPTIONS

EMAIL_MESSAGES = {
    "required": "Enter their email address",
    "invalid": "Enter an email address in the correct format, like name@example.org",
}


def show_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: each message against the field of the
    same name, anything else at the top of the error summary."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _helper(*layout: Any) -> FormHelper:
    # The templates write their own <form> tag (with the CSRF token and error summary), so
    # crispy only renders the fields and buttons.
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*layout)
    return helper


def _submit(label: str, css_id: str, **kwargs: Any) -> Button:
    # No name: the button's own value is never needed, and GET forms keep clean addresses.
    return Button("", label, css_id=css_id, **kwargs)


# --- Users -----------------------------------------------------------------------------------


class UserSearchForm(forms.Form):
    """The filters on the list of users (a GET form, so results can be bookmarked)."""

    q = forms.CharField(label="Name or email address", required=False, max_length=200, strip=True)
    role = forms.ModelChoiceField(
        label="Role",
        queryset=Group.objects.order_by("name"),
        to_field_name="name",
        required=False,
        empty_label="Any role",
        error_messages={"invalid_choice": "Select a role from the list"},
    )
    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.none(),
        required=False,
        empty_label="Any team",
        error_messages={"invalid_choice": "Select a team from the list"},
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), ("active", "Active"), ("deactivated", "Deactivated")],
        error_messages={"invalid_choice": "Select a status from the list"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.select_related("organisation").order_by(
            "organisation__name", "name"
        )
        self.fields["q"].widget.attrs.update({"spellcheck": "false"})
        self.helper = _helper(
            Field.text("q"),
            Field.select("role"),
            Field.select("team"),
            Field.select("status"),
            _submit("Search", "user-search-submit", css_class="govuk-button--secondary"),
        )


def _role_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Roles",
        help_text="Select all that apply. Each role gives the tools described.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select roles from the list"},
    )


def _team_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label="Teams",
        help_text="Select all that apply.",
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Select teams from the list",
            "invalid_pk_value": "Select teams from the list",
        },
    )


def _organisation_field(required_message: str) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        error_messages={
            "required": required_message,
            "invalid_choice": "Select an organisation from the list",
        },
    )


class UserForm(forms.Form):
    """A staff account's details, roles and teams. With `creating`, also the first password,
    typed twice; passwords are never shown again, even when the form has errors."""

    email = forms.EmailField(label="Email address", max_length=254, error_messages=EMAIL_MESSAGES)
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={
            "required": "Enter their full name",
            "max_length": "Full name must be 150 characters or fewer",
        },
    )
    job_title = forms.CharField(
        label="Job title (optional)",
        max_length=150,
        required=False,
        error_messages={"max_length": "Job title must be 150 characters or fewer"},
    )
    organisation = _organisation_field("Select the organisation they work for")
    roles = _role_field()
    teams = _team_field()
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text="At least 12 characters, not a common password and not like their name or "
        "email address. Give it to them in person or by phone: it is not shown again.",
        widget=forms.PasswordInput(render_value=False),
        error_messages={"required": "Enter a password for them"},
    )
    password_confirm = forms.CharField(
        label="Confirm password",
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        error_messages={"required": "Enter the password again"},
    )

    def __init__(
        self, *args: Any, creating: bool, subject: User | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating
        self.groups = {g.name: g for g in selectors.role_choices()}
        self.fields["roles"].choices = [
            Choice(name, name, hint=ROLE_DESCRIPTIONS.get(name, "")) for name in self.groups
        ]
        self.fields["teams"].queryset = selectors.team_choices(include_for=subject).order_by(
            "organisation__name", "name"
        )
        organisations = Organisation.objects.filter(is_active=True)
        if subject is not None and subject.organisation_id:
            organisations = organisations | Organisation.objects.filter(pk=subject.organisation_id)
        self.fields["organisation"].queryset = organisations.order_by("name")
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        for name in ("password", "password_confirm"):
            self.fields[name].widget.attrs.update({"autocomplete": "new-password"})
        layout: list[Any] = [
            Field.text("email"),
            Field.text("full_name"),
            Field.text("job_title"),
            Field.select("organisation"),
            Field.checkboxes("roles", legend_size=Size.MEDIUM, small=True),
            Field.checkboxes("teams", legend_size=Size.MEDIUM, small=True),
        ]
        if creating:
            layout.append(
                Fieldset(
                    Field.text("password", field_width=20),
                    Field.text("password_confirm", field_width=20),
                    legend="Their first password",
                    legend_size=Size.MEDIUM,
                )
            )
            layout.append(_submit("Add user", "user-submit"))
        else:
            del self.fields["password"]
            del self.fields["password_confirm"]
            layout.append(_submit("Save changes", "user-submit"))
        self.helper = _helper(*layout)

    def clean_roles(self) -> list[Group]:
        return [self.groups[name] for name in self.cleaned_data["roles"]]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            self.creating
            and cleaned.get("password")
            and cleaned.get("password_confirm") is not None
            and cleaned["password"] != cleaned["password_confirm"]
        ):
            self.add_error("password_confirm", "The passwords do not match")
        return cleaned


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label="Why are you deactivating this account?",
        help_text="For example, they have left the council. This is kept with the account.",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why you are deactivating this account",
            "max_length": "The reason must be 300 characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "deactivate")
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.textarea("reason", rows=3),
            _submit("Deactivate account", "deactivate-submit", css_class="govuk-button--warning"),
        )


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label="New password",
        strip=False,
        help_text="At least 12 characters, not a common password and not like their name or "
        "email address. Their other sessions end when you save it.",
        widget=forms.PasswordInput(render_value=False),
        error_messages={"required": "Enter a new password"},
    )
    password_confirm = forms.CharField(
        label="Confirm new password",
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        error_messages={"required": "Enter the new password again"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "password")
        super().__init__(*args, **kwargs)
        for name in ("password", "password_confirm"):
            self.fields[name].widget.attrs.update({"autocomplete": "new-password"})
        self.helper = _helper(
            Field.text("password", field_width=20),
            Field.text("password_confirm", field_width=20),
            _submit("Reset password", "password-submit", css_class="govuk-button--secondary"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            cleaned.get("password")
            and cleaned.get("password_confirm") is not None
            and cleaned["password"] != cleaned["password_confirm"]
        ):
            self.add_error("password_confirm", "The passwords do not match")
        return cleaned


# --- Teams -----------------------------------------------------------------------------------


def _split_emails(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", text) if part]


class TeamForm(forms.Form):
    """A team: its details, what it does, where, and (when editing) its members."""

    name = forms.CharField(
        label="Team name",
        max_length=150,
        error_messages={
            "required": "Enter the team's name",
            "max_length": "Team name must be 150 characters or fewer",
        },
    )
    organisation = _organisation_field("Select the organisation the team is part of")
    programmes = forms.MultipleChoiceField(
        label="Programmes",
        help_text="The kinds of work the team does. Select all that apply.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select programmes from the list"},
    )
    wards = forms.ModelMultipleChoiceField(
        label="Wards covered",
        help_text="For place-based teams. Select all that apply.",
        queryset=Ward.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Select wards from the list",
            "invalid_pk_value": "Select wards from the list",
        },
    )
    email = forms.EmailField(
        label="Team email address (optional)",
        required=False,
        max_length=254,
        error_messages=EMAIL_MESSAGES,
    )
    phone = forms.CharField(
        label="Team phone number (optional)",
        required=False,
        max_length=30,
        error_messages={"max_length": "Phone number must be 30 characters or fewer"},
    )
    is_active = forms.BooleanField(
        label="The team is active",
        required=False,
        help_text="Inactive teams are hidden from staff's home pages and from choices of team.",
    )
    leads = forms.MultipleChoiceField(
        label="Team leads",
        help_text="Leads and managers of the team.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select leads from the team's members"},
    )
    remove = forms.MultipleChoiceField(
        label="Take people out of the team",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select people from the team's members"},
    )
    add_members = forms.CharField(
        label="Add people to the team (optional)",
        help_text="Their email addresses, one on each line. You can make them leads afterwards.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, team: Team | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        self.programmes = {p.code: p for p in Programme.objects.order_by("name")}
        self.fields["programmes"].choices = [
            Choice(p.code, p.name, hint=p.description) for p in self.programmes.values()
        ]
        self.fields["wards"].queryset = Ward.objects.only("id", "name").order_by("name")
        organisations = Organisation.objects.filter(is_active=True)
        if team is not None:
            organisations = organisations | Organisation.objects.filter(pk=team.organisation_id)
        self.fields["organisation"].queryset = organisations.order_by("name")
        self.current = (
            {str(m.user_id): m for m in team.memberships.all()} if team is not None else {}
        )
        member_choices = [
            (pk, f"{m.user.full_name} ({m.user.email})") for pk, m in self.current.items()
        ]
        layout: list[Any] = [
            Field.text("name"),
            Field.select("organisation"),
            Field.checkboxes("programmes", legend_size=Size.MEDIUM, small=True),
            Field.checkboxes("wards", legend_size=Size.MEDIUM, small=True),
            Field.text("email"),
            Field.text("phone", field_width=20),
        ]
        if team is None:
            for name in ("is_active", "leads", "remove"):
                del self.fields[name]
        else:
            layout.append(Field.checkbox("is_active"))
            if member_choices:
                self.fields["leads"].choices = member_choices
                self.fields["remove"].choices = member_choices
                layout.append(Field.checkboxes("leads", legend_size=Size.MEDIUM, small=True))
                layout.append(Field.checkboxes("remove", legend_size=Size.MEDIUM, small=True))
            else:
                del self.fields["leads"]
                del self.fields["remove"]
        layout.append(Field.textarea("add_members", rows=3))
        layout.append(_submit("Add team" if team is None else "Save changes", "team-submit"))
        self.helper = _helper(*layout)

    def clean_programmes(self) -> list[Programme]:
        return [self.programmes[code] for code in self.cleaned_data["programmes"]]

    def clean_add_members(self) -> list[User]:
        typed = _split_emails(self.cleaned_data["add_members"])
        errors = []
        for email in typed:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(f"{email} is not an email address in the correct format")
        if errors:
            raise ValidationError(errors)
        emails = [e.lower() for e in typed]
        # Emails are stored lower-case by the services, but older accounts may not be.
        any_of = Q()
        for email in emails:
            any_of |= Q(email__iexact=email)
        found = {u.email.lower(): u for u in User.objects.filter(any_of)} if emails else {}
        users = []
        for email in dict.fromkeys(emails):
            user = found.get(email)
            if user is None:
                errors.append(f"There is no account with the email address {email}")
            elif not user.is_active:
                errors.append(f"The account for {email} is deactivated")
            else:
                users.append(user)
        if errors:
            raise ValidationError(errors)
        return users

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        both = set(cleaned.get("leads") or []) & set(cleaned.get("remove") or [])
        if both:
            names = ", ".join(sorted(self.current[pk].user.full_name for pk in both))
            self.add_error("remove", f"You cannot make someone a lead and take them out: {names}")
        return cleaned

    def members(self) -> dict[User, bool]:
        """Everyone who should be in the team afterwards, mapped to whether they lead it."""
        leads = set(self.cleaned_data.get("leads") or [])
        removed = set(self.cleaned_data.get("remove") or [])
        wanted = {m.user: pk in leads for pk, m in self.current.items() if pk not in removed}
        for user in self.cleaned_data.get("add_members") or []:
            if str(user.pk) not in self.current:
                wanted[user] = False
        return wanted


# --- Organisations ---------------------------------------------------------------------------


class OrganisationForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        error_messages={
            "required": "Enter the organisation's name",
            "max_length": "Name must be 200 characters or fewer",
        },
    )
    kind = forms.ChoiceField(
        label="What kind of organisation is it?",
        choices=Organisation.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what kind of organisation it is",
            "invalid_choice": "Select what kind of organisation it is",
        },
    )
    parent = forms.ModelChoiceField(
        label="Part of (optional)",
        help_text="For a GP practice, its primary care network.",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Not part of another organisation",
        error_messages={"invalid_choice": "Select an organisation from the list"},
    )
    ods_code = forms.CharField(
        label="ODS code (optional)",
        help_text="The NHS Organisation Data Service code, like B82005.",
        required=False,
        max_length=10,
        error_messages={"max_length": "ODS code must be 10 characters or fewer"},
    )
    charity_number = forms.CharField(
        label="Charity number (optional)",
        required=False,
        max_length=20,
        error_messages={"max_length": "Charity number must be 20 characters or fewer"},
    )
    is_active = forms.BooleanField(
        label="The organisation is active",
        required=False,
        help_text="Inactive organisations are not offered when adding users or teams.",
    )

    def __init__(self, *args: Any, organisation: Organisation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Organisation.objects.filter(is_active=True)
        if organisation is not None:
            if organisation.parent_id:
                parents = parents | Organisation.objects.filter(pk=organisation.parent_id)
            parents = parents.exclude(pk=organisation.pk)
        self.fields["parent"].queryset = parents.order_by("name")
        for name in ("ods_code", "charity_number"):
            self.fields[name].widget.attrs.update({"spellcheck": "false"})
        layout: list[Any] = [
            Field.text("name"),
            Field.radios("kind", legend_size=Size.MEDIUM, small=True),
            Field.select("parent"),
            Field.text("ods_code", field_width=10),
            Field.text("charity_number", field_width=10),
        ]
        if organisation is None:
            del self.fields["is_active"]
        else:
            layout.append(Field.checkbox("is_active"))
        layout.append(
            _submit(
                "Add organisation" if organisation is None else "Save changes",
                "organisation-submit",
            )
        )
        self.helper = _helper(*layout)


# --- Neighbourhoods --------------------------------------------------------------------------


class NeighbourhoodForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        error_messages={
            "required": "Enter the neighbourhood's name",
            "max_length": "Name must be 100 characters or fewer",
        },
    )
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    wards = forms.MultipleChoiceField(
        label="Wards",
        help_text="A ward is in one neighbourhood at most: ticking a ward that is in another "
        "neighbourhood moves it here.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select wards from the list"},
    )

    def __init__(self, *args: Any, neighbourhood: Neighbourhood, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.neighbourhood = neighbourhood
        self.wards = {str(w.pk): w for w in selectors.ward_choices()}
        choices = []
        for pk, ward in self.wards.items():
            hint = ""
            if ward.neighbourhood_id and ward.neighbourhood_id != neighbourhood.pk:
                hint = f"Now in {ward.neighbourhood.name}"
            elif not ward.neighbourhood_id:
                hint = "Not in a neighbourhood"
            if ward.population:
                hint = f"{hint + '. ' if hint else ''}Population {ward.population:,}"
            choices.append(Choice(pk, ward.name, hint=hint))
        self.fields["wards"].choices = choices
        self.helper = _helper(
            Field.text("name", field_width=20),
            Field.textarea("description", rows=3),
            Field.checkboxes("wards", legend_size=Size.MEDIUM, small=True),
            _submit("Save changes", "neighbourhood-submit"),
        )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not slugify(name):
            raise ValidationError("Name must include letters or numbers")
        clash = (
            Neighbourhood.objects.exclude(pk=self.neighbourhood.pk)
            .filter(Q(name__iexact=name) | Q(slug=slugify(name)))
            .first()
        )
        if clash is not None:
            raise ValidationError(f"There is already a neighbourhood called {clash.name}")
        return name

    def clean_wards(self) -> list[Ward]:
        return [self.wards[pk] for pk in self.cleaned_data["wards"]]


# --- Audit log -------------------------------------------------------------------------------


class GovDateField(DateInputField):
    """A GOV.UK date input (day, month, year) that may be left blank, with messages naming
    the field: "Date from must include a month", "Date from must be a real date"."""

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        super().__init__(label=label, required=False, require_all_fields=False, **kwargs)
        self.real_date = f"{label} must be a real date"
        for part, sub in zip(("day", "month", "year"), self.fields, strict=True):
            sub.error_messages["incomplete"] = f"{label} must include a {part}"
            sub.validators = [RegexValidator(r"^[0-9]+$", self.real_date)]
        self.year_digits = f"{label} year must include 4 numbers"

    def compress(self, data_list: Any) -> date | None:
        day, month, year = data_list
        if not (day and month and year):
            return None
        if len(year) != 4:
            raise ValidationError(self.year_digits)
        try:
            return date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValidationError(self.real_date) from error


class AuditSearchForm(forms.Form):
    """The audit log's filters (a GET form). Blank fields match everything."""

    actor_email = forms.EmailField(
        label="Who (email address)",
        required=False,
        max_length=254,
        error_messages={"invalid": EMAIL_MESSAGES["invalid"]},
    )
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[("", "Any action"), *AuditEvent.Action.choices],
        error_messages={"invalid_choice": "Select an action from the list"},
    )
    object_type = forms.CharField(
        label="Object type",
        help_text="For example, people.person or accounts.user",
        required=False,
        max_length=100,
        validators=[
            RegexValidator(
                r"^\s*[A-Za-z_]+\.[A-Za-z_]+\s*$",
                "Enter an object type like people.person: the app, a full stop, then the model",
            )
        ],
    )
    object_id = forms.CharField(
        label="Object ID",
        required=False,
        max_length=64,
        error_messages={"max_length": "Object ID must be 64 characters or fewer"},
    )
    person_id = forms.UUIDField(
        label="Person ID",
        required=False,
        error_messages={
            "invalid": "Enter a person ID in the correct format, like "
            "0b5f8a52-3c1e-4d7a-9f2b-6e4d1c0a9b87"
        },
    )
    date_from = GovDateField(label="Date from", help_text="For example, 27 3 2025")
    date_to = GovDateField(label="Date to", help_text="For example, 31 3 2025")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("actor_email", "object_type", "object_id", "person_id"):
            self.fields[name].widget.attrs.update({"spellcheck": "false"})
        self.helper = _helper(
            Field.text("actor_email"),
            Field.select("action"),
            Field.text("object_type", field_width=20),
            Field.text("object_id", field_width=20),
            Field.text("person_id", field_width=30),
            Field("date_from", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field("date_to", context={"legend_size": Size.for_legend(Size.SMALL)}),
            _submit("Search", "audit-search-submit", css_class="govuk-button--secondary"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "Date to must be the same as or after date from")
        return cleaned

    def criteria(self) -> selectors.AuditCriteria:
        data = self.cleaned_data
        return selectors.AuditCriteria(
            actor_email=data.get("actor_email") or "",
            action=data.get("action") or "",
            object_type=(data.get("object_type") or "").strip().lower(),
            object_id=(data.get("object_id") or "").strip(),
            person_id=data.get("person_id"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
