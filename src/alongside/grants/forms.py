"""Forms for funds and awards: they parse what staff type; the services check the rest."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from alongside.casework.programmes import PROGRAMMES
from alongside.core.forms import GovDateField, template_form_helper, text_field

from .models import Award, Fund
from .services import pounds

POUNDS_TEMPLATE = "grants/includes/pounds_field.html"
_POUNDS = re.compile(r"^[0-9]+(\.[0-9]{1,2})?$")


class PoundsField(forms.CharField):
    """An amount of money typed as people write it (45, 45.50, £1,000), as a Decimal.
    Shown with a £ prefix by grants/includes/pounds_field.html."""

    def __init__(self, *, message: str, largest: Decimal, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("required", message)
        super().__init__(**kwargs)
        self.message = message
        self.largest = largest

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"})
        return attrs

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        text = text.replace(",", "").replace(" ", "").removeprefix("£")
        if len(text) > 20 or not _POUNDS.match(text):
            raise ValidationError(self.message, code="invalid")
        try:
            amount = Decimal(text)
        except InvalidOperation as error:  # pragma: no cover - the pattern admits only numbers
            raise ValidationError(self.message, code="invalid") from error
        if amount > self.largest:
            raise ValidationError(
                f"{self.label} must be {pounds(self.largest)} or less", code="max_value"
            )
        return amount


def _pounds_input(name: str) -> Field:
    return Field(name, template=POUNDS_TEMPLATE, css_class="govuk-input--width-10")


# --- funds --------------------------------------------------------------------------------------

YES, NO = "yes", "no"


class FundForm(forms.Form):
    """A fund's name, who it is for, dates, budget and largest single award."""

    name = text_field("Name", 150, required=True, required_message="Enter a name for the fund")
    programme = forms.ChoiceField(
        label="Which programme is it for?",
        required=False,
        choices=[("", "Every programme"), *((p.code, p.name) for p in PROGRAMMES.values())],
        widget=forms.RadioSelect,
    )
    starts_on = GovDateField(
        name="Start date",
        required_message="Enter the date the fund starts",
        label="Start date",
        help_text="For example, 1 4 2026",
    )
    ends_on = GovDateField(
        name="End date",
        required_message="Enter the date the fund ends",
        label="End date",
        help_text="For example, 31 3 2027",
    )
    budget = PoundsField(
        label="Budget",
        message="Enter the budget in pounds, like 5000 or 5000.50",
        largest=Decimal("99999999.99"),
    )
    max_award = PoundsField(
        label="Largest single award (optional)",
        message="Enter the largest single award in pounds, like 100 or 99.50",
        largest=Decimal("999999.99"),
        required=False,
        help_text="Leave it empty if there is no limit",
    )
    is_open = forms.ChoiceField(
        label="Is the fund taking requests?",
        choices=[(YES, "Yes"), (NO, "No")],
        widget=forms.RadioSelect,
        initial=YES,
        error_messages={"required": "Select yes if the fund is taking requests"},
    )

    def __init__(self, *args: Any, submit_label: str = "Save fund", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.text("name", field_width=20),
            Field.radios("programme", legend_size=Size.SMALL, small=True),
            Field("starts_on"),
            Field("ends_on"),
            _pounds_input("budget"),
            _pounds_input("max_award"),
            Field.radios("is_open", legend_size=Size.SMALL, small=True),
            Submit("submit", submit_label),
        )

    @staticmethod
    def initial_for(fund: Fund) -> dict[str, Any]:
        def amount(value: Decimal | None) -> str:
            return "" if value is None else pounds(value).removeprefix("£").replace(",", "")

        return {
            "name": fund.name,
            "programme": fund.programme_id or "",
            "starts_on": fund.starts_on,
            "ends_on": fund.ends_on,
            "budget": amount(fund.budget),
            "max_award": amount(fund.max_award),
            "is_open": YES if fund.is_open else NO,
        }

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "programme_code": data["programme"] or None,
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "budget": data["budget"],
            "max_award": data["max_award"],
            "is_open": data["is_open"] == YES,
        }


# --- requests -----------------------------------------------------------------------------------


class FundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Fund) -> str:  # type: ignore[override]
        label = f"{obj.name}: {pounds(obj.remaining)} left"
        if obj.max_award is not None:
            label += f", up to {pounds(obj.max_award)} for one person"
        return label


class GrantRequestForm(forms.Form):
    """A request for a small grant for the person: which fund, for what, how much and how it
    helps."""

    fund = FundChoiceField(
        label="Which fund?",
        queryset=Fund.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose the fund to ask",
            "invalid_choice": "Choose one of the open funds",
        },
    )
    category = forms.ChoiceField(
        label="What is the grant for?",
        choices=Award.Category.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the grant is for",
            "invalid_choice": "Choose what the grant is for",
        },
    )
    category_other = text_field("What is it?", 150, name="What the grant is for")
    amount = PoundsField(
        label="How much?",
        message="Enter the amount in pounds, like 45 or 45.50",
        largest=Decimal("999999.99"),
    )
    reason = text_field(
        "What is it for and how will it help?",
        2000,
        name="What it is for",
        required=True,
        required_message="Enter what it is for and how it helps",
        help_text="For example, 'A bus pass for the college course she starts in September, "
        "so she can go every week'",
        textarea=True,
    )

    def __init__(self, *args: Any, funds: QuerySet[Fund], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds
        if len(funds) == 1:
            self.fields["fund"].initial = funds[0].pk
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.radios("fund", legend_size=Size.SMALL),
            # category_other is rendered inside, as the conditional reveal of "Other".
            Field("category", template="grants/includes/category_radios.html"),
            _pounds_input("amount"),
            Field.textarea("reason", rows=4),
            Submit("submit", "Send the request"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("category") == Award.Category.OTHER and not data.get("category_other"):
            self.add_error("category_other", "Enter what the grant is for")
        return data


# --- decisions ----------------------------------------------------------------------------------


class ApproveForm(forms.Form):
    note = text_field(
        "Note (optional)",
        300,
        help_text="For example, how it will be paid",
        textarea=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.textarea("note", rows=3), Submit("submit", "Approve the grant")
        )


class DeclineForm(forms.Form):
    note = text_field(
        "Why are you declining it?",
        300,
        name="The reason",
        required=True,
        required_message="Enter why the request is declined",
        help_text="The coordinator will tell the person",
        textarea=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.textarea("note", rows=3, label_size=Size.MEDIUM),
            Submit("submit", "Decline the request", css_class="govuk-button--warning"),
        )


class PaidForm(forms.Form):
    paid_on = GovDateField(
        name="Date paid",
        required_message="Enter the date it was paid",
        label="When was it paid?",
        help_text="For example, 27 3 2026",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(Field("paid_on"), Submit("submit", "Mark as paid"))


class CancelForm(forms.Form):
    reason = text_field(
        "Why is it cancelled?",
        300,
        name="The reason",
        required=True,
        required_message="Enter why the grant is cancelled",
        help_text="For example, 'Her daughter bought the coat for her'",
        textarea=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.textarea("reason", rows=3, label_size=Size.MEDIUM),
            Submit("submit", "Cancel the grant", css_class="govuk-button--warning"),
        )
