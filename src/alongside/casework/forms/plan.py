"""Forms for the good-life conversation and the shared agreement. They parse what staff
type; the services in services/plan.py check the rest (dates against today, levels,
closed episodes)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from alongside.core.forms import GovDateField, template_form_helper, text_field

from ..models import Action, Goal, Relationship
from ..services.plan import WHO_NEEDS_NAME

OWN_WORDS_HINT = "In the person's own words"
LONG_TEXT = 5000


def _own_words(label: str) -> forms.CharField:
    return text_field(
        f"{label} (optional)", LONG_TEXT, name=label, help_text=OWN_WORDS_HINT, textarea=True
    )


def _helper(*fields: Any, submit: str) -> Any:
    helper = template_form_helper()
    helper.layout = Layout(*fields, Submit("submit", submit))
    return helper


class ConversationForm(forms.Form):
    """The good-life conversation, each part written as the person said it."""

    what_matters = _own_words("What matters to me")
    vision = _own_words("My vision for a good life")
    strengths = _own_words("My strengths")
    gifts_skills_interests = _own_words("My gifts, skills and interests")
    worries = _own_words("What worries me")
    held_on = GovDateField(
        name="Date of the conversation",
        required=False,
        label="Date of the conversation (optional)",
        help_text="For example, 27 3 2026",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.textarea("what_matters", label_size=Size.SMALL, rows=4),
            Field.textarea("vision", label_size=Size.SMALL, rows=4),
            Field.textarea("strengths", label_size=Size.SMALL, rows=4),
            Field.textarea("gifts_skills_interests", label_size=Size.SMALL, rows=4),
            Field.textarea("worries", label_size=Size.SMALL, rows=4),
            Field("held_on"),
            submit="Save the conversation",
        )


class RelationshipForm(forms.Form):
    """Someone in the person's life."""

    kind = forms.ChoiceField(
        label="Who are they to the person?",
        choices=Relationship.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who they are to the person",
            "invalid_choice": "Choose who they are to the person",
        },
    )
    name = text_field(
        "Name",
        150,
        required=True,
        required_message="Enter their name",
        help_text="For a group, the group's name",
    )
    about = text_field(
        "What they mean to the person (optional)",
        300,
        name="What they mean to the person",
        help_text="For example, 'Sister, phones every Sunday'",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.radios("kind", legend_size=Size.SMALL),
            Field.text("name", field_width=20),
            Field.text("about"),
            submit="Add to the people around them",
        )


class AgreementForm(forms.Form):
    """When the shared agreement was made and when to look at it again."""

    agreed_on = GovDateField(
        name="Date agreed",
        required=False,
        label="Date agreed (optional)",
        help_text="For example, 27 3 2026",
    )
    review_on = GovDateField(
        name="Review date",
        required=False,
        label="Date to look at it again (optional)",
        help_text="For example, 27 6 2026",
    )
    notes = text_field(
        "Notes for the team (optional)",
        LONG_TEXT,
        name="Notes",
        help_text="These are not printed on the person's copy",
        textarea=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field("agreed_on"),
            Field("review_on"),
            Field.textarea("notes", rows=4),
            submit="Save the agreement",
        )


class GoalForm(forms.Form):
    """A goal in the person's own words; when changing it, how it is going too."""

    in_own_words = text_field(
        "The goal",
        1000,
        required=True,
        required_message="Enter the goal in the person's own words",
        help_text="In the person's own words, for example 'I want to get out of the house "
        "more and meet people'",
        textarea=True,
    )
    status = forms.ChoiceField(
        label="How is it going?",
        choices=Goal.Status.choices,
        initial=Goal.Status.WORKING,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how the goal is going",
            "invalid_choice": "Choose how the goal is going",
        },
    )

    def __init__(self, *args: Any, with_status: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: list[Any] = [Field.textarea("in_own_words", label_size=Size.SMALL, rows=3)]
        if with_status:
            fields.append(Field.radios("status", legend_size=Size.SMALL))
        else:
            del self.fields["status"]
        self.helper = _helper(*fields, submit="Save the goal")

    def goal_values(self) -> dict[str, Any]:
        values = {"in_own_words": self.cleaned_data["in_own_words"]}
        if "status" in self.fields:
            values["status"] = self.cleaned_data["status"]
        return values


class ActionForm(forms.Form):
    """A step towards a goal: what, who, by when and how it is going."""

    what = text_field(
        "What will happen",
        300,
        required=True,
        required_message="Enter what will happen",
        help_text="For example, 'Go along to the Tuesday walking group together'",
    )
    who = forms.ChoiceField(
        label="Who will do it?",
        choices=Action.Who.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who will do it",
            "invalid_choice": "Choose who will do it",
        },
    )
    who_name = text_field(
        "Their name (optional)",
        150,
        name="Their name",
        help_text="Needed for a group or someone else",
    )
    due_on = GovDateField(
        name="Date to do it by",
        required=False,
        label="By when (optional)",
        help_text="For example, 27 4 2026",
    )
    progress = forms.ChoiceField(
        label="How is it going?",
        choices=Action.Progress.choices,
        initial=Action.Progress.NOT_STARTED,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how it is going",
            "invalid_choice": "Choose how it is going",
        },
    )
    progress_note = text_field("Progress note (optional)", 300, name="Progress note")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("what"),
            Field.radios("who", legend_size=Size.SMALL),
            Field.text("who_name", field_width=20),
            Field("due_on"),
            Field.radios("progress", legend_size=Size.SMALL, small=True),
            Field.text("progress_note"),
            submit="Save the action",
        )

    def clean(self) -> dict[str, Any]:
        # Said here as well as by the service, so every missing answer shows at once.
        cleaned = super().clean()
        who = cleaned.get("who")
        if who in WHO_NEEDS_NAME and not cleaned.get("who_name", "").strip():
            self.add_error("who_name", WHO_NEEDS_NAME[who])
        return cleaned
