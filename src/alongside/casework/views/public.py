"""Public pages (no sign-in), at /social-prescribing/: a resident refers themselves.

The form is rate limited per visitor (CASEWORK_SELF_REFERRALS_PER_HOUR, default 5 an hour)
and has a honeypot field. It never says anything about records we may already hold: whatever
is sent, the same thank-you page follows."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache

from alongside.core import ratelimit

from .. import referrals_selectors as rs
from ..forms.referrals import SelfReferralForm
from ..services import referrals as services
from .common import add_service_errors, posted

SCOPE = "casework-self-referral"


def _limit() -> int:
    return getattr(settings, "CASEWORK_SELF_REFERRALS_PER_HOUR", 5)


@never_cache
def self_refer(request: HttpRequest) -> HttpResponse:
    """Ask for help from a social prescribing link worker. The referral goes to the team
    named by CASEWORK_SELF_REFERRAL_TEAM, else the first social prescribing team."""
    team = rs.self_referral_team()
    if team is None:
        return render(request, "casework/public/unavailable.html")
    if ratelimit.rate_limited(request, scope=SCOPE, limit=_limit()):
        return ratelimit.too_many(request, template="casework/public/too_many.html", limit=_limit())
    form = SelfReferralForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if not form.is_spam():  # a robot filled in the hidden field: thank it, keep nothing
            data = form.cleaned_data
            try:
                services.referral_self_create(
                    team=team,
                    person=form.referred_person(),
                    reasons=data["reasons"],
                    reasons_other=data["reasons_other"] if "other" in data["reasons"] else "",
                    what_matters=data["what_matters"],
                    consent=data["agree"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
        if not form.errors:
            ratelimit.count_submission(request, scope=SCOPE)
            return redirect("casework-public:self-refer-done")
    return render(request, "casework/public/self_refer.html", {"form": form, "team": team})


def self_refer_done(request: HttpRequest) -> HttpResponse:
    return render(request, "casework/public/thank_you.html")


urlpatterns = [
    path("", self_refer, name="self-refer"),
    path("thank-you/", self_refer_done, name="self-refer-done"),
]
