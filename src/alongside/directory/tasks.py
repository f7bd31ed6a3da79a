"""Background work for the directory (django-tasks; run `manage.py db_worker`)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from .services import listings_mark_review_due


@task()
def mark_review_due() -> int:
    """Daily: published listings not checked for DIRECTORY_REVIEW_MONTHS become review due."""
    return listings_mark_review_due(today=timezone.localdate())
