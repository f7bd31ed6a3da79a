"""Forms for the directory's editorial pages, partner pages and residents' suggestions. They
parse and check what people type; the services do the rest."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size, Submit
from django import forms
from django.db.models import QuerySet

from alongside.core.forms import template_form_helper, text_field

from .models import Provider, Service, Taxonomy
from .services import PROPOSABLE_FIELDS

URL_MESSAGE = "Enter a web address in the correct format, like https://www.example.org"
EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.org"


def _url(label: str) -> forms.URLField:
    return forms.URLField(
        label=label,
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={"invalid": URL_MESSAGE, "max_length": "Web address is too long"},
    )


def _email(label: str) -> forms.EmailField:
    return forms.EmailField(
        label=label, required=False, max_length=254, error_messages={"invalid": EMAIL_MESSAGE}
    )


def _age(label: str) -> forms.IntegerField:
    name = label.removesuffix(" (optional)")
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=120,
        error_messages={
            "invalid": f"{name} must be a whole number, like 18",
            "min_value": f"{name} must be 0 or more",
            "max_value": f"{name} must be 120 or less",
        },
    )


class ListingDetailsForm(forms.Form):
    """What a listing says: shared by editors and partners."""

    name = text_field("Name", 200, required=True, required_message="Enter a name for the listing")
    summary = text_field(
        "Summary (optional)",
        300,
        help_text="One short sentence, shown in search results",
    )
    description = text_field(
        "Description",
        10000,
        required=True,
        required_message="Enter a description",
        help_text="Say what happens, who it is for and what to expect. Use short sentences.",
        textarea=True,
    )
    kind = forms.ChoiceField(
        label="What kind of listing is it?",
        choices=Service.Kind.choices,
        initial=Service.Kind.ACTIVITY,
        error_messages={"required": "Select what kind of listing it is"},
    )
    url = _url("Website (optional)")
    email = _email("Email address (optional)")
    is_free = forms.BooleanField(label="It is free", required=False)
    fees = text_field(
        "Costs (optional)", 2000, help_text="For example, £2 a session, tea included", textarea=True
    )
    minimum_age = _age("Youngest age (optional)")
    maximum_age = _age("Oldest age (optional)")
    how_to_join = text_field(
        "How to join (optional)", 2000, help_text="For example, just turn up", textarea=True
    )

    submit_label = "Save"
    DETAIL_FIELDS: tuple[str, ...] = PROPOSABLE_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["url"].widget.attrs.update({"spellcheck": "false", "autocomplete": "url"})
        self.fields["email"].widget.attrs.update({"spellcheck": "false"})
        self.helper = template_form_helper()
        self.helper.layout = Layout(*self.layout_parts(), Submit("submit", self.submit_label))

    def detail_parts(self) -> list[Any]:
        return [
            Field.text("name"),
            Field.text("summary"),
            Field.textarea("description", rows=8),
            Field.select("kind"),
            Fieldset(
                Field.text("url"),
                Field.text("email"),
                legend="Contact",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.checkbox("is_free", small=True),
                Field.textarea("fees", rows=2),
                legend="Cost",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("minimum_age", field_width=3),
                Field.text("maximum_age", field_width=3),
                legend="Ages",
                legend_size=Size.MEDIUM,
            ),
            Field.textarea("how_to_join", rows=3),
        ]

    def layout_parts(self) -> list[Any]:
        return self.detail_parts()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        low, high = cleaned.get("minimum_age"), cleaned.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error(
                "maximum_age", "Oldest age must be the same as or more than the youngest age"
            )
        return cleaned

    def detail_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.DETAIL_FIELDS}
        for name in ("summary", "description", "url", "email", "fees", "how_to_join", "name"):
            values[name] = (values[name] or "").strip()
        return values


def _term_field_name(taxonomy: Taxonomy) -> str:
    return "terms_" + taxonomy.code.replace("-", "_")


class ListingForm(ListingDetailsForm):
    """An editor's form for a listing: its details, who runs it, its terms and its editor."""

    provider = forms.ModelChoiceField(
        label="Who runs it?",
        queryset=Provider.objects.none(),
        empty_label="Choose an organisation",
        error_messages={
            "required": "Select who runs it",
            "invalid_choice": "Select who runs it",
        },
    )
    editor = forms.ModelChoiceField(
        label="Named editor (optional)",
        queryset=Provider.objects.none(),
        required=False,
        empty_label="No one",
        error_messages={"invalid_choice": "Select an editor from the list"},
    )
    editor_team = forms.ModelChoiceField(
        label="Editing team (optional)",
        queryset=Provider.objects.none(),
        required=False,
        empty_label="No team",
        error_messages={"invalid_choice": "Select a team from the list"},
    )

    def __init__(
        self,
        *args: Any,
        providers: QuerySet,
        editors: QuerySet,
        teams: QuerySet,
        taxonomies: list[Taxonomy],
        **kwargs: Any,
    ) -> None:
        self.taxonomies = taxonomies
        self.term_fields: list[str] = []
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["editor"].queryset = editors
        self.fields["editor"].label_from_instance = lambda u: u.full_name or u.email
        self.fields["editor_team"].queryset = teams
        for taxonomy in taxonomies:
            name = _term_field_name(taxonomy)
            terms = list(taxonomy.terms.all())
            self.fields[name] = forms.ModelMultipleChoiceField(
                label=taxonomy.name,
                queryset=taxonomy.terms.all(),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": "Choose terms from the list"},
            )
            self.fields[name].choices = [(str(t.pk), t.name) for t in terms]
            self.term_fields.append(name)
        self.helper.layout = Layout(*self.layout_parts(), Submit("submit", self.submit_label))

    def layout_parts(self) -> list[Any]:
        if not hasattr(self, "term_fields"):
            return super().layout_parts()
        parts = [Field.select("provider"), *self.detail_parts()]
        if self.term_fields:
            parts.append(HTML('<h2 class="govuk-heading-m">Terms</h2>'))
            parts.extend(
                Field.checkboxes(name, legend_size=Size.SMALL, small=True)
                for name in self.term_fields
            )
        parts.append(
            Fieldset(
                Field.select("editor"),
                Field.select("editor_team"),
                legend="Who looks after it",
                legend_size=Size.MEDIUM,
            )
        )
        return parts

    def listing_values(self) -> dict[str, Any]:
        values = self.detail_values()
        values["provider"] = self.cleaned_data["provider"]
        values["editor"] = self.cleaned_data.get("editor")
        values["editor_team"] = self.cleaned_data.get("editor_team")
        terms: list[Any] = []
        for name in self.term_fields:
            terms.extend(self.cleaned_data.get(name) or [])
        values["terms"] = terms
        return values


def listing_initial(service: Service) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(service, name) for name in ListingForm.DETAIL_FIELDS}
    initial["provider"] = service.provider_id
    initial["editor"] = service.editor_id
    initial["editor_team"] = service.editor_team_id
    by_taxonomy: dict[str, list[str]] = {}
    for term in service.terms.select_related("taxonomy"):
        by_taxonomy.setdefault(_term_field_name(term.taxonomy), []).append(str(term.pk))
    initial.update(by_taxonomy)
    return initial


class NoteForm(forms.Form):
    """A confirmation with an optional note for the history."""

    note = text_field(
        "Note for the history (optional)",
        1000,
        help_text="For example, 'Phoned the organiser to check the times'",
        textarea=True,
    )

    def __init__(self, *args: Any, submit_label: str, warning: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        button = Submit("submit", submit_label)
        if warning:
            button = Submit("submit", submit_label, css_class="govuk-button--warning")
        self.helper.layout = Layout(Field.textarea("note", rows=3), button)


class RejectForm(forms.Form):
    note = text_field(
        "Why are you not accepting it?",
        1000,
        name="The reason",
        required=True,
        required_message="Enter why the suggestion is not being accepted",
        help_text="The person who sent it may be told this",
        textarea=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.textarea("note", rows=3, label_size=Size.MEDIUM),
            Submit("submit", "Do not accept", css_class="govuk-button--warning"),
        )


# --- partners -----------------------------------------------------------------------------------


class PartnerListingForm(ListingDetailsForm):
    """A partner's new listing or update; an editor checks it before it is public."""

    message = text_field(
        "Anything else the editor should know? (optional)",
        2000,
        name="Your message",
        textarea=True,
    )
    submit_label = "Send to an editor"

    def __init__(self, *args: Any, providers: QuerySet | None = None, **kwargs: Any) -> None:
        self.providers = providers
        super().__init__(*args, **kwargs)
        if providers is not None:
            self.fields["provider"] = forms.ModelChoiceField(
                label="Which of your organisations runs it?",
                queryset=providers,
                empty_label=None,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Select your organisation",
                    "invalid_choice": "Select your organisation",
                },
            )
        self.helper.layout = Layout(*self.layout_parts(), Submit("submit", self.submit_label))

    def layout_parts(self) -> list[Any]:
        parts = self.detail_parts()
        if getattr(self, "providers", None) is not None:
            parts.insert(0, Field.radios("provider", legend_size=Size.SMALL))
        parts.append(Field.textarea("message", rows=3))
        return parts


# --- residents ----------------------------------------------------------------------------------


HONEYPOT = HTML(
    '<div hidden><label class="govuk-label" for="id_fax_number">Leave this blank</label>'
    '<input class="govuk-input" id="id_fax_number" name="fax_number" type="text" '
    'autocomplete="off" tabindex="-1"></div>'
)


class HoneypotMixin(forms.Form):
    """A field people never see (it is hidden), that automated spam tends to fill in."""

    fax_number = forms.CharField(label="Leave this blank", required=False)

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("fax_number"))


class SuggestChangeForm(HoneypotMixin):
    message = text_field(
        "What needs to change?",
        3000,
        name="What needs to change",
        required=True,
        required_message="Tell us what needs to change",
        help_text="For example, the group now meets on Thursdays, or the phone number is wrong",
        textarea=True,
    )
    name = text_field(
        "Your name (optional)",
        150,
        name="Your name",
    )
    email = _email("Your email address (optional)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["email"].help_text = "We will only use this to ask you about your message"
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.textarea("message", rows=5, label_size=Size.MEDIUM),
            Field.text("name", field_width=20),
            Field.text("email"),
            HONEYPOT,
            Submit("submit", "Send"),
        )


class AddYourGroupForm(HoneypotMixin):
    group_name = text_field(
        "Name of the group",
        200,
        required=True,
        required_message="Enter the name of the group",
    )
    description = text_field(
        "What does the group do?",
        5000,
        name="What the group does",
        required=True,
        required_message="Tell us what the group does",
        help_text="Who is it for, and what happens there?",
        textarea=True,
    )
    how_to_join = text_field(
        "When and where does it meet? (optional)",
        2000,
        name="When and where it meets",
        help_text="For example, every Tuesday, 10am to noon, at Acomb Library",
        textarea=True,
    )
    url = _url("The group's website (optional)")
    group_email = _email("The group's email address (optional)")
    name = text_field("Your name (optional)", 150, name="Your name")
    email = _email("Your email address (optional)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["email"].help_text = "We will only use this to ask you about the group"
        self.fields["url"].widget.attrs["spellcheck"] = "false"
        self.fields["group_email"].widget.attrs["spellcheck"] = "false"
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Fieldset(
                Field.text("group_name"),
                Field.textarea("description", rows=5),
                Field.textarea("how_to_join", rows=3),
                Field.text("url"),
                Field.text("group_email"),
                legend="About the group",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("name", field_width=20),
                Field.text("email"),
                legend="About you",
                legend_size=Size.MEDIUM,
            ),
            HONEYPOT,
            Submit("submit", "Send"),
        )
