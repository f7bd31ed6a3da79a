"""My list, the booklet and emailing a list (issue 4).

Who: anyone for My list and the booklet (no account; the list lives in the session). Emailing
a list is for signed-in staff with `notify.send_message` (the roles that work with residents).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from alongside.core.http import safe_next
from alongside.core.permissions import staff_required
from alongside.notify.backends import get_backend

from .. import facts
from ..booklet import LAYOUTS, booklet_email
from ..booklet import booklet_pdf as render_booklet
from ..mylist import (
    BookletForm,
    MyListError,
    NotPublic,
    SendListForm,
    my_list_add,
    my_list_clear,
    my_list_ids,
    my_list_read,
    my_list_remove,
    when_lines,
    where_lines,
)

SEND_PERMISSION = "notify.send_message"


def _next_url(request: HttpRequest) -> str:
    """Where to go after changing the list: a `next` on this site, else the list itself."""
    return safe_next(request, "portal:my-list")


def _rows(entries: list[facts.ListingFacts]) -> list[dict[str, Any]]:
    return [{"facts": e, "when": when_lines(e), "where": where_lines(e)} for e in entries]


@never_cache
@require_safe
def show(request: HttpRequest) -> HttpResponse:
    """The listings in My list, with ways to get them as a booklet (and, for staff, to email
    them)."""
    mine = my_list_read(session=request.session, today=facts.today())
    return render(
        request,
        "portal/my_list.html",
        {
            "rows": _rows(mine.entries),
            "dropped": mine.dropped,
            "layout_form": BookletForm(),
            "can_send": request.user.has_perm(SEND_PERMISSION),
            "keep_hours": max(1, settings.SESSION_COOKIE_AGE // 3600),
        },
    )


@require_POST
def add(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    try:
        added = my_list_add(session=request.session, pk=pk)
    except MyListError as problem:
        return render(
            request,
            "portal/my_list_problem.html",
            {"problem": problem, "next": _next_url(request)},
            status=404 if isinstance(problem, NotPublic) else 409,
        )
    if added.already:
        messages.info(request, f"{added.name} is already in your list.")
    else:
        messages.success(request, f"{added.name} is now in your list.")
    return HttpResponseRedirect(_next_url(request))


@require_POST
def remove(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    name = my_list_remove(session=request.session, pk=pk)
    if name is not None:
        messages.success(request, f"{name} is no longer in your list.")
    return HttpResponseRedirect(_next_url(request))


@never_cache
@require_http_methods(["GET", "POST"])
def clear(request: HttpRequest) -> HttpResponse:
    """GET asks "are you sure?"; POST empties the list."""
    if request.method == "POST":
        if my_list_clear(session=request.session):
            messages.success(request, "Your list is now empty.")
        return redirect("portal:my-list")
    count = len(my_list_ids(request.session))
    if not count:
        return redirect("portal:my-list")
    return render(request, "portal/my_list_clear.html", {"count": count})


def _booklet_page(request: HttpRequest, form: BookletForm, *, status: int = 200) -> HttpResponse:
    count = len(my_list_ids(request.session))
    return render(
        request, "portal/my_list_booklet.html", {"form": form, "count": count}, status=status
    )


@never_cache
@require_safe
def booklet(request: HttpRequest) -> HttpResponse:
    """Choose the booklet's layout and, if wanted, a name for its front page."""
    return _booklet_page(request, BookletForm())


@never_cache
@require_http_methods(["GET", "POST"])
def booklet_pdf(request: HttpRequest) -> HttpResponse:
    """The booklet as a PDF download. GET takes `?layout=standard|large|easy`; the booklet
    page POSTs (so a name for the front page stays out of addresses and server logs)."""
    data = request.POST if request.method == "POST" else request.GET
    form = BookletForm(data)
    if not form.is_valid():
        # A layout nobody could have chosen (an edited link) is a bad request; a form sent
        # without a choice is shown again with its errors.
        chosen = data.get("layout", "")
        bad_link = request.method == "GET" and chosen and chosen not in LAYOUTS
        return _booklet_page(request, form, status=400 if bad_link else 200)
    mine = my_list_read(session=request.session, today=facts.today())
    if not mine.entries:
        return _booklet_page(request, BookletForm())
    layout = LAYOUTS[form.cleaned_data["layout"]]
    pdf = _make_pdf(request, mine.entries, layout=layout.key, made_for=form.cleaned_data["name"])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{layout.filename}"'
    return response


def _make_pdf(
    request: HttpRequest, entries: list[facts.ListingFacts], *, layout: str, made_for: str = ""
) -> bytes:
    return render_booklet(
        entries=entries,
        layout=layout,
        base_url=request.build_absolute_uri("/"),
        today=facts.today(),
        made_for=made_for,
    )


@never_cache
@staff_required(SEND_PERMISSION)
def send(request: HttpRequest) -> HttpResponse:
    """A practitioner emails the list, as a booklet, to the person they made it for. The
    message goes through the outbox and is audited; only the address and note are kept."""
    mine = my_list_read(session=request.session, today=facts.today())
    form = SendListForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and mine.entries and form.is_valid():
        try:
            message = booklet_email(
                actor=request.user,
                entries=mine.entries,
                to=form.cleaned_data["email"],
                note=form.cleaned_data["note"],
                layout=form.cleaned_data["layout"],
                base_url=request.build_absolute_uri("/"),
                today=facts.today(),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error("email" if field == "to" else None, problems)
        else:
            if get_backend().sends:
                text = f"We are sending the list by email. The reference is {message.reference}."
            else:
                text = (
                    f"The email is saved in the outbox with reference {message.reference}. "
                    "This service is set up not to send emails, so it will not reach them."
                )
            messages.success(request, text)
            return redirect("portal:my-list")
    return render(request, "portal/my_list_send.html", {"form": form, "count": len(mine.entries)})
