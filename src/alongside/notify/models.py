"""Messages to residents and partners: every email and text message the service sends.

Each message is stored before anything is sent (the outbox), so staff can see what went to
whom, nothing is sent by accident, and nothing is lost when a sending service is down.
Write through `notify.services` only; read through `notify.selectors`.
"""

from __future__ import annotations

from django.db import models

from alongside.core.models import BaseModel


class OutboxMessage(BaseModel):
    """One email or text message, from the moment it is written to when it is sent.

    `kind` names what the message is for, as "<app>.<purpose>" (for example
    "portal.my_list"), so later work can find and count its own messages.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to send"
        SENT = "sent", "Sent"
        FAILED = "failed", "Could not send"

    reference = models.CharField(
        max_length=20, unique=True, editable=False, help_text="Quoted to staff and residents"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    to = models.CharField(max_length=254, help_text="An email address or a phone number")
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    kind = models.CharField(max_length=60, help_text='What it is for, e.g. "portal.my_list"')
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    backend = models.CharField(max_length=60, help_text="The NOTIFY_BACKEND that handled it")
    sent_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    provider_reference = models.CharField(
        max_length=100, blank=True, help_text="The sending service's id for the message"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["-created_at"], name="outbox_newest_first"),
            models.Index(fields=["status", "created_at"], name="outbox_status"),
            models.Index(fields=["kind", "created_at"], name="outbox_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="sent", sent_at__isnull=False) | ~models.Q(status="sent"),
                name="outbox_sent_has_time",
            )
        ]
        permissions = [("send_message", "Can email lists and messages to residents")]

    def __str__(self) -> str:
        # No address here: this is what the audit trail and logs show.
        return f"{self.get_channel_display()} {self.reference}"

    @property
    def to_masked(self) -> str:
        """Enough of the address to tell messages apart in a list, without showing it all."""
        if self.channel == self.Channel.EMAIL:
            local, _, domain = self.to.partition("@")
            return f"{local[:1]}…@{domain}"
        return f"…{self.to[-3:]}"

    @property
    def status_label(self) -> str:
        if self.status == self.Status.QUEUED and self.backend == "outbox":
            return "Kept in the outbox, not sent"
        return self.get_status_display()


class OutboxAttachment(BaseModel):
    """A file sent with an email, kept as the exact bytes that were sent."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["created_at", "filename"]

    def __str__(self) -> str:
        return self.filename
