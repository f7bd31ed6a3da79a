"""Casework: walking alongside people. One app serves every casework programme (Local Area
Coordination first, social prescribing next); `programmes.py` says how each one differs.

An introduction opens a support episode for a person in a programme. The episode holds the
good-life conversation, the shared agreement (goals and actions), connections to the
directory, the timeline of contacts, stories, and how it closed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from alongside.accounts.models import Programme, Team
from alongside.core.models import BaseModel, Ward
from alongside.people.models import Consent, Person


class ReferenceItem(models.Model):
    """A configurable list entry kept as data (editable in the Django admin), not as code."""

    code = models.SlugField(max_length=60, primary_key=True)
    label = models.CharField(max_length=150)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering = ["order", "label"]

    def __str__(self) -> str:
        return self.label


class IntroductionReason(ReferenceItem):
    """Why someone was introduced: mental health, isolation, housing, money..."""

    class Meta(ReferenceItem.Meta):
        verbose_name = "reason for an introduction"


class DiversionKind(ReferenceItem):
    """A service need that support avoided or delayed, for the cost-avoided figures."""

    class Meta(ReferenceItem.Meta):
        verbose_name = "kind of need avoided or delayed"


class Introduction(BaseModel):
    """Anyone may introduce a person: no formal referral, no criteria but living in an area
    the programme covers. Each introduction opens one episode."""

    class Source(models.TextChoices):
        SELF = "self", "The person themselves"
        FAMILY_FRIEND = "family_friend", "Family or friend"
        NEIGHBOUR = "neighbour", "Neighbour"
        ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
        CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
        MENTAL_HEALTH = "mental_health", "Mental health services"
        HOUSING = "housing", "Housing"
        GP = "gp", "GP practice"
        HOSPITAL = "hospital", "Hospital"
        COMMUNITY_THERAPY = "community_therapy", "Community therapy"
        POLICE = "police", "Police"
        VOLUNTARY_GROUP = "voluntary_group", "Voluntary or community group"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="introductions")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="introductions")
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.PROTECT, related_name="introductions"
    )
    source = models.CharField("who introduced them", max_length=30, choices=Source.choices)
    source_other = models.CharField("other source", max_length=150, blank=True)
    introducer_name = models.CharField(max_length=150, blank=True)
    introducer_organisation = models.CharField(max_length=150, blank=True)
    introducer_contact = models.CharField("how to reach the introducer", max_length=200, blank=True)
    reasons = models.ManyToManyField(IntroductionReason, related_name="introductions")
    reasons_other = models.CharField("other reason", max_length=200, blank=True)
    notes = models.TextField("what the introducer told us", blank=True)
    received_on = models.DateField("date of the introduction")

    class Meta:
        ordering = ["-received_on", "-created_at"]
        indexes = [models.Index(fields=["programme", "received_on"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="other") | ~Q(source_other=""),
                name="introduction_other_source_named",
                violation_error_message="Say who introduced them",
            )
        ]

    def __str__(self) -> str:
        return f"Introduction of {self.person} on {self.received_on:%d %b %Y}"


class Episode(BaseModel):
    """A period of support for one person in one programme, held by a team and assigned to
    one worker (a coordinator or link worker)."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        CLOSING = "closing", "Closing"
        CLOSED = "closed", "Closed"

    class Level(models.IntegerChoices):
        INFORMATION = 1, "Level 1: information, advice and guidance"
        ONGOING = 2, "Level 2: ongoing support with a shared agreement"

    class CloseReason(models.TextChoices):
        GOALS_MET = "goals_met", "Reached what they wanted"
        PERSON_ENDED = "person_ended", "The person chose to end support"
        NO_CONTACT = "no_contact", "Could not make contact"
        MOVED_AWAY = "moved_away", "Moved out of the area"
        TRANSFERRED = "transferred", "Another service took over"
        INFORMATION_ONLY = "information_only", "Information and advice were enough"
        DIED = "died", "The person died"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="episodes")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="episodes")
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.PROTECT, related_name="episodes"
    )
    introduction = models.OneToOneField(
        Introduction, on_delete=models.PROTECT, related_name="episode"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="episodes",
        help_text="The coordinator or link worker who walks alongside the person",
    )
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.INFORMATION)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    status_changed_at = models.DateTimeField()
    opened_on = models.DateField()
    first_contact_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.CharField(max_length=30, choices=CloseReason.choices, blank=True)
    close_reason_other = models.CharField(max_length=200, blank=True)
    outcome_in_own_words = models.TextField("what changed, in the person's own words", blank=True)

    class Meta:
        ordering = ["-opened_on", "-created_at"]
        indexes = [
            models.Index(fields=["team", "status"], name="episode_team_status_idx"),
            models.Index(fields=["worker", "status"], name="episode_worker_status_idx"),
            models.Index(fields=["programme", "opened_on"], name="episode_programme_opened_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=[1, 2]), name="episode_level_known"),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_on__isnull=False) & ~Q(close_reason="")),
                name="episode_closed_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="episode_closed_after_opened",
            ),
        ]
        permissions = [
            ("manage_caseloads", "Can reassign episodes and set caseload capacity"),
            ("view_casework_figures", "Can see casework figures (counts, never people)"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} support for {self.person}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED


class EpisodeChange(BaseModel):
    """The episode's history: each change of status, level or worker, and of a connection's
    progress, with who made it and why."""

    class Kind(models.TextChoices):
        STATUS = "status", "Status"
        LEVEL = "level", "Level"
        WORKER = "worker", "Worker"
        CONNECTION = "connection", "Connection"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at"]
        indexes = [models.Index(fields=["episode", "kind", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.old_value} to {self.new_value}"


class Conversation(BaseModel):
    """The good-life conversation, in the person's own words."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="conversation")
    what_matters = models.TextField("what matters to me", blank=True)
    vision = models.TextField("my vision for a good life", blank=True)
    strengths = models.TextField("my strengths", blank=True)
    gifts_skills_interests = models.TextField("my gifts, skills and interests", blank=True)
    worries = models.TextField("what worries me", blank=True)
    held_on = models.DateField("date of the conversation", null=True, blank=True)

    def __str__(self) -> str:
        return f"Conversation with {self.episode.person}"


class Relationship(BaseModel):
    """Someone in the person's life: family, friends, neighbours, groups."""

    class Kind(models.TextChoices):
        FAMILY = "family", "Family"
        FRIEND = "friend", "Friend"
        NEIGHBOUR = "neighbour", "Neighbour"
        GROUP = "group", "Group or community"
        PROFESSIONAL = "professional", "Someone paid to help"
        OTHER = "other", "Other"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="relationships")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=150)
    about = models.CharField("what they mean to the person", max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Agreement(BaseModel):
    """The shared agreement for Level 2 support: goals in the person's words and the actions
    towards them."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="agreement")
    agreed_on = models.DateField("date agreed", null=True, blank=True)
    review_on = models.DateField("date to look at it again", null=True, blank=True)
    notes = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Shared agreement with {self.episode.person}"


class Goal(BaseModel):
    class Status(models.TextChoices):
        WORKING = "working", "Working on it"
        ACHIEVED = "achieved", "Achieved"
        PARTLY = "partly", "Partly achieved"
        NOT_ACHIEVED = "not_achieved", "Not achieved"
        STOPPED = "stopped", "No longer wanted"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="goals")
    in_own_words = models.TextField("the goal, in the person's own words")
    order = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WORKING)

    class Meta:
        ordering = ["order", "created_at"]

    def __str__(self) -> str:
        return self.in_own_words[:80]


class Action(BaseModel):
    class Who(models.TextChoices):
        PERSON = "person", "The person"
        WORKER = "worker", "Their coordinator or link worker"
        FAMILY = "family", "Family or friends"
        GROUP = "group", "A group"
        OTHER = "other", "Someone else"

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        STOPPED = "stopped", "Stopped"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    what = models.CharField("what will happen", max_length=300)
    who = models.CharField(max_length=20, choices=Who.choices)
    who_name = models.CharField("name", max_length=150, blank=True)
    due_on = models.DateField("by when", null=True, blank=True)
    progress = models.CharField(
        max_length=20, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    progress_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["due_on", "created_at"]

    def __str__(self) -> str:
        return self.what


class Connection(BaseModel):
    """A connection to something in the community, usually a directory listing, followed
    from suggestion to whether the person still goes."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        INTRODUCED = "introduced", "Introduced"
        WENT = "went", "Went"
        STILL_GOING = "still_going", "Still going"
        STOPPED = "stopped", "Stopped going"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="connections")
    listing = models.ForeignKey(
        "directory.Service",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="casework_connections",
    )
    name = models.CharField(
        max_length=200, help_text="The listing's name when connected, or what it is"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUGGESTED)
    status_changed_on = models.DateField()
    stopped_reason = models.CharField("why they stopped", max_length=300, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-status_changed_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="stopped") | ~Q(stopped_reason=""),
                name="connection_stopped_has_reason",
                violation_error_message="Say why they stopped going",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Gap(BaseModel):
    """Nothing suitable exists: what was needed, where, and what would help. Feeds the
    gapping exercise."""

    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.SET_NULL, related_name="gaps"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="gaps")
    need = models.ForeignKey(
        "directory.TaxonomyTerm",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="casework_gaps",
    )
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.PROTECT, related_name="casework_gaps"
    )
    what_would_help = models.TextField()
    recorded_on = models.DateField()

    class Meta:
        ordering = ["-recorded_on"]

    def __str__(self) -> str:
        return self.what_would_help[:80]


class Contact(BaseModel):
    """One entry on the timeline: a visit, call, walk to a group or meeting, and the time it
    took. Sensitive entries are shown only to the worker, the author and team leads."""

    class Kind(models.TextChoices):
        VISIT = "visit", "Visit"
        CALL = "call", "Phone call"
        WALKING_ALONGSIDE = "walking_alongside", "Walking alongside to a group"
        MEETING = "meeting", "Meeting"
        MESSAGE = "message", "Message or letter"
        OTHER = "other", "Other"

    class Escalation(models.TextChoices):
        NONE = "", "None needed"
        MANAGER = "manager", "Talk to a manager today"
        ADULT_SAFEGUARDING = "adult_safeguarding", "Adult safeguarding referral"
        CHILDREN_SAFEGUARDING = "children_safeguarding", "Children's safeguarding referral"
        EMERGENCY = "emergency", "Emergency services (999)"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="contacts")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="casework_contacts"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    happened_on = models.DateField()
    minutes = models.PositiveIntegerField("time spent (minutes)")
    summary = models.TextField()
    is_sensitive = models.BooleanField("sensitive", default=False)
    safeguarding_concern = models.BooleanField(default=False)
    escalation = models.CharField(max_length=30, choices=Escalation.choices, blank=True)
    escalated_to = models.CharField("escalated to", max_length=200, blank=True)
    escalation_done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-happened_on", "-created_at"]
        indexes = [models.Index(fields=["episode", "happened_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(safeguarding_concern=False) | ~Q(escalation=""),
                name="contact_concern_has_escalation",
                violation_error_message="Choose the escalation this concern needs",
            ),
            models.CheckConstraint(
                condition=Q(minutes__lte=24 * 60), name="contact_minutes_within_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.happened_on:%d %b %Y}"


class Story(BaseModel):
    """A person's story as evidence. Nothing beyond the team without the person's consent
    at that level and a manager's approval; the text for publication is redacted."""

    class ConsentLevel(models.TextChoices):
        INTERNAL = "internal", "Internal only"
        ANONYMISED = "anonymised", "Anonymised publication"
        NAMED = "named", "Named publication"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING_APPROVAL = "awaiting_approval", "Waiting for a manager"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="stories")
    title = models.CharField(max_length=150)
    body = models.TextField("the story as told")
    consent_level = models.CharField(max_length=20, choices=ConsentLevel.choices)
    consent = models.ForeignKey(
        Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="stories"
    )
    publishable_text = models.TextField("the text for publication, redacted", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "stories"
        permissions = [("approve_story", "Can approve a story for publication")]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_level="internal")
                | ~Q(status="approved")
                | (~Q(publishable_text="") & Q(consent__isnull=False)),
                name="story_published_needs_text_and_consent",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Diversion(BaseModel):
    """At closing: a service need the support avoided or delayed."""

    class Effect(models.TextChoices):
        AVOIDED = "avoided", "Avoided"
        DELAYED = "delayed", "Delayed"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="diversions")
    kind = models.ForeignKey(DiversionKind, on_delete=models.PROTECT, related_name="diversions")
    effect = models.CharField(max_length=20, choices=Effect.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["episode", "kind"], name="diversion_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.get_effect_display().lower()}"


class WorkerCapacity(BaseModel):
    """A worker's Level 2 caseload capacity when it differs from CASEWORK_LEVEL2_CAPACITY
    (part-time, new in post)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="casework_capacity"
    )
    level2_capacity = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "worker capacities"

    def __str__(self) -> str:
        return f"{self.user}: {self.level2_capacity}"


class CommunityWork(BaseModel):
    """Work with community groups beside casework: what the team did to help a group."""

    class Kind(models.TextChoices):
        STARTING = "starting", "Helping a group start"
        FUNDING = "funding", "Funding or bids"
        VOLUNTEERS = "volunteers", "Finding volunteers"
        VENUE = "venue", "Finding a place to meet"
        PUBLICITY = "publicity", "Publicity"
        PARTNERSHIP = "partnership", "Bringing groups together"
        OTHER = "other", "Other"

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="community_work")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="community_work"
    )
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.PROTECT, related_name="community_work"
    )
    group_name = models.CharField("group", max_length=200)
    provider = models.ForeignKey(
        "directory.Provider",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="community_work",
    )
    kind = models.CharField("kind of help", max_length=20, choices=Kind.choices)
    what = models.TextField("what we did")
    happened_on = models.DateField()
    minutes = models.PositiveIntegerField("time spent (minutes)", default=0)

    class Meta:
        ordering = ["-happened_on"]
        verbose_name_plural = "community work"

    def __str__(self) -> str:
        return f"{self.group_name}: {self.get_kind_display()}"


class SystemIntelligence(BaseModel):
    """What workers see of the system: barriers, duplication and gaps in services."""

    class Kind(models.TextChoices):
        BARRIER = "barrier", "A barrier to getting help"
        DUPLICATION = "duplication", "Duplication between services"
        GAP = "gap", "A gap in services"
        GOOD_PRACTICE = "good_practice", "Something that works well"

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="system_intelligence")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="system_intelligence"
    )
    ward = models.ForeignKey(
        Ward,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="system_intelligence",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    service = models.CharField("service or part of the system", max_length=200)
    description = models.TextField("what happened")
    noted_on = models.DateField()
    raised_with = models.CharField("raised with", max_length=200, blank=True)

    class Meta:
        ordering = ["-noted_on"]
        verbose_name_plural = "system intelligence"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.service}"


# --- social prescribing: referrals, pathways, coding, appointments, welfare calls ---------------


class Pathway(BaseModel):
    """A team's route in for a kind of referral (primary care, hospital discharge, mental
    health recovery...), with its own intake questions and a target time to first contact."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="pathways")
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    target_days = models.PositiveSmallIntegerField(
        "target days from referral to first contact", default=10
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["team__name", "name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="pathway_unique_name")]

    def __str__(self) -> str:
        return self.name


class PathwayQuestion(BaseModel):
    """One intake question a pathway asks the referrer."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "created_at"]

    def __str__(self) -> str:
        return self.text


class ClinicalCode(models.Model):
    """A national code recorded against a referral (SNOMED CT), kept as data so more can be
    added without a release."""

    code = models.CharField(max_length=20, primary_key=True)
    system = models.CharField(max_length=30, default="SNOMED CT")
    display = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.display}"


class Referral(BaseModel):
    """A referral to social prescribing (or another casework programme that takes
    referrals): from a GP practice, a hospital, adult social care, community therapy or the
    person themselves. It waits in the team's intake queue until a worker accepts it (which
    opens an episode), redirects it (with the person's agreement) or declines it."""

    class Source(models.TextChoices):
        GP_PRACTICE = "gp_practice", "GP practice"
        HOSPITAL = "hospital", "Hospital ward or clinic"
        ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
        COMMUNITY_THERAPY = "community_therapy", "Community therapy"
        SELF = "self", "Self-referral"
        OTHER = "other", "Other"

    class Urgency(models.TextChoices):
        ROUTINE = "routine", "Routine"
        SOON = "soon", "Soon (within a week)"
        URGENT = "urgent", "Urgent (within 2 working days)"

    class Status(models.TextChoices):
        RECEIVED = "received", "Waiting to be triaged"
        ACCEPTED = "accepted", "Accepted"
        REDIRECTED = "redirected", "Redirected"
        DECLINED = "declined", "Declined"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="referrals")
    pathway = models.ForeignKey(
        Pathway, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    source = models.CharField(max_length=30, choices=Source.choices)
    source_detail = models.CharField("ward, clinic or other detail", max_length=200, blank=True)
    referring_organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_sent",
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        help_text="The staff account that sent it (none for a self-referral)",
    )
    referrer_name = models.CharField(max_length=150, blank=True)
    referrer_role = models.CharField(max_length=150, blank=True)
    referrer_email = models.EmailField(blank=True)
    referrer_phone = models.CharField(max_length=30, blank=True)

    # Who is referred, as given; matched to (or made into) a person record at triage.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    given_name = models.CharField("first name", max_length=100)
    family_name = models.CharField("last name", max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)

    reasons = models.ManyToManyField(IntroductionReason, related_name="referrals")
    reasons_other = models.CharField(max_length=200, blank=True)
    what_matters = models.TextField("what matters to the person, in their words", blank=True)
    urgency = models.CharField(max_length=20, choices=Urgency.choices, default=Urgency.ROUTINE)
    consent_to_referral = models.BooleanField("the person agreed to be referred")
    share_back = models.TextField(
        "what the person agreed we may tell the referrer",
        blank=True,
        help_text="Empty: only that the referral was received, accepted or declined",
    )
    answers = models.JSONField("answers to the pathway's questions", default=dict, blank=True)
    received_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_triaged",
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=300, blank=True)
    redirected_to = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    episode = models.OneToOneField(
        Episode, null=True, blank=True, on_delete=models.PROTECT, related_name="referral"
    )

    class Meta:
        ordering = ["received_at"]
        indexes = [
            models.Index(fields=["team", "status", "received_at"], name="referral_queue_idx"),
            models.Index(fields=["referred_by", "received_at"], name="referral_referrer_idx"),
        ]
        permissions = [
            ("refer_person", "Can refer a person (health and care staff)"),
            ("triage_referral", "Can triage referrals in the team's intake queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_to_referral=True),
                name="referral_needs_consent",
                violation_error_message="The person must agree to be referred",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decision_reason=""),
                name="referral_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(episode__isnull=False),
                name="referral_accepted_has_episode",
            ),
            models.CheckConstraint(
                condition=~Q(status="redirected") | Q(redirected_to__isnull=False),
                name="referral_redirected_has_programme",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral of {self.given_name} {self.family_name}"


class CodedEvent(BaseModel):
    """A national code recorded for a referral, e.g. SNOMED CT 871731000000106 on the first
    referral of an episode."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="codes")
    code = models.ForeignKey(ClinicalCode, on_delete=models.PROTECT, related_name="events")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "code"], name="coded_event_once")
        ]

    def __str__(self) -> str:
        return str(self.code)


class Appointment(BaseModel):
    """A meeting with the person: at the practice, at home or in the community. There is no
    limit on how many an episode has."""

    class Place(models.TextChoices):
        PRACTICE = "practice", "At the GP practice"
        HOME = "home", "At home"
        COMMUNITY = "community", "In the community"
        PHONE = "phone", "By phone or video"

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        ATTENDED = "attended", "Attended"
        DID_NOT_ATTEND = "did_not_attend", "Did not attend"
        CANCELLED = "cancelled", "Cancelled"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="appointments")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="casework_appointments"
    )
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(default=45)
    place = models.CharField(max_length=20, choices=Place.choices)
    place_detail = models.CharField("where exactly", max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BOOKED)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["worker", "starts_at"], name="appointment_worker_idx")]

    def __str__(self) -> str:
        return f"{self.get_place_display()} on {self.starts_at:%d %b %Y %H:%M}"


class WelfareCallPlan(BaseModel):
    """Regular calls to someone (daily, say, for a person with dementia living alone), made by
    a volunteer or member of staff; worrying or missed calls go to the link worker that day."""

    class Frequency(models.TextChoices):
        DAILY = "daily", "Every day"
        WEEKDAYS = "weekdays", "Monday to Friday"
        WEEKLY = "weekly", "Once a week"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="call_plans")
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="call_plans"
    )
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    weekday = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For weekly calls: 0 is Monday"
    )
    best_time = models.CharField("best time to call", max_length=100, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    notes = models.CharField("what the caller should know", max_length=300, blank=True)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(frequency="weekly") | Q(weekday__gte=0, weekday__lte=6),
                name="call_plan_weekly_has_day",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="call_plan_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} calls to {self.episode.person}"


class WelfareCall(BaseModel):
    """One call on a plan's day: what happened, and whether it went to the link worker."""

    class Outcome(models.TextChoices):
        SPOKE = "spoke", "Spoke to them"
        NO_ANSWER = "no_answer", "No answer"
        CONCERN = "concern", "Spoke, and I am worried"

    plan = models.ForeignKey(WelfareCallPlan, on_delete=models.CASCADE, related_name="calls")
    due_on = models.DateField()
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="welfare_calls"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    note = models.TextField(blank=True)
    called_at = models.DateTimeField()
    escalated_at = models.DateTimeField(null=True, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-due_on"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "due_on"], name="welfare_call_once_a_day"),
            models.CheckConstraint(
                condition=~Q(outcome="concern") | ~Q(note=""),
                name="welfare_concern_has_note",
                violation_error_message="Say what worried you",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on {self.due_on:%d %b %Y}"


class ProgrammeOutcome(BaseModel):
    """What the person says at closing (social prescribing's own measures until the shared
    outcomes framework), and GP attendance before and after from the practice record, paired
    per person."""

    class Achieved(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"

    class Agreement(models.TextChoices):
        STRONGLY_AGREE = "strongly_agree", "Strongly agree"
        AGREE = "agree", "Agree"
        NEITHER = "neither", "Neither agree nor disagree"
        DISAGREE = "disagree", "Disagree"
        STRONGLY_DISAGREE = "strongly_disagree", "Strongly disagree"

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="outcome")
    goals_achieved = models.CharField(max_length=10, choices=Achieved.choices)
    more_able = models.CharField(
        "I feel more able to manage my own health and wellbeing",
        max_length=20,
        choices=Agreement.choices,
    )
    would_not_have = models.CharField(
        "I would not have made these changes without my link worker",
        max_length=20,
        choices=Agreement.choices,
    )
    gp_months = models.PositiveSmallIntegerField("months counted before and after", default=6)
    gp_visits_before = models.PositiveSmallIntegerField(null=True, blank=True)
    gp_visits_after = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(gp_visits_before__isnull=True) & Q(gp_visits_after__isnull=True))
                | (Q(gp_visits_before__isnull=False) & Q(gp_visits_after__isnull=False)),
                name="outcome_gp_visits_paired",
                violation_error_message="Enter GP visits both before and after, or neither",
            )
        ]

    def __str__(self) -> str:
        return f"Outcome for {self.episode.person}"
