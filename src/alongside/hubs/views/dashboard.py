"""The Talking Points figures for managers and analysts, and their CSV.

Who may use these pages: hubs.view_hub_figures (team managers and analysts). The figures are
counts, shares and waiting times, never people. Counts from 1 to 4, and shares and medians
resting on fewer than 5, show as "fewer than 5" unless the viewer leads every team whose work
is behind the figure; the CSV always hides them, and every download is recorded in the audit
trail.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache

from alongside.core.models import Neighbourhood, Ward
from alongside.core.permissions import staff_required

from .. import charts
from .. import figures as hub_figures
from ..figures import Figures, Filters, Group
from ..models import Hub
from ..selectors import VIEW_FIGURES


class _Choice(forms.ModelChoiceField):
    """A choice from a list of records; anything not in the list (not even an id) gets the
    same plain message."""

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except ValidationError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class FiguresForm(forms.Form):
    period = forms.TypedChoiceField(
        label="Period",
        coerce=int,
        choices=[
            (n, f"The last {n} full months and this month so far")
            for n in hub_figures.PERIOD_MONTHS
        ],
        initial=hub_figures.DEFAULT_MONTHS,
        required=False,
        error_messages={"invalid_choice": "Choose a period from the list"},
    )
    group = forms.ChoiceField(
        label="Show the table by",
        choices=Group.CHOICES,
        initial=Group.HUB,
        required=False,
        error_messages={"invalid_choice": "Choose hub, neighbourhood, ward or month"},
    )
    hub = _Choice(
        label="Hub",
        queryset=Hub.objects.order_by("name"),
        required=False,
        empty_label="All hubs",
        error_messages={"invalid_choice": "Choose a hub from the list"},
    )
    neighbourhood = _Choice(
        label="Neighbourhood",
        queryset=Neighbourhood.objects.order_by("name"),
        required=False,
        empty_label="All neighbourhoods",
        error_messages={"invalid_choice": "Choose a neighbourhood from the list"},
    )
    ward = _Choice(
        label="Ward",
        queryset=Ward.objects.order_by("name"),
        required=False,
        empty_label="All wards",
        error_messages={"invalid_choice": "Choose a ward from the list"},
    )


def _choice(request: HttpRequest) -> tuple[FiguresForm, Figures]:
    """The figures asked for; anything not valid falls back to its default (the form says
    what was wrong)."""
    form = FiguresForm(request.GET or None)
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        data = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    months = data.get("period") or hub_figures.DEFAULT_MONTHS
    grouping = data.get("group") or Group.HUB
    filters = Filters(
        hub=data.get("hub"), neighbourhood=data.get("neighbourhood"), ward=data.get("ward")
    )
    period = hub_figures.period_for(months)
    return form, hub_figures.hub_figures(period=period, grouping=grouping, filters=filters)


def _headline(result: Figures, exact: bool) -> list[dict[str, Any]]:
    total = result.total

    def text(key: str) -> str:
        return total.value(key).text(exact=exact)

    return [
        {
            "key": "seen",
            "title": "Days from first contact to being seen at a Talking Point",
            "value": f"median {text('seen_median')}, 90th percentile {text('seen_p90')}",
            "detail": f"{text('seen')} people seen after a first contact",
        },
        {
            "key": "assessment",
            "title": "Days to a full assessment on the waiting-list route",
            "value": f"median {text('assessed_median')}, 90th percentile {text('assessed_p90')}",
            "detail": (
                f"{text('assessed')} assessed; {text('waiting')} still waiting "
                f"(median {text('waiting_median')} so far)"
            ),
        },
        {
            "key": "paid",
            "title": "Needing paid-for services after a Talking Point",
            "value": text("paid_share"),
            "detail": (
                f"against {result.expected_paid_percent}% expected; "
                f"{text('front_door_paid_share')} after a front-door assessment"
            ),
        },
        {
            "key": "assessment_share",
            "title": "Going on to a full assessment",
            "value": text("assessment_share"),
            "detail": "of people seen at a Talking Point",
        },
        {
            "key": "satisfied",
            "title": "Satisfied",
            "value": text("satisfied"),
            "detail": "scored 4 or 5 out of 5, of those who answered the survey",
        },
        {
            "key": "dna",
            "title": "Did not attend",
            "value": text("dna"),
            "detail": "of booked conversations that have happened",
        },
        {
            "key": "slot_use",
            "title": "Slot use",
            "value": text("slot_use"),
            "detail": f"of seats booked; {text('booked_attended')} of seats booked were attended",
        },
    ]


def _charts(result: Figures, led: set[Any] | None) -> list[dict[str, Any]]:
    months = result.months
    labels = [hub_figures.month_label(m.key, short=True) for m in months]

    def series(key: str) -> list[float | None]:
        return [m.value(key).shown(exact=hub_figures.is_exact(m, led)) for m in months]

    def table(keys: list[str]) -> list[tuple[str, list[str]]]:
        return [
            (m.label, hub_figures.row_cells(m, keys, exact=hub_figures.is_exact(m, led)))
            for m in months
        ]

    waits = ["seen_median", "seen_p90", "assessed_median", "assessed_p90"]
    paid = ["paid_share", "front_door_paid_share"]
    names = hub_figures.MEASURES
    expected = result.expected_paid_percent
    return [
        {
            "id": "chart-waits",
            "caption": "Days to be seen at a Talking Point, and days to assessment, by month",
            "svg": charts.line_chart(
                chart_id="chart-waits",
                title="Days to be seen, and days to assessment, by month",
                desc=(
                    "Median and 90th percentile days from first contact to being seen at a "
                    "Talking Point, against days from request to assessment on the waiting-list "
                    "route, for each month. The table below gives each figure."
                ),
                labels=labels,
                unit="",
                series=[
                    charts.Series(names["seen_median"].name, series("seen_median"), charts.BLUE),
                    charts.Series(
                        names["seen_p90"].name, series("seen_p90"), charts.BLUE, True, "square"
                    ),
                    charts.Series(
                        names["assessed_median"].name,
                        series("assessed_median"),
                        charts.ORANGE,
                        False,
                        "triangle",
                    ),
                    charts.Series(
                        names["assessed_p90"].name,
                        series("assessed_p90"),
                        charts.ORANGE,
                        True,
                        "square",
                    ),
                ],
            ),
            "columns": [names[k].name for k in waits],
            "rows": table(waits),
        },
        {
            "id": "chart-paid",
            "caption": f"Share needing paid-for services by month, against {expected}% expected",
            "svg": charts.bar_chart(
                chart_id="chart-paid",
                title=f"Share needing paid-for services, against {expected}% expected",
                desc=(
                    "For each month, the share of people seen at a Talking Point who needed a "
                    "paid-for service, beside the share after a front-door assessment, with a "
                    f"dashed line at the expected {expected}%. The table below gives each figure."
                ),
                labels=labels,
                unit="%",
                top=100,
                baseline=(f"Expected ({expected}%)", expected),
                series=[
                    charts.Series("After a Talking Point", series("paid_share"), charts.BLUE),
                    charts.Series(
                        "After a front-door assessment",
                        series("front_door_paid_share"),
                        charts.GREY,
                    ),
                ],
            ),
            "columns": [names[k].name for k in paid],
            "rows": table(paid),
        },
    ]


def _context(request: HttpRequest) -> dict[str, Any]:
    form, result = _choice(request)
    led = hub_figures.led_teams(request.user)
    exact_total = hub_figures.is_exact(result.total, led)
    columns = [
        key
        for key in hub_figures.TABLE_MEASURES
        if not (result.grouping == Group.HUB and hub_figures.MEASURES[key].front_door)
    ]
    rows = [
        {
            "label": row.label,
            "exact": hub_figures.is_exact(row, led),
            "cells": hub_figures.row_cells(row, columns, exact=hub_figures.is_exact(row, led)),
        }
        for row in result.rows
    ]
    return {
        "form": form,
        "figures": result,
        "exact_total": exact_total,
        "any_exact": exact_total or any(r["exact"] for r in rows),
        "headline": _headline(result, exact_total),
        "charts": _charts(result, led),
        "columns": [hub_figures.MEASURES[k].name for k in columns],
        "rows": rows,
        "total_cells": hub_figures.row_cells(result.total, columns, exact=exact_total),
        "decisions": [
            (label, value.text(exact=exact_total))
            for label, value in hub_figures.decision_counts(result.total)
        ],
        "query": request.GET.urlencode(),
    }


@staff_required(VIEW_FIGURES)
@never_cache
def dashboard(request: HttpRequest) -> HttpResponse:
    """The figures for a period, grouped by hub, ward, neighbourhood or month."""
    return render(request, "hubs/dashboard/dashboard.html", _context(request))


@staff_required(VIEW_FIGURES)
@never_cache
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The same figures as CSV, small numbers always hidden; each download is recorded."""
    _, result = _choice(request)
    content = hub_figures.figures_export(actor=request.user, figures=result)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    filename = f"talking-points-{result.grouping}-{result.period.code}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns = [
    path("figures/", dashboard, name="dashboard"),
    path("figures.csv", dashboard_csv, name="dashboard-csv"),
]
