"""The portal's own data: residents' ratings of listings ("Is this page useful?")."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from alongside.core.models import BaseModel
from alongside.directory.models import Service


class Rating(BaseModel):
    """One resident's star rating of a listing, with an optional comment.

    No account is needed. The stars count towards the listing's average at once; a comment
    waits for an editor (moderation) and is never shown publicly."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for an editor"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected as spam or abuse"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="ratings")
    stars = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True, max_length=2000)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["service", "state"]),
            models.Index(fields=["state", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="portal_rating_stars_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.stars} stars for {self.service_id}"
