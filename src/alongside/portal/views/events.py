"""What's on, week by week, and calendar feeds for any search (issue 4). Public: no sign-in."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from alongside.directory import schedules as rules
from alongside.directory.models import Service
from alongside.directory.search.engine import MAX_PER_PAGE, SearchError, SearchQuery, search
from alongside.directory.search.index import occurrence_window_days
from alongside.portal import facts, ical
from alongside.portal.search_forms import ResultsForm
from alongside.portal.selectors import search_choices

from .listing import base_url, domain

FEED_WEEKS = 8  # a search's feed holds its next eight weeks
FEED_MAX_LISTINGS = 200
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")


# --- weeks --------------------------------------------------------------------------------------


def week_code(monday: dt.date) -> str:
    """2026-W49 (ISO 8601 week)."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weeks_shown(today: dt.date) -> list[dt.date]:
    """The Mondays of the weeks the calendar can show: this week to the last the search
    index holds dates for."""
    last = today + dt.timedelta(days=occurrence_window_days() - 1)
    first = monday_of(today)
    return [first + dt.timedelta(weeks=n) for n in range((monday_of(last) - first).days // 7 + 1)]


def week_label(monday: dt.date) -> str:
    sunday = monday + dt.timedelta(days=6)
    if monday.month == sunday.month:
        return f"{monday.day} to {sunday.day} {sunday:%B %Y}"
    if monday.year == sunday.year:
        return f"{monday.day} {monday:%B} to {sunday.day} {sunday:%B %Y}"
    return f"{monday.day} {monday:%B %Y} to {sunday.day} {sunday:%B %Y}"


# --- the filters --------------------------------------------------------------------------------


class WhatsOnForm(forms.Form):
    """The calendar's choices, from the query string. Unknown values are errors that say
    what to choose, never a failure."""

    SHOW_CHOICES = [
        ("events", "Events only"),
        ("all", "Events, activities and groups"),
    ]

    week = forms.CharField(required=False)
    ward = forms.ChoiceField(required=False)
    need = forms.ChoiceField(required=False)
    show = forms.ChoiceField(required=False, choices=SHOW_CHOICES)

    def __init__(self, data: Any = None, *, today: dt.date, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.today = today
        self.mondays = weeks_shown(today)
        self.fields["ward"].choices = [("", "Anywhere"), *facts.ward_choices()]
        self.fields["need"].choices = [("", "Anything"), *facts.need_choices()]
        self.fields["ward"].error_messages["invalid_choice"] = "Choose a ward from the list"
        self.fields["need"].error_messages["invalid_choice"] = "Choose a need from the list"
        self.fields["show"].error_messages["invalid_choice"] = (
            "Choose events only, or events, activities and groups"
        )

    def clean_week(self) -> dt.date:
        value = (self.cleaned_data.get("week") or "").strip().upper()
        if not value:
            return self.mondays[0]
        match = _WEEK.match(value)
        try:
            if not match:
                raise ValueError
            monday = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            raise forms.ValidationError(
                "Choose a week from the list. A week in the address must look like 2026-W49"
            ) from None
        if monday not in self.mondays:
            first, last = self.mondays[0], self.mondays[-1] + dt.timedelta(days=6)
            raise forms.ValidationError(
                "We only list what is on from this week up to "
                f"{rules.format_date(last, weekday=False)}. Choose a week from "
                f"{rules.format_date(first, weekday=False)} to "
                f"{rules.format_date(last, weekday=False)}"
            )
        return monday

    def clean_show(self) -> str:
        return self.cleaned_data.get("show") or "events"

    def week_options(self) -> list[tuple[str, str]]:
        options = []
        for n, monday in enumerate(self.mondays):
            label = week_label(monday)
            if n == 0:
                label = f"This week ({label})"
            elif n == 1:
                label = f"Next week ({label})"
            options.append((week_code(monday), label))
        return options


def _link(base: str, params: Mapping[str, str]) -> str:
    kept = {k: v for k, v in params.items() if v}
    return f"{base}?{urlencode(kept)}" if kept else base


@require_safe
def week(request: HttpRequest) -> HttpResponse:
    """A week's events (and, when asked, regular activities), day by day."""
    today = facts.today()
    form = WhatsOnForm(request.GET or None, today=today)
    selected = {
        name: request.GET.get(name, "").strip() for name in ("week", "ward", "need", "show")
    }
    if request.GET and not form.is_valid():
        context = {"form": form, "today": today, "selected": selected}
        return render(request, "portal/whats_on.html", context, status=400)
    chosen = form.cleaned_data if request.GET else {}
    monday = chosen.get("week") or form.mondays[0]
    ward, need = chosen.get("ward", ""), chosen.get("need", "")
    show = chosen.get("show") or "events"
    first_day = max(monday, today)
    last_day = monday + dt.timedelta(days=6)
    window_end = today + dt.timedelta(days=occurrence_window_days() - 1)
    items = facts.week_items(
        start=first_day,
        end=min(last_day, window_end),
        kinds=("event",) if show == "events" else (),
        ward_code=ward,
        need_code=need,
    )
    days = []
    for n in range((last_day - first_day).days + 1):
        day = first_day + dt.timedelta(days=n)
        days.append(
            {
                "date": day,
                "label": rules.format_date(day, weekday=True).rsplit(" ", 1)[0],
                "items": [item for item in items if item.date == day],
                "beyond": day > window_end,
            }
        )
    index = form.mondays.index(monday)
    here = reverse("portal:whats-on")
    keep = {"ward": ward, "need": need, "show": "all" if show == "all" else ""}

    def at(n: int) -> str | None:
        if 0 <= n < len(form.mondays):
            return _link(here, {"week": week_code(form.mondays[n]), **keep})
        return None

    feed = {"area": ward, "need": need}  # the results page's parameters
    if show == "events":
        feed["kind"] = "event"
    wards = dict(form.fields["ward"].choices)
    needs = dict(form.fields["need"].choices)
    return render(
        request,
        "portal/whats_on.html",
        {
            "form": form,
            "today": today,
            "selected": {**selected, "week": week_code(monday), "show": show},
            "monday": monday,
            "week_code": week_code(monday),
            "week_label": week_label(monday),
            "this_week": index == 0,
            "days": days,
            "count": len(items),
            "show": show,
            "ward": ward,
            "ward_name": wards.get(ward, "") if ward else "",
            "need": need,
            "need_name": needs.get(need, "") if need else "",
            "previous_url": at(index - 1),
            "previous_label": week_label(form.mondays[index - 1]) if index > 0 else "",
            "next_url": at(index + 1),
            "next_label": week_label(form.mondays[index + 1])
            if index + 1 < len(form.mondays)
            else "",
            "feed_url": _link(reverse("portal:search-ics"), feed),
            "feed_weeks": FEED_WEEKS,
        },
    )


# --- a feed for any search ----------------------------------------------------------------------

KINDS = {value for value, _ in Service.Kind.choices}


def feed_query(params: QueryDict, *, today: dt.date) -> tuple[SearchQuery | None, list[str]]:
    """The search a feed's address asks for, read by the results page's own form (so a
    feed takes exactly the results page's parameters), plus `kind` (event, activity…) for
    What's on. Returns the query, or None and what is wrong."""
    form = ResultsForm(params, choices=search_choices())
    problems = [message for _, message in form.error_list()] if not form.is_valid() else []
    kinds = tuple(dict.fromkeys(v.strip() for v in params.getlist("kind") if v.strip()))
    if bad := [k for k in kinds if k not in KINDS]:
        problems.append(f"We do not know the kind of listing ‘{bad[0]}’.")
    if problems:
        return None, problems
    query = dataclasses.replace(
        form.to_query(today=today),
        kinds=kinds,
        sort="soonest",  # the cap keeps the listings with the soonest dates
        page=1,
        per_page=MAX_PER_PAGE,
    )
    return query, []


def matching_ids(query: SearchQuery, *, limit: int) -> list:
    """The ids of up to `limit` matching listings, soonest first."""
    ids: list = []
    page = 1
    while len(ids) < limit:
        result = search(dataclasses.replace(query, page=page))
        ids += [hit.service_id for hit in result.hits]
        if page * query.per_page >= result.total or not result.hits:
            break
        page += 1
    return ids[:limit]


@require_safe
def search_calendar(request: HttpRequest) -> HttpResponse:
    """The next eight weeks of sessions of the listings a search finds (up to 200), as an
    iCalendar feed to subscribe to. A wrong parameter gets a page saying what is wrong."""
    today = facts.today()
    query, problems = feed_query(request.GET, today=today)
    ids = []
    if query is not None:
        try:
            ids = matching_ids(query, limit=FEED_MAX_LISTINGS)
        except SearchError as error:
            problems = [str(error)]
    if problems:
        return render(
            request, "portal/whats_on_feed_error.html", {"problems": problems}, status=400
        )
    listings = facts.listings_facts(ids, today=today)
    service_name = settings.COUNCIL["public_service_name"]
    body = ical.dates_calendar(
        listings,
        start=today,
        end=today + dt.timedelta(weeks=FEED_WEEKS, days=-1),
        base_url=base_url(request),
        domain=domain(request),
        name=f"{service_name}: {query.text or 'your search'}",
        description=f"What is on in the next {FEED_WEEKS} weeks, from {service_name}.",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="whats-on.ics"'
    response["Cache-Control"] = "public, max-age=3600"
    return response
