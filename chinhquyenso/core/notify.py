"""What every app's notifications share: in-app notices to officials, e-mail sent by a
background task, links that may not exist in every installation, and times written the way
people read them in a message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.mail import send_mail
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_tasks import task

from chinhquyenso.core import clock
from chinhquyenso.core.models import Notification


def notify_in_app(
    recipient_ids: Iterable[int], message: str, url: str, *, at: dt.datetime | None = None
) -> int:
    """One in-app notice of *message* (cut to the column's 500 characters) linking to *url* for
    each official in *recipient_ids*, each once; the number written."""
    created_at = at or clock.now()
    notices = [
        Notification(recipient_id=pk, message=message[:500], url=url, created_at=created_at)
        for pk in dict.fromkeys(recipient_ids)
    ]
    Notification.objects.bulk_create(notices)
    return len(notices)


@task()
def deliver_email(recipients: list[str], subject: str, body: str) -> int:
    """Send one plain-text e-mail (a task, so the mail server is contacted outside requests)."""
    return send_mail(subject, body, None, recipients)


def reverse_or_empty(name: str, **kwargs: Any) -> str:
    """The path of URL *name*, or ``""`` when it is not installed."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def when_text(moment: dt.datetime | None) -> str:
    """*moment* as ``14:30 27/11/2026`` local time, or ``""``."""
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y") if moment else ""
