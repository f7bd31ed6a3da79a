"""The shared person record: one record per person across every programme."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper

from alongside.accounts.models import Organisation, Team
from alongside.core.models import BaseModel, SmallArea, Ward


class Person(BaseModel):
    """Someone the council and its partners support. Shared across programmes, seen only by
    staff with a reason (see selectors.person_list_for_user)."""

    class ContactMethod(models.TextChoices):
        PHONE = "phone", "Phone"
        TEXT = "text", "Text message"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        IN_PERSON = "in_person", "In person"

    given_name = models.CharField("first name", max_length=100)
    family_name = models.CharField("last name", max_length=100)
    preferred_name = models.CharField("preferred name", max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True, db_index=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True, db_index=True)

    address_line_1 = models.CharField("address line 1", max_length=200, blank=True)
    address_line_2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField("town or city", max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    small_area = models.ForeignKey(
        SmallArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )

    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    preferred_contact = models.CharField(
        "preferred way to contact", max_length=20, choices=ContactMethod.choices, blank=True
    )
    do_not_phone = models.BooleanField("do not phone", default=False)
    do_not_email = models.BooleanField("do not email", default=False)
    do_not_write = models.BooleanField("do not send letters", default=False)
    contact_notes = models.CharField(
        "other contact preferences",
        max_length=300,
        blank=True,
        help_text="For example, the best time to call",
    )

    interpreter_needed = models.BooleanField(default=False)
    language = models.CharField("preferred language", max_length=60, blank=True)
    uses_bsl = models.BooleanField("uses British Sign Language", default=False)
    needs_large_print = models.BooleanField("needs large print", default=False)
    needs_easy_read = models.BooleanField("needs easy read", default=False)
    other_communication_needs = models.CharField(max_length=300, blank=True)

    is_carer = models.BooleanField("is a carer", default=False)
    has_carer = models.BooleanField("has a carer", default=False)

    archived_at = models.DateTimeField(null=True, blank=True)
    archived_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            # The duplicate check narrows by name without caring about capitals.
            models.Index(Upper("family_name"), name="person_family_name_upper_idx"),
            models.Index(Upper("given_name"), name="person_given_name_upper_idx"),
            models.Index(fields=["postcode"], name="person_postcode_idx"),
        ]
        constraints = [
            # One record per NHS number: a second record for the same number is a duplicate.
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=~models.Q(nhs_number=""),
                name="person_nhs_number_unique",
                violation_error_message="Another record already has this NHS number",
            ),
            models.CheckConstraint(
                condition=models.Q(archived_at__isnull=True) | ~models.Q(archived_reason=""),
                name="person_archive_needs_reason",
            ),
        ]
        permissions = [
            ("view_all_people", "Can see every person record (information governance)"),
            ("archive_person", "Can archive a person record"),
            ("link_person", "Can link person records that may be the same person"),
            ("export_person", "Can export everything held on a person (subject access)"),
            ("erase_person", "Can erase a person record where erasure is lawful"),
            ("view_person_access_log", "Can see who has looked at a person record"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.given_name
        return f"{first} {self.family_name}".strip()

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Involvement(BaseModel):
    """A team's reason to see a person's record: it works with them. Ended, not deleted."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="involvements")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="involvements")
    reason = models.CharField(max_length=300)
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "team"],
                condition=models.Q(ended_at__isnull=True),
                name="involvement_one_open_per_team",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team.name} works with {self.person}"


class Consent(BaseModel):
    """What the person agreed to, who it may be shared with and for what; can be withdrawn."""

    class Purpose(models.TextChoices):
        SUPPORT = "support", "Support and care planning"
        SHARE_PARTNERS = "share_partners", "Sharing with partner organisations"
        REFERRAL = "referral", "Referral to another service"
        CONTACT = "contact", "Being contacted by the service"
        STORY = "story", "Using their story as evidence"
        RESEARCH = "research", "Evaluation and research"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    agreed = models.TextField("what was agreed")
    shared_with = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="consents",
        help_text="Organisations it may be shared with",
    )
    given_at = models.DateField("date agreed")
    how_recorded = models.CharField(
        max_length=30,
        choices=[("verbal", "Verbal"), ("written", "Written"), ("electronic", "Electronic")],
        default="verbal",
    )
    withdrawn_at = models.DateField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-given_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | models.Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({'withdrawn' if self.withdrawn_at else 'active'})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class PersonLink(BaseModel):
    """Two records staff believe may be the same person. Linked, never silently merged."""

    from_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="links_from")
    to_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="links_to")
    reason = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_person", "to_person"], name="person_link_unique"),
            models.CheckConstraint(
                condition=~models.Q(from_person=models.F("to_person")), name="person_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_person_id} ~ {self.to_person_id}"


class Erasure(models.Model):
    """The record that a person's data was erased: when, by whom, on what lawful basis.
    Holds no personal data."""

    id = models.BigAutoField(primary_key=True)
    person_id = models.UUIDField(unique=True)
    erased_at = models.DateTimeField(auto_now_add=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    lawful_basis = models.CharField(max_length=300)

    class Meta:
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return f"Erasure of {self.person_id}"
