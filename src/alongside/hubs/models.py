"""Talking Points: the front door and booked conversations in community hubs.

A first contact at the front door ends in a decision. One of those decisions is a booked
Talking Point: a face-to-face conversation at a community hub within days, instead of weeks
on the assessment waiting list. The other route, a full Care Act assessment, is recorded too
(`AssessmentRequest`), so the two can be compared.

Hubs are directory venues. Each hub runs recurring sessions; slots are generated from each
session's schedule (an RFC 5545 rule) and removed by closures. A booking takes one seat of a
slot: the seat is unique among a slot's live bookings and the slot's booked count can never
pass its capacity, so two people can never hold the same place (enforced by the database).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from alongside.accounts.models import Team
from alongside.core.models import BaseModel, Neighbourhood, Ward
from alongside.directory.models import Location, Service
from alongside.people.models import Person


class AccessNeed(models.TextChoices):
    """What a person needs from the place or the conversation."""

    STEP_FREE = "step_free", "Step-free access"
    HEARING_LOOP = "hearing_loop", "Hearing loop"
    INTERPRETER = "interpreter", "An interpreter"


class Hub(BaseModel):
    """A community hub holding Talking Points: a venue from the directory, run by a team."""

    location = models.OneToOneField(Location, on_delete=models.PROTECT, related_name="hub")
    name = models.CharField(max_length=200)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="hubs", help_text="The team that runs it"
    )
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="hubs")
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL, related_name="hubs"
    )
    step_free = models.BooleanField("step-free access", default=False)
    hearing_loop = models.BooleanField(default=False)
    interpreters = models.BooleanField(
        "can arrange interpreters", default=True, help_text="Face to face or by phone"
    )
    directions = models.TextField("how to get there", blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("manage_hubs", "Can set up hubs, sessions and closures"),
            ("view_hub_figures", "Can see Talking Points figures"),
        ]

    def __str__(self) -> str:
        return self.name

    def meets(self, needs: list[str] | tuple[str, ...]) -> bool:
        """Whether the hub meets every access need in the list."""
        have = {
            AccessNeed.STEP_FREE: self.step_free,
            AccessNeed.HEARING_LOOP: self.hearing_loop,
            AccessNeed.INTERPRETER: self.interpreters,
        }
        return all(have.get(need, False) for need in needs)


class Session(BaseModel):
    """A recurring Talking Point session at a hub: for example every Tuesday 10:00-13:00,
    45-minute conversations, two practitioners (two people seen at once)."""

    class Kind(models.TextChoices):
        BOOKED = "booked", "Booked conversations"
        DROP_IN = "drop_in", "Drop-in"
        CARERS = "carers", "Carers' appointments"

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="sessions")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BOOKED)
    rrule = models.CharField(
        "repeats",
        max_length=300,
        help_text="An RFC 5545 rule without DTSTART, e.g. FREQ=WEEKLY;BYDAY=TU",
    )
    starts_on = models.DateField("first date")
    ends_on = models.DateField("last date", null=True, blank=True)
    start_time = models.TimeField()
    end_time = models.TimeField()
    appointment_minutes = models.PositiveSmallIntegerField(
        "length of each conversation in minutes",
        default=45,
        validators=[MinValueValidator(10), MaxValueValidator(240)],
    )
    capacity = models.PositiveSmallIntegerField(
        "people seen at the same time",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    practitioners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="talking_point_sessions"
    )
    public_booking = models.BooleanField(
        "residents can book online", default=True, help_text="When online booking is switched on"
    )
    is_active = models.BooleanField(default=True)
    generated_until = models.DateField(
        null=True, blank=True, editable=False, help_text="Slots exist up to this date"
    )

    class Meta:
        ordering = ["hub__name", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="hubs_session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="hubs_session_dates_in_order",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="hubs_session_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.hub}"


class Closure(BaseModel):
    """Days with no Talking Points: a bank holiday (every hub), a hub closed, or one session
    cancelled. Slots in a closure are closed; anyone booked is told and offered other slots."""

    hub = models.ForeignKey(
        Hub,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closures",
        help_text="Empty for every hub (a bank holiday)",
    )
    session = models.ForeignKey(
        Session,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closures",
        help_text="Only this session",
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="hubs_closure_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.starts_on} to {self.ends_on})"


class Slot(models.Model):
    """One appointment time of a session. `booked` counts its live bookings (kept by the
    booking services with conditional updates) and can never exceed `capacity`."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    id = models.BigAutoField(primary_key=True)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="slots")
    # Copied from the session so that a slot search reads one table.
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="slots")
    kind = models.CharField(max_length=10, choices=Session.Kind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closure = models.ForeignKey(
        Closure, null=True, blank=True, on_delete=models.SET_NULL, related_name="slots"
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "starts_at"], name="hubs_slot_unique"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="hubs_slot_not_overbooked"
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="hubs_slot_times"),
        ]
        indexes = [
            # Free slots from a date, across hubs or at one hub.
            models.Index(fields=["status", "kind", "starts_at"], name="hubs_slot_search"),
            models.Index(fields=["hub", "starts_at"], name="hubs_slot_hub_time"),
        ]

    def __str__(self) -> str:
        return f"{self.hub_id} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def free(self) -> int:
        return self.capacity - self.booked if self.status == self.Status.OPEN else 0


class FirstContact(BaseModel):
    """A first contact at the front door and the decision taken. The first-contact date is
    kept for every route, so days to being seen can be compared across routes."""

    class MadeBy(models.TextChoices):
        PERSON = "person", "The person themselves"
        FAMILY = "family", "Family, a friend or a neighbour"
        PROFESSIONAL = "professional", "A professional"

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email or online form"
        IN_PERSON = "in_person", "In person"

    class Urgency(models.TextChoices):
        ROUTINE = "routine", "Routine"
        SOON = "soon", "Soon (within a week)"
        URGENT = "urgent", "Urgent (today)"

    class Decision(models.TextChoices):
        INFORMATION = "information", "Information and advice given"
        TALKING_POINT = "talking_point", "Book a Talking Point"
        LAC = "lac", "Introduce to Local Area Coordination"
        SOCIAL_PRESCRIBING = "social_prescribing", "Refer to social prescribing"
        ASSESSMENT = "assessment", "Full Care Act assessment"
        URGENT_RESPONSE = "urgent_response", "Urgent response"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="first_contacts")
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        related_name="first_contacts",
        help_text="The front-door team that took the contact",
    )
    ward = models.ForeignKey(
        Ward,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Where the person lived at the time",
    )
    contact_date = models.DateField("date of first contact", db_index=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PHONE)
    made_by = models.CharField("who made contact", max_length=15, choices=MadeBy.choices)
    contact_name = models.CharField("their name", max_length=150, blank=True)
    contact_organisation = models.CharField("their organisation", max_length=150, blank=True)
    contact_details = models.CharField("how to reach them", max_length=200, blank=True)
    what_matters = models.TextField("what matters to the person", blank=True)
    worries = models.TextField("what is worrying them", blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    safeguarding = models.BooleanField("safeguarding concern", default=False)
    safeguarding_details = models.TextField(blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_notes = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Where the decision led, when it led to a record elsewhere.
    introduction = models.ForeignKey(
        "casework.Introduction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    referral = models.ForeignKey(
        "casework.Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-contact_date", "-created_at"]
        indexes = [
            models.Index(fields=["team", "-contact_date"], name="hubs_contact_team_date"),
            models.Index(fields=["decision", "contact_date"], name="hubs_contact_decision"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="") | Q(decided_at__isnull=False),
                name="hubs_contact_decision_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"First contact on {self.contact_date}"


class AssessmentRequest(BaseModel):
    """A full Care Act assessment on the waiting list: from the front door (the old route)
    or requested at a Talking Point. Recorded so days to assessment and what followed can be
    set against the Talking Point route."""

    class Route(models.TextChoices):
        FRONT_DOOR = "front_door", "Straight from the front door"
        TALKING_POINT = "talking_point", "After a Talking Point"

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        ASSESSED = "assessed", "Assessed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessments")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="assessments")
    route = models.CharField(max_length=15, choices=Route.choices)
    first_contact = models.ForeignKey(
        FirstContact, null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    conversation = models.ForeignKey(
        "Conversation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    requested_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    assessed_on = models.DateField(null=True, blank=True)
    paid_service_needed = models.BooleanField(
        "paid-for service needed", null=True, blank=True, help_text="Known once assessed"
    )
    withdrawn_reason = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_on"]
        indexes = [models.Index(fields=["status", "requested_on"], name="hubs_assess_waiting")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="assessed") | Q(assessed_on__isnull=False),
                name="hubs_assessed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(assessed_on__isnull=True) | Q(assessed_on__gte=F("requested_on")),
                name="hubs_assessed_after_request",
            ),
        ]

    def __str__(self) -> str:
        return f"Assessment requested {self.requested_on}"


class Booking(BaseModel):
    """A person's place in a slot. A live booking (status booked, attended or did not
    attend) holds one seat of the slot; a cancelled one gives the seat back."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        ATTENDED = "attended", "Attended"
        DID_NOT_ATTEND = "did_not_attend", "Did not attend"
        CANCELLED = "cancelled", "Cancelled"

    class Channel(models.TextChoices):
        STAFF = "staff", "Booked by staff"
        ONLINE = "online", "Booked online by the person"

    class CancelledBy(models.TextChoices):
        PERSON = "person", "The person"
        STAFF = "staff", "Staff"
        SESSION = "session", "The session was cancelled"

    LIVE = (Status.BOOKED, Status.ATTENDED, Status.DID_NOT_ATTEND)

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    seat = models.PositiveSmallIntegerField(help_text="1 to the slot's capacity")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="hub_bookings")
    first_contact = models.ForeignKey(
        FirstContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.BOOKED)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.STAFF)
    access_needs = models.JSONField(default=list, blank=True)
    interpreter_language = models.CharField(max_length=60, blank=True)
    notes = models.CharField("anything the practitioner should know", max_length=500, blank=True)
    # Where messages about the booking go (copied from the person, or given online).
    email = models.EmailField(blank=True)
    mobile = models.CharField(max_length=20, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=10, choices=CancelledBy.choices, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    rebooked_as = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rebooked_from"
    )
    # Bumped whenever the booking changes, so links sent earlier stop working.
    token_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["slot__starts_at"]
        constraints = [
            # One live booking per seat: the database's guarantee of no double booking.
            models.UniqueConstraint(
                fields=["slot", "seat"],
                condition=~Q(status="cancelled"),
                name="hubs_booking_one_per_seat",
            ),
            # And a person holds at most one place in a slot.
            models.UniqueConstraint(
                fields=["slot", "person"],
                condition=~Q(status="cancelled"),
                name="hubs_booking_once_per_slot",
            ),
            models.CheckConstraint(condition=Q(seat__gte=1), name="hubs_booking_seat_from_one"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="hubs_booking_cancelled_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "reminder_sent_at"], name="hubs_booking_reminders"),
            models.Index(fields=["person", "status"], name="hubs_booking_person"),
        ]

    def __str__(self) -> str:
        return f"Booking {self.pk}"


class BookingMessage(models.Model):
    """Each message sent about a booking, linked to its copy in the outbox."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Confirmation"
        REMINDER = "reminder", "Reminder the day before"
        CANCELLED = "cancelled", "Cancellation"
        SESSION_CANCELLED = "session_cancelled", "Session cancelled, with other times"
        REBOOKED = "rebooked", "New time confirmed"
        WAITING_LIST_OFFER = "waiting_list_offer", "A place came free"
        SURVEY = "survey", "How did it go?"

    id = models.BigAutoField(primary_key=True)
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    waiting = models.ForeignKey(
        "WaitingListEntry",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.ForeignKey("notify.OutboxMessage", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.get_kind_display()


class WaitingListEntry(BaseModel):
    """Someone waiting for a place at a hub that was full. Freed slots are offered to the
    longest-waiting person first."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        OFFERED = "offered", "Offered a place"
        BOOKED = "booked", "Booked"
        REMOVED = "removed", "Taken off the list"

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="waiting_list")
    kind = models.CharField(
        max_length=10, choices=Session.Kind.choices, default=Session.Kind.BOOKED
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="hub_waiting")
    first_contact = models.ForeignKey(
        FirstContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    access_needs = models.JSONField(default=list, blank=True)
    email = models.EmailField(blank=True)
    mobile = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    offered_slot = models.ForeignKey(
        Slot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    booking = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="from_waiting"
    )
    removed_reason = models.CharField(max_length=200, blank=True)
    token_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "person"],
                condition=Q(status__in=["waiting", "offered"]),
                name="hubs_waiting_once_per_hub",
            )
        ]
        indexes = [models.Index(fields=["hub", "status", "created_at"], name="hubs_waiting")]

    def __str__(self) -> str:
        return f"Waiting at {self.hub_id}"


class Conversation(BaseModel):
    """A Talking Point conversation: from a booking, or at a drop-in (no booking)."""

    class Attendance(models.TextChoices):
        ATTENDED = "attended", "Attended"
        DID_NOT_ATTEND = "did_not_attend", "Did not attend"
        CANCELLED = "cancelled", "Cancelled on the day"

    booking = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="conversation"
    )
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="conversations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="hub_conversations")
    first_contact = models.ForeignKey(
        FirstContact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    held_on = models.DateField(db_index=True)
    attendance = models.CharField(max_length=15, choices=Attendance.choices)
    what_matters = models.TextField("what matters to the person", blank=True)
    strengths = models.TextField(blank=True)
    people_around = models.TextField("the people around them", blank=True)
    notes = models.TextField(blank=True)
    # Outcomes: any of these.
    information_advice = models.BooleanField("information and advice", default=False)
    connected_activity = models.BooleanField("connected to a community activity", default=False)
    introduced_lac = models.BooleanField("introduced to a Local Area Coordinator", default=False)
    referred_social_prescribing = models.BooleanField(
        "referred to social prescribing", default=False
    )
    equipment = models.BooleanField("equipment or minor adaptation", default=False)
    carer_support = models.BooleanField(default=False)
    assessment_requested = models.BooleanField("full assessment requested", default=False)
    paid_service_needed = models.BooleanField("paid-for service needed", default=False)
    listings = models.ManyToManyField(
        Service,
        blank=True,
        related_name="talking_point_connections",
        help_text="The community activities the person was connected to",
    )
    survey_token_version = models.PositiveIntegerField(default=1)

    OUTCOME_FIELDS = (
        "information_advice",
        "connected_activity",
        "introduced_lac",
        "referred_social_prescribing",
        "equipment",
        "carer_support",
        "assessment_requested",
        "paid_service_needed",
    )

    class Meta:
        ordering = ["-held_on"]
        indexes = [models.Index(fields=["hub", "held_on"], name="hubs_conversation_hub_day")]

    def __str__(self) -> str:
        return f"Conversation on {self.held_on}"


class SurveyResponse(BaseModel):
    """How the person felt it went: 1 (very poor) to 5 (very good), and a comment. Given by
    the link sent after the conversation, or typed in from a paper form."""

    class Source(models.TextChoices):
        LINK = "link", "Online, by the link"
        PAPER = "paper", "Paper form"

    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, related_name="survey"
    )
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="hubs_survey_score_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.score} of 5"
