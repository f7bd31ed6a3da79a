"""Background work for messages (django-tasks; run `manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from .services import message_deliver


@task()
def deliver_message(message_id: str) -> str:
    """Send one stored message through its backend; returns its status afterwards."""
    return message_deliver(message_id=message_id).status
