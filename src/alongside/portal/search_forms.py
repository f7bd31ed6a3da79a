"""The public search form (GET, so the address holds the whole search) and the near me form.

Every parameter is checked here and each problem gets its own plain-English message; the
search service is only asked once the form is valid. URL parameters:

    q            words
    need         needs taxonomy codes (any of them)
    audience     audience codes (any of them); with `need`, both must match
    type         service type codes (from "related needs" links; no checkboxes of its own)
    age          whole number, 0 to 120
    day          mon ... sun (any of them)
    time         morning, afternoon, evening (any of them)
    free         "yes"
    access       accessibility feature codes (all of them)
    area         a ward's GSS code or a neighbourhood's slug
    postcode     measure distance from this postcode (wins over lat/lng)
    lat, lng     measure distance from this point (the device's location)
    distance     miles: 0.5, 1, 2 or 5 (needs a postcode or a point)
    sort         relevance, distance (needs a postcode or a point) or soonest
    page         1 or more
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from alongside.core.postcodes import PostcodeLocation, PostcodeNotFound, locate_postcode
from alongside.directory.search.engine import DAYS, MAX_TEXT, SearchQuery

from .selectors import SearchChoices

PER_PAGE = 20
MAX_PAGE = 10_000
METRES_PER_MILE = 1609.344

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY_CHOICES = list(zip(DAYS, DAY_NAMES, strict=True))
TIME_CHOICES = [
    ("morning", "Morning (before 12pm)"),
    ("afternoon", "Afternoon (12pm to 5pm)"),
    ("evening", "Evening (after 5pm)"),
]
DISTANCE_CHOICES = [
    ("", "Any distance"),
    ("0.5", "Within half a mile"),
    ("1", "Within 1 mile"),
    ("2", "Within 2 miles"),
    ("5", "Within 5 miles"),
]
SORT_LABELS = {"relevance": "Best match", "distance": "Nearest first", "soonest": "Soonest first"}

# Each parameter, the element its error message links to. Parameters with no field of their
# own (type, lat, lng, page) point at the nearest thing the person can change.
ANCHORS = {
    "q": "q",
    "need": "need",
    "audience": "audience",
    "type": "need",
    "age": "age",
    "day": "day",
    "time": "time",
    "free": "free",
    "access": "access",
    "area": "area",
    "postcode": "postcode",
    "lat": "postcode",
    "lng": "postcode",
    "distance": "postcode",
    "sort": "sort",
    "page": "q",
}

# The order the fields come in on the page, for the error summary.
PAGE_ORDER = (
    "__all__", "q", "need", "type", "day", "time", "free", "audience", "age", "access", "area",
    "postcode", "lat", "lng", "distance", "sort", "page",
)  # fmt: skip

# The search service's names for its filters, and the URL parameters that set each one.
FILTER_PARAMS = {
    "needs": ("need", "audience", "type"),
    "age": ("age",),
    "free": ("free",),
    "days": ("day",),
    "times": ("time",),
    "wards": ("area",),
    "neighbourhoods": ("area",),
    "access": ("access",),
    "within_m": ("distance",),
}
FILTER_WORDS = {
    "needs": "the needs and who it is for",
    "age": "the age",
    "free": "‘free only’",
    "days": "the days",
    "times": "the time of day",
    "wards": "the area",
    "neighbourhoods": "the area",
    "access": "the accessibility needs",
    "within_m": "the distance",
}


BAD_POINT = "The location in the web address is not right. Type a postcode instead."


def _choice_message(what: str) -> str:
    return f"We do not know the {what} ‘%(value)s’. Choose from the list."


class ResultsForm(forms.Form):
    q = forms.CharField(
        label="What are you looking for?",
        required=False,
        max_length=MAX_TEXT,
        error_messages={
            "max_length": f"Search words must be {MAX_TEXT} characters or fewer. Try fewer words."
        },
    )
    need = forms.MultipleChoiceField(
        label="Need",
        required=False,
        error_messages={"invalid_choice": _choice_message("need")},
    )
    audience = forms.MultipleChoiceField(
        label="Who it is for",
        required=False,
        error_messages={"invalid_choice": _choice_message("group of people")},
    )
    type = forms.MultipleChoiceField(
        label="Kind of activity",
        required=False,
        error_messages={"invalid_choice": _choice_message("kind of activity")},
    )
    age = forms.IntegerField(
        label="Age",
        required=False,
        min_value=0,
        max_value=120,
        error_messages={
            "invalid": "Age must be a whole number, like 8",
            "min_value": "Age must be 0 or more",
            "max_value": "Age must be 120 or less",
        },
    )
    day = forms.MultipleChoiceField(
        label="Day",
        required=False,
        choices=DAY_CHOICES,
        error_messages={"invalid_choice": _choice_message("day")},
    )
    time = forms.MultipleChoiceField(
        label="Time of day",
        required=False,
        choices=TIME_CHOICES,
        error_messages={"invalid_choice": _choice_message("time of day")},
    )
    free = forms.ChoiceField(
        label="Cost",
        required=False,
        choices=[("", "Any cost"), ("yes", "Free only")],
        error_messages={"invalid_choice": "To see only free things, tick ‘Free only’"},
    )
    access = forms.MultipleChoiceField(
        label="Accessibility",
        required=False,
        error_messages={"invalid_choice": _choice_message("accessibility need")},
    )
    area = forms.ChoiceField(
        label="Area",
        required=False,
        error_messages={"invalid_choice": _choice_message("area")},
    )
    postcode = forms.CharField(label="Postcode", required=False, max_length=20)
    lat = forms.FloatField(
        required=False,
        min_value=-90,
        max_value=90,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), BAD_POINT),
    )
    lng = forms.FloatField(
        required=False,
        min_value=-180,
        max_value=180,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), BAD_POINT),
    )
    distance = forms.ChoiceField(
        label="Distance",
        required=False,
        choices=DISTANCE_CHOICES,
        error_messages={"invalid_choice": "Choose a distance from the list"},
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=list(SORT_LABELS.items()),
        error_messages={"invalid_choice": "Choose how to sort from the list"},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        error_messages={
            "invalid": "The page number must be a whole number, like 2",
            "min_value": "The page number must be 1 or more",
            "max_value": f"The page number must be {MAX_PAGE:,} or less",
        },
    )

    def __init__(self, data: QueryDict, *, choices: SearchChoices) -> None:
        super().__init__(data)
        self.choices = choices
        self.fields["need"].choices = [(t.code, t.name) for t in choices.needs]
        self.fields["audience"].choices = [(t.code, t.name) for t in choices.audiences]
        self.fields["type"].choices = [(t.code, t.name) for t in choices.types]
        self.fields["access"].choices = choices.access
        self.fields["area"].choices = [
            ("", "Anywhere"),
            *((a.value, a.name) for a in choices.neighbourhoods),
            *((a.value, a.name) for a in choices.wards),
        ]
        self.located: PostcodeLocation | None = None

    # --- checks ------------------------------------------------------------------------------

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def clean_postcode(self) -> str:
        raw = self.cleaned_data["postcode"].strip()
        if not raw:
            return ""
        try:
            self.located = locate_postcode(raw)
        except ValidationError as error:
            raise ValidationError(error.messages[0]) from None
        except PostcodeNotFound as error:
            raise ValidationError(str(error)) from None
        return self.located.postcode

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lat, lng = data.get("lat"), data.get("lng")
        if "lat" in data and "lng" in data and (lat is None) != (lng is None):
            self.add_error(
                "lat", "The location in the web address is not complete. Type a postcode instead."
            )
        located = self.has_point_source()
        if data.get("distance") and not located and "postcode" not in self.errors:
            self.add_error("distance", "Enter a postcode to search within a distance")
        if data.get("sort") == "distance" and not located and "postcode" not in self.errors:
            self.add_error("sort", "Enter a postcode to sort by distance")
        return data

    def has_point_source(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return self.located is not None or (
            data.get("lat") is not None and data.get("lng") is not None
        )

    # --- what the page needs ------------------------------------------------------------------

    @property
    def point(self) -> tuple[float, float] | None:
        if self.located is not None:
            return (self.located.lat, self.located.lon)
        data = getattr(self, "cleaned_data", {})
        if data.get("lat") is not None and data.get("lng") is not None:
            return (data["lat"], data["lng"])
        return None

    @property
    def sort_by(self) -> str:
        chosen = self.cleaned_data.get("sort") or ""
        if chosen:
            return chosen
        return "distance" if self.point is not None else "relevance"

    def to_query(self, *, today: dt.date) -> SearchQuery:
        """The search to run; only for a valid form."""
        data = self.cleaned_data
        term_ids = {t.code: str(t.id) for t in self.choices.needs}
        audience_ids = {t.code: str(t.id) for t in self.choices.audiences}
        type_ids = {t.code: str(t.id) for t in self.choices.types}
        needs = (
            *(term_ids[c] for c in data["need"]),
            *(audience_ids[c] for c in data["audience"]),
            *(type_ids[c] for c in data["type"]),
        )
        area = self.choices.area(data["area"]) if data["area"] else None
        distance = data.get("distance")
        return SearchQuery(
            text=data["q"],
            needs=needs,
            age=data["age"],
            free=data["free"] == "yes",
            days=tuple(data["day"]),
            times=tuple(data["time"]),
            wards=(area.value,) if area and area.is_ward else (),
            neighbourhoods=(area.value,) if area and not area.is_ward else (),
            access=tuple(data["access"]),
            point=self.point,
            within_m=round(float(distance) * METRES_PER_MILE) if distance else None,
            sort=self.sort_by,  # type: ignore[arg-type]
            page=data["page"] or 1,
            per_page=PER_PAGE,
            today=today,
        )

    def error_list(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary, in the order of the page."""
        found = []
        for name in PAGE_ORDER:
            for message in self.errors.get(name, []):
                found.append((ANCHORS.get(name, "q"), message))
        return found

    def first_error(self, *names: str) -> str:
        for name in names:
            if self.errors.get(name):
                return self.errors[name][0]
        return ""

    def filter_groups(self) -> list[dict[str, Any]]:
        """The checkbox groups of the filters, each with what is ticked (as sent, even when
        something else is wrong) and its problem, if any."""
        choices = self.choices
        groups: list[dict[str, Any]] = [
            {
                "name": "need",
                "legend": "Need",
                "options": [(t.code, t.name) for t in choices.needs],
            },
            {"name": "day", "legend": "Day", "options": DAY_CHOICES},
            {"name": "time", "legend": "Time of day", "options": TIME_CHOICES},
            {"name": "free", "legend": "Cost", "options": [("yes", "Free only")]},
            {
                "name": "audience",
                "legend": "Who it is for",
                "options": [(t.code, t.name) for t in choices.audiences],
            },
            {
                "name": "access",
                "legend": "Accessibility",
                "hint": "Show places that have all of these.",
                "options": choices.access,
            },
        ]
        types = self.chosen("type")
        if types:  # from a "related need" link: shown so it can be unticked
            options = [(t.code, t.name) for t in choices.types if t.code in types]
            groups.insert(1, {"name": "type", "legend": "Kind of activity", "options": options})
        for group in groups:
            name, chosen = group["name"], self.chosen(group["name"])
            group["error"] = self.first_error(name)
            # The first box's id is the field's name, so the error summary can link to it.
            group["options"] = [
                {
                    "id": name if n == 1 else f"{name}-{n}",
                    "value": value,
                    "label": label,
                    "checked": value in chosen,
                }
                for n, (value, label) in enumerate(group["options"], start=1)
            ]
            group["count"] = sum(1 for option in group["options"] if option["checked"])
            age_problem = False
            if name == "audience":  # the age box sits with "who it is for"
                group["count"] += 1 if self.data.get("age") else 0
                age_problem = bool(self.errors.get("age"))
            group["open"] = bool(group["count"] or group["error"] or age_problem)
        return groups

    def where(self, point: tuple[float, float] | None) -> dict[str, Any]:
        """The "Where" filters: area, postcode, the device's location and distance."""
        data = self.data
        area_error = self.first_error("area")
        postcode_error = self.first_error("postcode", "lat", "lng", "distance")
        device_point = bool(data.get("lat") and data.get("lng") and not data.get("postcode"))
        device_point = device_point and not self.errors.get("lat") and not self.errors.get("lng")
        count = sum(1 for name in ("area", "distance") if data.get(name))
        count += 1 if data.get("postcode") or device_point else 0
        return {
            "area_error": area_error,
            "postcode_error": postcode_error,
            "postcode": data.get("postcode", ""),
            "device_point": device_point,
            "distances": DISTANCE_CHOICES,
            "distance": data.get("distance", ""),
            "count": count,
            "open": bool(count or area_error or postcode_error),
            "point": point,
        }

    def value(self, name: str) -> Any:
        """What the person sent for a field (kept even when it is wrong)."""
        if name in self.fields and isinstance(self.fields[name], forms.MultipleChoiceField):
            return self.data.getlist(name)
        return self.data.get(name, "")

    def chosen(self, name: str) -> set[str]:
        return set(self.data.getlist(name))

    def filters_used(self) -> bool:
        return any(
            self.data.get(name)
            for name in ("need", "audience", "type", "age", "day", "time", "free", "access")
            + ("area", "postcode", "lat", "lng", "distance")
        )


def results_url(data: QueryDict, *, drop: tuple[str, ...] = (), **changes: str) -> str:
    """The results address for these parameters, without `drop` and the page (a new search
    starts at page 1), with `changes` set."""
    params: list[tuple[str, str]] = []
    for key, values in data.lists():
        if key in drop or key == "page" or key in changes:
            continue
        params.extend((key, v) for v in values if v != "")
    params.extend(changes.items())
    return "?" + urlencode(params) if params else "?"


def help_links(help_: dict[str, list], data: QueryDict, taxonomies: dict[str, str]) -> dict:
    """The search service's "no results" help as links the person can follow."""
    drops, seen = [], set()
    for item in help_.get("remove_filter", []):
        params = FILTER_PARAMS.get(item["filter"])
        if not params or params in seen:
            continue
        seen.add(params)
        drops.append(
            {
                "text": f"searching without {FILTER_WORDS[item['filter']]}",
                "count": item["count"],
                "url": results_url(data, drop=params),
            }
        )
    wards = [
        {
            "text": ward["name"],
            "count": ward["count"],
            "url": results_url(data, area=ward["code"]),
        }
        for ward in help_.get("nearby_wards", [])
    ]
    params = {"needs": "need", "audience": "audience", "service-types": "type"}
    related = []
    for need in help_.get("related_needs", []):
        taxonomy = taxonomies.get(need["code"])
        if taxonomy not in params:
            continue
        related.append(
            {
                "text": need["name"],
                "count": need["count"],
                "url": results_url(
                    data, drop=("need", "audience", "type"), **{params[taxonomy]: need["code"]}
                ),
            }
        )
    return {"remove": drops, "wards": wards, "related": related}


def past_the_end(page: int, pages: int) -> str:
    there = "is 1 page" if pages == 1 else f"are {pages:,} pages"
    return f"There is no page {page:,}: there {there} of results."


class NearMeForm(forms.Form):
    postcode = forms.CharField(
        label="Postcode",
        max_length=20,
        error_messages={
            "required": "Enter a postcode, like YO1 7HH",
            "max_length": "Enter a real postcode, like YO1 7HH",
        },
    )

    def clean_postcode(self) -> PostcodeLocation:
        try:
            return locate_postcode(self.cleaned_data["postcode"])
        except ValidationError as error:
            raise ValidationError(error.messages[0]) from None
        except PostcodeNotFound as error:
            raise ValidationError(str(error)) from None
