"""Forms for connections and gaps: they parse what staff type; the services decide."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from alongside.core.forms import template_form_helper, text_field
from alongside.core.models import Ward
from alongside.directory.models import TaxonomyTerm

from ..models import Connection

SEARCH_MAX = 200


class DirectorySearchForm(forms.Form):
    """Search the directory from an episode (a GET form). Near the person's ward is on
    until the form is sent without it."""

    q = text_field(
        "What could help?",
        SEARCH_MAX,
        name="Search words",
        help_text="For example, walking group, lunch club or befriending",
    )
    near = forms.BooleanField(label="Only near where they live", required=False)

    def __init__(self, data: Any = None, *, ward: Ward | None = None, **kwargs: Any) -> None:
        submitted = data is not None and "q" in data
        super().__init__(data if submitted else None, initial={"near": True}, **kwargs)
        self.ward = ward
        if ward is not None:
            self.fields["near"].label = f"Only in or near {ward.name}"
        self.helper = template_form_helper()
        parts: list[Any] = [Field.text("q", label_size=Size.SMALL)]
        if ward is not None:
            parts.append(Field.checkbox("near", small=True))
        # The template writes the button, so the search's address holds only its words.
        self.helper.layout = Layout(*parts)

    def values(self) -> tuple[str, bool] | None:
        """(words, near) when the search was sent and is valid, else None."""
        if not self.is_bound or not self.is_valid():
            return None
        return self.cleaned_data["q"].strip(), bool(self.cleaned_data["near"] and self.ward)


class ListingChoiceForm(forms.Form):
    """The listing behind a "Suggest this" button."""

    listing = forms.UUIDField(widget=forms.HiddenInput)


class NotListedForm(forms.Form):
    """Something that is not in the directory, by name."""

    name = text_field(
        "What is it called?",
        200,
        name="Name",
        required=True,
        required_message="Enter the name of what they could connect to",
        help_text="For example, the church coffee morning on Front Street",
    )
    notes = text_field(
        "How to get in touch (optional)",
        2000,
        name="How to get in touch",
        textarea=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="other", **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.text("name", label_size=Size.SMALL),
            Field.textarea("notes", rows=2, label_size=Size.SMALL),
            Submit("suggest", "Suggest this", css_class="govuk-button--secondary"),
        )


class ConnectionUpdateForm(forms.Form):
    """How a connection is going; stopping reveals the question of why."""

    status = forms.ChoiceField(
        label="How is it going?",
        choices=Connection.Status.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how the connection is going",
            "invalid_choice": "Choose how the connection is going",
        },
    )
    stopped_reason = text_field(
        "If they stopped going, why?",
        300,
        name="Why they stopped",
        help_text="In their words where you can",
    )
    note = text_field("Anything to add (optional)", 300, name="The note", textarea=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        # Plain radios and a question after them rather than a conditional reveal, which
        # crispy-forms-gds marks up with references to elements that do not exist.
        self.helper.layout = Layout(
            Field.radios("status", legend_size=Size.SMALL),
            Field.text("stopped_reason", label_size=Size.SMALL),
            Field.textarea("note", rows=2, label_size=Size.SMALL),
            Submit("submit", "Save"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("status") == Connection.Status.STOPPED
            and not data.get("stopped_reason", "").strip()
        ):
            self.add_error("stopped_reason", "Enter why they stopped going")
        return data


def need_choices(terms: Iterable[TaxonomyTerm], *, blank: str) -> list[Any]:
    """Needs as select options: a need with narrower needs becomes a group holding itself
    and them."""
    terms = list(terms)
    children: dict[Any, list[TaxonomyTerm]] = {}
    for term in terms:
        if term.parent_id:
            children.setdefault(term.parent_id, []).append(term)
    choices: list[Any] = [("", blank)]
    for term in terms:
        if term.parent_id:
            continue
        narrower = children.get(term.pk)
        if narrower:
            choices.append(
                (
                    term.name,
                    [(str(term.pk), f"{term.name} (any)")]
                    + [(str(c.pk), c.name) for c in sorted(narrower, key=lambda t: t.name)],
                )
            )
        else:
            choices.append((str(term.pk), term.name))
    return choices


class GapForm(forms.Form):
    """Nothing suitable exists: what was needed, where and what would help."""

    need = forms.ChoiceField(
        label="What was needed?",
        error_messages={
            "required": "Choose the need that nothing in the directory meets",
            "invalid_choice": "Choose a need from the list",
        },
    )
    ward = forms.ModelChoiceField(
        label="Where?",
        queryset=Ward.objects.order_by("name"),
        empty_label="Choose a ward",
        to_field_name="code",
        error_messages={
            "required": "Choose the ward where it is needed",
            "invalid_choice": "Choose a ward from the list",
        },
    )
    what_would_help = text_field(
        "What would help?",
        2000,
        name="What would help",
        required=True,
        required_message="Enter what would help",
        help_text="For example, a daytime group for men who care for a partner. "
        "Do not include the person's name or details: gaps are shared for planning.",
        textarea=True,
    )

    def __init__(
        self, *args: Any, needs: Iterable[TaxonomyTerm], ward: Ward | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {"ward": ward.code if ward else None})
        super().__init__(*args, **kwargs)
        self.needs = {str(t.pk): t for t in needs}
        self.fields["need"].choices = need_choices(self.needs.values(), blank="Choose a need")
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.select("need"),
            Field.select("ward"),
            Field.textarea("what_would_help", rows=4, label_size=Size.SMALL),
            Submit("submit", "Record the gap"),
        )

    def clean_need(self) -> TaxonomyTerm:
        return self.needs[self.cleaned_data["need"]]


class GapFilterForm(forms.Form):
    """Narrow the gaps list by need and ward (a GET form)."""

    need = forms.ChoiceField(label="Need", required=False)
    ward = forms.ModelChoiceField(
        label="Ward",
        queryset=Ward.objects.order_by("name"),
        required=False,
        empty_label="All wards",
        to_field_name="code",
    )

    def __init__(self, data: Any, *, needs: Iterable[TaxonomyTerm], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.needs = {str(t.pk): t for t in needs}
        self.fields["need"].choices = need_choices(self.needs.values(), blank="All needs")
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.select("need"),
            Field.select("ward"),
        )

    def filters(self) -> dict[str, Any]:
        """The need (with its narrower needs) and ward to filter by; nothing when invalid."""
        if not self.is_valid():
            return {}
        found: dict[str, Any] = {}
        need = self.needs.get(self.cleaned_data.get("need") or "")
        if need is not None:
            found["need_ids"] = [
                t.pk for t in self.needs.values() if t.pk == need.pk or t.parent_id == need.pk
            ]
        if self.cleaned_data.get("ward"):
            found["ward"] = self.cleaned_data["ward"]
        return found
