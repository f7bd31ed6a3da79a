"""Staff accounts, the organisations they work for and the teams they work in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from alongside.core.models import BaseModel, Ward


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff or of a partner organisation. Residents do not have accounts."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(
        "Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="May use the Django admin site (superusers only in practice)."
    )
    is_demo = models.BooleanField(
        default=False,
        editable=False,
        help_text="A demo account from `load_demo`; may sign in without a second factor locally.",
    )
    date_joined = models.DateTimeField(default=timezone.now)
    deactivated_reason = models.CharField(max_length=300, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        permissions = [("manage_users", "Can manage staff accounts, teams and roles")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Organisation(BaseModel):
    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        NHS_TRUST = "nhs_trust", "NHS trust"
        PCN = "pcn", "Primary care network"
        GP_PRACTICE = "gp_practice", "GP practice"
        VCS = "vcs", "Voluntary or community group"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="For a GP practice, its primary care network.",
    )
    ods_code = models.CharField(
        "ODS code", max_length=10, blank=True, help_text="NHS Organisation Data Service code"
    )
    charity_number = models.CharField(max_length=20, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    """The kinds of work a team does; fixed reference data loaded by a data migration."""

    class Code(models.TextChoices):
        FRONT_DOOR = "front_door", "Front door"
        TALKING_POINTS = "talking_points", "Talking Points"
        LAC = "lac", "Local Area Coordination"
        SOCIAL_PRESCRIBING = "social_prescribing", "Social prescribing"
        DIRECTORY = "directory", "Directory editing"
        VOLUNTEERING = "volunteering", "Volunteering"
        MANAGEMENT = "management", "Management"

    code = models.CharField(max_length=30, choices=Code.choices, primary_key=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(BaseModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=150)
    programmes = models.ManyToManyField(Programme, blank=True, related_name="teams")
    wards = models.ManyToManyField(
        Ward, blank=True, related_name="teams", help_text="For place-based teams: wards covered."
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.name})"


class Membership(BaseModel):
    """A user's place in a team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    is_lead = models.BooleanField(default=False, help_text="Leads and managers of the team")

    class Meta:
        ordering = ["team__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_unique_team_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team.name}"
