"""Sign-in and second-factor forms."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest


class SignInForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        error_messages={"required": "Enter your password"},
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user_cache = None
        self.fields["email"].widget.attrs.update(
            {"autocomplete": "username", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template draws the <form> and its CSRF token
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.text("email"), Field.text("password"), Submit("submit", "Sign in")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        email, password = cleaned.get("email"), cleaned.get("password")
        if email and password:
            self.user_cache = authenticate(
                self.request, email=email.lower(), username=email.lower(), password=password
            )
            if self.user_cache is None:
                raise forms.ValidationError(
                    "Enter a correct email address and password", code="invalid_login"
                )
            if not self.user_cache.is_active:
                raise forms.ValidationError("This account has been closed", code="inactive")
            if self.user_cache.is_demo and settings.ALONGSIDE_ENVIRONMENT == "production":
                # Demo accounts exist only for trying the service out, never in production.
                self.user_cache = None
                raise forms.ValidationError(
                    "Enter a correct email address and password", code="invalid_login"
                )
        return cleaned


class OtpTokenForm(forms.Form):
    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code from your authenticator app",
        max_length=8,
        error_messages={"required": "Enter the security code"},
    )

    def __init__(self, *args: Any, submit_label: str = "Continue", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.text("code", field_width=5),
            Submit("submit", submit_label),
        )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError("The security code must be 6 numbers")
        return code
