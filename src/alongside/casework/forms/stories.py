"""Forms for stories: writing one, and a manager's decision. The services decide what is
allowed; these parse what was typed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from alongside.core.forms import template_form_helper, text_field
from alongside.people.models import Consent

from ..models import Story

LEVEL_HINTS = {
    Story.ConsentLevel.INTERNAL: "Used inside the team and its reports only. Not published.",
    Story.ConsentLevel.ANONYMISED: "Published without anything that could identify them. "
    "Needs their consent to use their story.",
    Story.ConsentLevel.NAMED: "Published with their name. Needs their consent to use their "
    "story, and their agreement to be named.",
}
PUBLISHABLE_HINT = (
    "Needed for anonymised or named publication. Leave out anything that could identify the "
    "person or reach them: names, address, postcode, date of birth, NHS number, phone number "
    "or email address. A named story may use their name. To start from the story, leave this "
    "empty and choose ‘Suggest a redacted version’."
)


def _consent_label(consent: Consent) -> str:
    return f"Agreed {consent.given_at.day} {consent.given_at:%B %Y}"


class StoryForm(forms.Form):
    """Write or change a story. `consents` are the person's active consents to use their
    story; with none, the consent question is left out and the page says how to add one."""

    title = text_field("Title", 150, required=True, required_message="Enter a title for the story")
    body = text_field(
        "The story as told",
        20000,
        name="The story",
        required=True,
        required_message="Enter the story",
        help_text="In the person's own words where you can. This stays inside the team.",
        textarea=True,
    )
    consent_level = forms.ChoiceField(
        label="How may the story be used?",
        choices=[
            Choice(value, label, hint=LEVEL_HINTS[value])
            for value, label in Story.ConsentLevel.choices
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how the story may be used",
            "invalid_choice": "Choose how the story may be used",
        },
    )
    consent = forms.ChoiceField(
        label="Which consent did they give? (for publication)",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the person's consents from the list"},
    )
    named_confirmed = forms.BooleanField(label="The person agreed to be named", required=False)
    publishable_text = text_field(
        "Text for publication",
        20000,
        help_text=PUBLISHABLE_HINT,
        textarea=True,
    )

    def __init__(self, *args: Any, consents: Iterable[Consent], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.consents = {str(c.pk): c for c in consents}
        self.fields["consent"].choices = [
            Choice(pk, _consent_label(c), hint=c.agreed[:200]) for pk, c in self.consents.items()
        ]
        parts: list[Any] = [
            Field.text("title"),
            Field.textarea("body", rows=10, label_size=Size.MEDIUM),
            Field.radios("consent_level", legend_size=Size.MEDIUM),
        ]
        if self.consents:
            parts.append(Field.radios("consent", legend_size=Size.SMALL, small=True))
        else:
            del self.fields["consent"]
        parts += [
            Field.checkbox("named_confirmed", small=True),
            Field.textarea("publishable_text", rows=8, label_size=Size.MEDIUM),
            Submit("submit", "Save story"),
            Submit("suggest", "Suggest a redacted version", css_class="govuk-button--secondary"),
        ]
        self.helper = template_form_helper()
        self.helper.layout = Layout(*parts)

    def clean_consent(self) -> Consent | None:
        value = self.cleaned_data.get("consent")
        return self.consents.get(value) if value else None

    def story_values(self) -> dict[str, Any]:
        """The cleaned values as the story services take them."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "body": data["body"],
            "consent_level": data["consent_level"],
            "consent": data.get("consent"),
            "publishable_text": data.get("publishable_text", ""),
            "named_confirmed": data.get("named_confirmed", False),
        }


def story_initial(story: Story) -> dict[str, Any]:
    return {
        "title": story.title,
        "body": story.body,
        "consent_level": story.consent_level,
        "consent": str(story.consent_id) if story.consent_id else "",
        "named_confirmed": story.consent_level == Story.ConsentLevel.NAMED,
        "publishable_text": story.publishable_text,
    }


class StoryDecisionForm(forms.Form):
    """A manager approves or declines a story; declining needs a note for the worker."""

    APPROVE = "approve"
    DECLINE = "decline"

    decision = forms.ChoiceField(
        label="Do you approve this story?",
        choices=[
            Choice(APPROVE, "Approve it", hint="It may be used as the person agreed"),
            Choice(DECLINE, "Decline it", hint="It goes back to the worker to change"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether to approve or decline the story",
            "invalid_choice": "Choose whether to approve or decline the story",
        },
    )
    note = text_field(
        "Note for the worker",
        300,
        name="The note",
        help_text="Needed when you decline: say what to change",
        textarea=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.radios("decision", legend_size=Size.MEDIUM),
            Field.textarea("note", rows=3),
            Submit("submit", "Save decision"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("decision") == self.DECLINE and not cleaned.get("note", "").strip():
            self.add_error("note", "Enter why you are declining the story")
        return cleaned
