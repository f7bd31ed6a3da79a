"""What every app's GOV.UK forms share."""

from crispy_forms.helper import FormHelper
from django import forms


def template_form_helper() -> FormHelper:
    """A crispy-forms helper for forms whose templates write the <form> tag and the CSRF
    token themselves."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def text_field(
    label: str,
    max_length: int,
    *,
    required: bool = False,
    required_message: str = "",
    help_text: str = "",
    textarea: bool = False,
    name: str = "",
) -> forms.CharField:
    """A text field whose messages use `name` (or the label) for what was typed, in the
    GOV.UK style: "Name must be 200 characters or fewer"."""
    name = name or label.removesuffix(" (optional)")
    messages = {"max_length": f"{name} must be {max_length} characters or fewer"}
    if required_message:
        messages["required"] = required_message
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        error_messages=messages,
        widget=forms.Textarea if textarea else forms.TextInput,
    )
