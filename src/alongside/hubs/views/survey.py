"""The public survey after a Talking Point, at /talking-points/survey/<token>/: no sign-in,
two questions, one answer per conversation.

The link in the message is signed and expires (HUBS_LINK_DAYS). An altered link is a 400
page, an expired one a 410 page; both say what to do instead. Once answered, the link shows a
thank-you and keeps the first answer. The page never shows the person's name or anything else
from their record, so a forwarded link gives nothing away."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache

from alongside.core.forms import add_service_errors

from ..forms.conversations import SurveyForm
from ..models import SurveyResponse
from ..services import conversations as services
from ..tokens import BadToken


def _bad_link(request: HttpRequest, error: BadToken) -> HttpResponse:
    expired = "expired" in str(error)
    return render(
        request,
        "hubs/survey/bad_link.html",
        {"expired": expired},
        status=410 if expired else 400,
    )


@never_cache
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """How helpful was the conversation (1 to 5) and an optional comment."""
    try:
        conversation = services.survey_conversation(token)
    except BadToken as error:
        return _bad_link(request, error)
    if SurveyResponse.objects.filter(conversation=conversation).exists():
        return render(request, "hubs/survey/answered.html")
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if form.is_spam():  # a robot filled in the hidden field: thank it, keep nothing
            return redirect("hubs-public:survey-thanks")
        try:
            services.survey_submit(
                token=token,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except services.SurveyAlreadyAnswered:
            return render(request, "hubs/survey/answered.html")
        except BadToken as error:
            return _bad_link(request, error)
        except ValidationError as error:
            add_service_errors(form, error, fallback="score")
        else:
            return redirect("hubs-public:survey-thanks")
    return render(
        request,
        "hubs/survey/survey.html",
        {"form": form, "hub_name": conversation.hub.name},
    )


def survey_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "hubs/survey/thanks.html")


urlpatterns = [
    path("survey/thank-you/", survey_thanks, name="survey-thanks"),
    path("survey/<str:token>/", survey, name="survey"),
]
