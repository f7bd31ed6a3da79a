"""What every app's GOV.UK forms share."""

from crispy_forms.helper import FormHelper


def template_form_helper() -> FormHelper:
    """A crispy-forms helper for forms whose templates write the <form> tag and the CSRF
    token themselves."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper
