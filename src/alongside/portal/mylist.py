"""My list: listings a visitor keeps in their session (no account), and the forms that turn
it into a booklet or an email.

The list is `session[MY_LIST_SESSION_KEY]`, a list of listing ids as strings, oldest first,
never more than `settings.PORTAL_MY_LIST_MAX`. Only adding writes to the session, so a visitor
gets a session cookie only once they add something; emptying the list removes the key (and so
the cookie, for a visitor who is not signed in).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from alongside.core.forms import template_form_helper, text_field
from alongside.directory import schedules
from alongside.directory.models import Service
from alongside.directory.services import PUBLIC_STATES

from .context_processors import MY_LIST_SESSION_KEY
from .facts import ListingFacts, listings_facts, venue_line


class MyListError(Exception):
    """Something we could not do to the list, with a message for the visitor."""

    title = "There is a problem with your list"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotPublic(MyListError):
    title = "We could not add this to your list"


class ListFull(MyListError):
    title = "Your list is full"


@dataclass(frozen=True)
class Added:
    name: str
    already: bool  # it was in the list before


def my_list_ids(session: SessionBase) -> list[uuid.UUID]:
    """The ids in the list, oldest first. Reading never creates a session."""
    ids: list[uuid.UUID] = []
    for value in session.get(MY_LIST_SESSION_KEY, []):
        try:
            pk = uuid.UUID(str(value))
        except ValueError:
            continue  # not ours to fail on: a damaged entry is dropped when the list changes
        if pk not in ids:
            ids.append(pk)
    return ids


def _save(session: SessionBase, ids: Sequence[uuid.UUID]) -> None:
    if ids:
        session[MY_LIST_SESSION_KEY] = [str(pk) for pk in ids]
    elif MY_LIST_SESSION_KEY in session:
        del session[MY_LIST_SESSION_KEY]


def my_list_add(*, session: SessionBase, pk: uuid.UUID) -> Added:
    """Add a public listing to the end of the list. Adding one already there changes nothing.

    Raises NotPublic for a listing that does not exist or is not public, and ListFull when
    the list already holds PORTAL_MY_LIST_MAX listings."""
    name = (
        Service.objects.filter(pk=pk, state__in=PUBLIC_STATES)
        .values_list("name", flat=True)
        .first()
    )
    if name is None:
        raise NotPublic(
            "This listing is not on Live Well at the moment. It may have been removed, or it "
            "may not be ready yet."
        )
    ids = my_list_ids(session)
    if pk in ids:
        return Added(name=name, already=True)
    limit = settings.PORTAL_MY_LIST_MAX
    if len(ids) >= limit:
        raise ListFull(
            f"Your list can hold {limit} things, and it has {limit} now. Remove something "
            "from your list before you add more."
        )
    _save(session, [*ids, pk])
    return Added(name=name, already=False)


def my_list_remove(*, session: SessionBase, pk: uuid.UUID) -> str | None:
    """Take a listing out of the list; its name when it was there (None when it was not)."""
    ids = my_list_ids(session)
    if pk not in ids:
        return None
    _save(session, [other for other in ids if other != pk])
    name = Service.objects.filter(pk=pk).values_list("name", flat=True).first()
    return name or "The listing"


def my_list_clear(*, session: SessionBase) -> int:
    """Empty the list; how many listings it held."""
    count = len(my_list_ids(session))
    _save(session, [])
    return count


@dataclass(frozen=True)
class MyList:
    entries: list[ListingFacts]
    dropped: int  # listings in the session that are no longer public (now taken out)


def my_list_read(*, session: SessionBase, today: dt.date) -> MyList:
    """The listings in the list, oldest first, with their facts (a fixed number of queries).

    Listings that have stopped being public since they were added are taken out of the list,
    and counted, so the page can say so."""
    ids = my_list_ids(session)
    entries = listings_facts(ids, today=today) if ids else []
    if len(entries) < len(ids) or len(ids) != len(session.get(MY_LIST_SESSION_KEY, [])):
        _save(session, [entry.id for entry in entries])
    return MyList(entries=entries, dropped=len(ids) - len(entries))


# --- What an entry says, in words (the page and every booklet use these) -------------------


def when_lines(entry: ListingFacts) -> list[str]:
    """When it happens: each schedule in words; else its next dates; else who to ask."""
    if entry.when:
        return list(entry.when)
    lines = []
    for day, opens, closes in entry.next_dates[:3]:
        line = schedules.format_date(day)
        if opens and closes:
            line += f", {schedules.format_time(opens)} to {schedules.format_time(closes)}"
        elif opens:
            line += f", from {schedules.format_time(opens)}"
        lines.append(line)
    return lines or ["Ask the organiser when it happens"]


def where_lines(entry: ListingFacts) -> list[str]:
    """Where it happens: one line for each place ("Online" for a virtual one); [] when it
    happens nowhere in particular (a phone line, say)."""
    lines = []
    for venue in entry.venues:
        if venue.online:
            lines.append(venue.name if venue.name and venue.name != "Online" else "Online")
            continue
        if line := venue_line(venue):
            lines.append(line)
    return lines


# --- Forms ---------------------------------------------------------------------------------

LAYOUT_STANDARD, LAYOUT_LARGE, LAYOUT_EASY = "standard", "large", "easy"
LAYOUT_CHOICES = [
    Choice(LAYOUT_STANDARD, "Standard print", hint="Normal size text, like a leaflet."),
    Choice(
        LAYOUT_LARGE,
        "Large print",
        hint="Big text, at least 18 point, with more space. Good if small print is hard to read.",
    ),
    Choice(
        LAYOUT_EASY,
        "Easy read",
        hint="Short sentences, one idea on each line, big headings. One thing on each page.",
    ),
]
LAYOUT_MESSAGE = "Select standard print, large print or easy read"


def _layout_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="How should the booklet look?",
        choices=LAYOUT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": LAYOUT_MESSAGE, "invalid_choice": LAYOUT_MESSAGE},
    )


class BookletForm(forms.Form):
    """The booklet's layout and an optional name for its front page. The name is printed,
    never stored."""

    layout = _layout_field()
    name = text_field(
        "Name for the front page (optional)",
        60,
        name="Name",
        help_text="We print “Made for” and this name on the front page. We do not keep it.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.radios("layout", legend_size=Size.MEDIUM),
            Field.text("name", field_width=20),
            Submit("download", "Download the booklet (PDF)"),
        )

    @property
    def layout_helper(self) -> FormHelper:
        """Just the layout radios, for the short form on the My list page."""
        helper = template_form_helper()
        helper.layout = Layout(
            Field.radios("layout", legend_size=Size.MEDIUM),
            Submit("download", "Download the booklet (PDF)"),
        )
        return helper

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data.get("name", "").split())
        if any(not character.isprintable() for character in name):
            raise forms.ValidationError("Name must only use letters, numbers and punctuation")
        return name


class SendListForm(forms.Form):
    """A practitioner emails the list, as a booklet, to the person they built it for."""

    email = forms.EmailField(
        label="Their email address",
        max_length=254,
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    note = text_field(
        "A note for them (optional)",
        1000,
        name="The note",
        help_text="We put this at the top of the email. Do not include health or other private "
        "details.",
        textarea=True,
    )
    layout = _layout_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["layout"].label = "How should the booklet look?"
        self.helper = template_form_helper()
        self.helper.layout = Layout(
            Field.text("email", field_width=30),
            Field.textarea("note", rows=4),
            Field.radios("layout", legend_size=Size.MEDIUM),
            Submit("send", "Send the email"),
        )
