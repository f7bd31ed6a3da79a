"""Small funds and the awards made from them. The first is Local Area Coordination's
Opportunities Fund: small grants to people for what stands between them and a good life.

A fund keeps its own running totals (committed: approved but not yet paid; spent: paid) so
that approvals can be checked against the budget in one conditional UPDATE, which stays right
when managers approve at the same moment (see services.award_approve)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from alongside.accounts.models import Programme
from alongside.core.models import BaseModel
from alongside.people.models import Person


class Fund(BaseModel):
    name = models.CharField(max_length=150, unique=True)
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    budget = models.DecimalField(max_digits=10, decimal_places=2)
    committed = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    spent = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    max_award = models.DecimalField(
        "largest single award",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
    )
    is_open = models.BooleanField(default=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="fund_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(committed__gte=0) & Q(spent__gte=0), name="fund_totals_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=F("committed") + F("spent")),
                name="fund_within_budget",
                violation_error_message="The fund does not have enough left",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="fund_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.committed - self.spent


class Award(BaseModel):
    """A request for a small grant for a person, and what became of it."""

    class Category(models.TextChoices):
        ID = "id", "Identity documents"
        CLOTHING = "clothing", "Clothing"
        DISABILITY_AIDS = "disability_aids", "Disability aids"
        DEVICES = "devices", "Phone, tablet or computer"
        HOUSING = "housing", "Housing costs"
        ENERGY = "energy", "Energy efficiency"
        TRANSPORT = "transport", "Transport to a course or activity"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="awards")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="grant_awards")
    episode = models.ForeignKey(
        "casework.Episode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grant_awards",
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    category_other = models.CharField(max_length=150, blank=True)
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    reason = models.TextField("what it is for and how it helps")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grant_requests"
    )
    requested_on = models.DateField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grant_decisions",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_on", "-created_at"]
        indexes = [models.Index(fields=["fund", "status"], name="award_fund_status_idx")]
        permissions = [("decide_award", "Can approve or decline grant requests")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="award_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decision_note=""),
                name="award_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "declined", "paid"])
                | Q(decided_at__isnull=False),
                name="award_decided_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False), name="award_paid_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"£{self.amount} for {self.get_category_display().lower()}"
