"""What every app's GOV.UK forms share."""

from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms_gds.fields import DateInputField
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator


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


def add_service_errors(
    form: forms.Form, error: ValidationError, *, fallback: str | None = None
) -> None:
    """Show a service's validation errors on the form, against the field they name when the
    form has it (else against `fallback`, None meaning the whole form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else fallback, errors)
    else:
        form.add_error(fallback, error)


class GovDateField(DateInputField):
    """A GOV.UK date input whose messages name the date being asked for."""

    def __init__(
        self, *, name: str, required: bool = True, required_message: str = "", **kwargs: Any
    ) -> None:
        super().__init__(required=required, require_all_fields=False, **kwargs)
        self.name = name
        self.error_messages["required"] = required_message or f"Enter the {name.lower()}"
        self.error_messages["incomplete"] = f"{name} must include a day, month and year"
        for subfield, part in zip(self.fields, ("day", "month", "year"), strict=True):
            subfield.error_messages["incomplete"] = f"{name} must include a {part}"
            subfield.validators = [RegexValidator(r"^[0-9]+$", f"{name} must be a real date")]

    def compress(self, data_list: Any) -> date | None:
        day, month, year = data_list
        if not (day and month and year):
            return None
        if len(str(year)) != 4:
            raise ValidationError("Year must include 4 numbers", code="invalid")
        try:
            return date(int(year), int(month), int(day))
        except (ValueError, OverflowError) as error:
            raise ValidationError(f"{self.name} must be a real date", code="invalid") from error
