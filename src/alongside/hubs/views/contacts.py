"""The front door: recording a first contact (find or add the person, then one form), the
decision, the team's list of contacts, and the assessment waiting list.

Who may use them: the contact pages need hubs.view_firstcontact (a contact is seen by the
front-door team that took it and by a hub team it was booked with); recording one needs
hubs.add_firstcontact and membership of a front-door team; deciding needs
hubs.change_firstcontact and membership of the contact's team. The waiting list needs
hubs.view_assessmentrequest (requests of the user's teams only); recording an assessment or
withdrawing a request needs hubs.change_assessmentrequest too. Anything the user may not see
is a 404. Opening a contact or a request is audited against the person.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from alongside.core.forms import add_service_errors
from alongside.core.http import posted
from alongside.core.pagination import paginate
from alongside.core.permissions import staff_required
from alongside.people import selectors as people_selectors
from alongside.people import services as people_services
from alongside.people.duplicates import find_possible_duplicates

from .. import selectors
from ..forms.contacts import (
    NEW_RECORD,
    UNDECIDED,
    AssessedForm,
    ContactFilterForm,
    ContactForm,
    DecisionForm,
    NewPersonForm,
    WithdrawForm,
)
from ..models import AssessmentRequest, FirstContact
from ..selectors import ADD_CONTACT, CHANGE_ASSESSMENT, VIEW_ASSESSMENT, VIEW_CONTACT
from ..services import contacts as services

CHANGE_CONTACT = services.CHANGE_CONTACT
PAGE_SIZE = 25
FIND_PAGE_SIZE = 10
D = FirstContact.Decision
PERSON_REASON = "First contact at the front door"


def _booking_url(contact: FirstContact) -> str | None:
    """Where to book a Talking Point for the contact (None until booking is built)."""
    try:
        return f"{reverse('hubs:book')}?contact={contact.pk}"
    except NoReverseMatch:
        return None


def _after_decision(request: HttpRequest, contact: FirstContact) -> HttpResponse:
    if contact.decision == D.TALKING_POINT:
        url = _booking_url(contact)
        if url:
            messages.success(request, "Now choose a time for the Talking Point.")
            return redirect(url)
    messages.success(request, _decided_message(contact))
    return redirect("hubs:contact", pk=contact.pk)


def _decided_message(contact: FirstContact) -> str:
    name = contact.person.display_name
    return {
        D.INFORMATION: "The first contact is recorded: information and advice given.",
        D.TALKING_POINT: f"The first contact is recorded. Book a Talking Point for {name}.",
        D.LAC: f"{name} has been introduced to Local Area Coordination.",
        D.SOCIAL_PRESCRIBING: f"The referral for {name} has been sent to social prescribing.",
        D.ASSESSMENT: f"{name} is on the assessment waiting list.",
        D.URGENT_RESPONSE: "The first contact and the urgent response are recorded.",
    }.get(contact.decision, "The first contact is recorded. Decide what happens next later.")


# --- recording a first contact --------------------------------------------------------------


@staff_required(ADD_CONTACT, "people.view_person")
@never_cache
def contact_new(request: HttpRequest) -> HttpResponse:
    """Step 1 finds the person among the records the officer may see, or adds them (after a
    check for records that may be the same person); step 2 (?person=<id>) is the contact
    itself, with the decision now or later."""
    teams = services.front_door_teams(user=request.user)
    if not teams:
        return render(request, "hubs/contacts/no_team.html")
    person_pk = request.GET.get("person")
    if not person_pk:
        return _find_or_add(request, teams)
    person = people_selectors.person_get_for_user(user=request.user, pk=person_pk)
    initial: dict[str, Any] = {}
    if request.GET.get("team"):
        initial["team"] = request.GET["team"]
    form = ContactForm(posted(request), teams=teams, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_create(
                actor=request.user, person=person, team=form.team(), **form.contact_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _after_decision(request, contact)
    return render(request, "hubs/contacts/contact_form.html", {"form": form, "person": person})


def _find_or_add(request: HttpRequest, teams: list[Any]) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    page = pagination = None
    if query:
        people = people_selectors.person_list_for_user(user=request.user, query=query)
        page, pagination = paginate(request, people, FIND_PAGE_SIZE)
    form = NewPersonForm(posted(request), teams=teams)
    if request.method == "POST" and form.is_valid():
        values = form.person_fields()
        matches = find_possible_duplicates(
            given_name=values["given_name"],
            family_name=values["family_name"],
            date_of_birth=values["date_of_birth"],
        )
        team = form.cleaned_data.get("team") or teams[0]
        choice = form.cleaned_data.get("choice") or ""
        known = {str(m.person.pk): m.person for m in matches}
        if matches and choice not in (NEW_RECORD, *known):
            # Ask before adding a record: these may be the same person.
            people_services.person_matches_shown_record(
                actor=request.user, people=[m.person for m in matches]
            )
            form = NewPersonForm(request.POST, teams=teams, matches=matches)
            form.is_valid()
            if choice:
                form.add_error("choice", "Choose a record from the list, or add a new one")
            return render(
                request,
                "hubs/contacts/find.html",
                {"form": form, "query": query, "page": page, "pagination": pagination},
            )
        try:
            if choice in known:
                person = known[choice]
                people_services.person_use_existing(
                    actor=request.user, person=person, team=team, reason=PERSON_REASON
                )
            else:
                person = people_services.person_create(
                    actor=request.user, team=team, reason=PERSON_REASON, **values
                )
        except ValidationError as error:
            form = NewPersonForm(request.POST, teams=teams, matches=matches)
            form.is_valid()
            add_service_errors(form, error)
        else:
            url = f"{reverse('hubs:contact-new')}?person={person.pk}"
            if len(teams) > 1:
                url += f"&team={team.pk}"
            return redirect(url)
    return render(
        request,
        "hubs/contacts/find.html",
        {"form": form, "query": query, "page": page, "pagination": pagination},
    )


# --- one contact and its decision ----------------------------------------------------------


@staff_required(VIEW_CONTACT)
@never_cache
def contact_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    """A first contact: who, what matters, flags, the decision and where it led (bookings,
    an introduction, a referral, an assessment request)."""
    contact = selectors.contact_get_for_user(user=request.user, pk=pk)
    services.contact_view_record(actor=request.user, contact=contact)
    bookings = list(
        selectors.visible_bookings(user=request.user)
        .filter(first_contact=contact)
        .order_by("slot__starts_at")
    )
    assessments = list(
        selectors.visible_assessments(user=request.user).filter(first_contact=contact)
    )
    can_decide = (
        not contact.decision
        and request.user.has_perm(CHANGE_CONTACT)
        and selectors.team_ids_for_user(request.user).filter(team_id=contact.team_id).exists()
    )
    return render(
        request,
        "hubs/contacts/contact.html",
        {
            "contact": contact,
            "person": contact.person,
            "bookings": bookings,
            "assessments": assessments,
            "can_decide": can_decide,
            "booking_url": _booking_url(contact)
            if contact.decision == D.TALKING_POINT and request.user.has_perm(selectors.ADD_BOOKING)
            else None,
            "introduction": contact.introduction,
            "referral": contact.referral,
        },
    )


@staff_required(VIEW_CONTACT, CHANGE_CONTACT)
@never_cache
def contact_decide(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Decide what happens after a contact recorded without a decision. Once made, it is
    final."""
    contact = selectors.contact_get_for_user(user=request.user, pk=pk)
    if not selectors.team_ids_for_user(request.user).filter(team_id=contact.team_id).exists():
        raise PermissionDenied("Only the front-door team that took the contact can decide.")
    if contact.decision:
        messages.info(
            request,
            f"A decision has already been made ({contact.get_decision_display().lower()}). "
            "It cannot be changed.",
        )
        return redirect("hubs:contact", pk=contact.pk)
    form = DecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_decide(
                actor=request.user,
                contact=contact,
                decision=form.cleaned_data["decision"],
                notes=form.cleaned_data["decision_notes"],
                **form.decision_details(),
            )
        except ValidationError as error:
            add_service_errors(form, error, fallback="decision")
        else:
            return _after_decision(request, contact)
    return render(
        request,
        "hubs/contacts/decide.html",
        {"form": form, "contact": contact, "person": contact.person},
    )


# --- the team's contacts ------------------------------------------------------------------


@staff_required(VIEW_CONTACT)
@never_cache
def contact_list(request: HttpRequest) -> HttpResponse:
    """The first contacts the user may see, newest first, filtered and paged."""
    filters = ContactFilterForm(request.GET or None)
    contacts = selectors.visible_contacts(user=request.user).order_by(
        "-contact_date", "-created_at"
    )
    filtered = False
    if filters.is_bound and filters.is_valid():
        data = filters.cleaned_data
        if data["decision"] == UNDECIDED:
            contacts = contacts.filter(decision="")
        elif data["decision"]:
            contacts = contacts.filter(decision=data["decision"])
        if data["urgent"]:
            contacts = contacts.filter(
                Q(urgency=FirstContact.Urgency.URGENT) | Q(decision=D.URGENT_RESPONSE)
            )
        if data["safeguarding"]:
            contacts = contacts.filter(safeguarding=True)
        if data["since"]:
            contacts = contacts.filter(contact_date__gte=data["since"])
        if data["until"]:
            contacts = contacts.filter(contact_date__lte=data["until"])
        filtered = any(v not in (None, "", False) for v in data.values())
    page, pagination = paginate(request, contacts, PAGE_SIZE)
    return render(
        request,
        "hubs/contacts/list.html",
        {
            "filters": filters,
            "page": page,
            "pagination": pagination,
            "filtered": filtered,
            "can_add": request.user.has_perm(ADD_CONTACT),
        },
    )


# --- the assessment waiting list ----------------------------------------------------------


@staff_required(VIEW_ASSESSMENT)
@never_cache
def assessment_list(request: HttpRequest) -> HttpResponse:
    """People waiting for a Care Act assessment with the user's teams, oldest first, with
    how long each has waited and by which route."""
    waiting = (
        selectors.visible_assessments(user=request.user)
        .filter(status=AssessmentRequest.Status.WAITING)
        .order_by("requested_on", "created_at")
    )
    page, pagination = paginate(request, waiting, PAGE_SIZE)
    today = timezone.localdate()
    rows = [{"request": r, "days": (today - r.requested_on).days} for r in page.object_list]
    return render(
        request,
        "hubs/assessments/list.html",
        {"page": page, "pagination": pagination, "rows": rows},
    )


def _assessment_for(request: HttpRequest, pk: UUID) -> AssessmentRequest:
    try:
        return selectors.visible_assessments(user=request.user).get(pk=pk)
    except AssessmentRequest.DoesNotExist:
        raise Http404("No such request") from None


ASSESSMENT_ACTIONS = ("assessed", "withdraw")


@staff_required(VIEW_ASSESSMENT)
@never_cache
def assessment_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    """One request: who, since when, by which route, and what came of it. With ?do=assessed
    or ?do=withdraw (hubs.change_assessmentrequest), the form to record the assessment or to
    take the person off the list."""
    assessment = _assessment_for(request, pk)
    action = request.GET.get("do")
    if action in ASSESSMENT_ACTIONS:
        if not request.user.has_perm(CHANGE_ASSESSMENT):
            raise PermissionDenied("You do not have a role that changes assessment requests.")
        if assessment.status != AssessmentRequest.Status.WAITING:
            messages.info(
                request, f"This request is already {assessment.get_status_display().lower()}."
            )
            return redirect("hubs:assessment", pk=assessment.pk)
        if action == "assessed":
            return _assessment_assessed(request, assessment)
        return _assessment_withdraw(request, assessment)
    services.assessment_view_record(actor=request.user, request=assessment)
    return render(
        request,
        "hubs/assessments/detail.html",
        {
            "assessment": assessment,
            "person": assessment.person,
            "days": (timezone.localdate() - assessment.requested_on).days,
            "can_change": assessment.status == AssessmentRequest.Status.WAITING
            and request.user.has_perm(CHANGE_ASSESSMENT),
        },
    )


def _assessment_assessed(request: HttpRequest, assessment: AssessmentRequest) -> HttpResponse:
    """Record that the person was assessed, and whether a paid-for service is needed."""
    form = AssessedForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_record(
                actor=request.user,
                request=assessment,
                assessed_on=form.cleaned_data["assessed_on"],
                paid_service_needed=form.cleaned_data["paid_service_needed"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The assessment is recorded.")
            return redirect("hubs:assessment", pk=assessment.pk)
    return render(
        request,
        "hubs/assessments/assessed.html",
        {"form": form, "assessment": assessment, "person": assessment.person},
    )


def _assessment_withdraw(request: HttpRequest, assessment: AssessmentRequest) -> HttpResponse:
    """Take the person off the waiting list without an assessment, saying why."""
    form = WithdrawForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_withdraw(
                actor=request.user, request=assessment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{assessment.person.display_name} is off the assessment waiting list."
            )
            return redirect("hubs:assessment", pk=assessment.pk)
    return render(
        request,
        "hubs/assessments/withdraw.html",
        {"form": form, "assessment": assessment, "person": assessment.person},
    )


urlpatterns = [
    path("contacts/", contact_list, name="contacts"),
    path("contacts/new/", contact_new, name="contact-new"),
    path("contacts/<uuid:pk>/", contact_detail, name="contact"),
    path("contacts/<uuid:pk>/decide/", contact_decide, name="contact-decide"),
    path("assessments/", assessment_list, name="assessments"),
    path("assessments/<uuid:pk>/", assessment_detail, name="assessment"),
]
