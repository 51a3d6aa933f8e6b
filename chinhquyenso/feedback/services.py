"""Writes on feedback reports. Every change of a report goes through a function here.

Each function: ``@transaction.atomic``; locks the report row; checks the move against
``workflow.TRANSITIONS`` and the actor's side and roles (``report_transition``); writes; appends
an ``Event`` (history) and an audit row; schedules side effects (mail, notifications, webhooks)
with ``transaction.on_commit``. Officials are passed as ``by=``; reporters as ``reporter=``
(a :class:`Reporter` found by their private link) — the web and API layers never write the ORM.

Errors: :class:`FeedbackError` (a ``ValidationError`` subclass) with a Vietnamese message and, where
it concerns one input, ``field``; callers show it beside the field or in the API error shape.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from chinhquyenso.feedback.models import Category, Report, Reporter
from chinhquyenso.units.models import Unit


class FeedbackError(ValidationError):
    """A refused write, with a Vietnamese message meant for the person who tried it."""


@dataclass(frozen=True)
class ReporterInput:
    """Contact details a reporter gives; all optional (anonymous reports are allowed)."""

    name: str = ""
    phone: str = ""
    email: str = ""
    identity_private: bool = False
    consent_given: bool = False
    user: Any = None  # the logged-in citizen account, if any


@dataclass(frozen=True)
class ReportInput:
    """What a citizen (or a connected system) sends to create a report."""

    text: str
    category: Category
    commune: Unit
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    named_official_text: str = ""
    files: Sequence[UploadedFile] = ()
    reporter: ReporterInput = ReporterInput()
    channel: str = "web"
    submitted_by_client: Any = None  # ApiClient when sent through the API / Open311
    submitter_ip: str | None = None


def report_submit(*, data: ReportInput) -> tuple[Report, Reporter]:
    """Create a report: validate (text ≤ 10,000 chars, NFC; required extra answers; coordinates
    inside the province; files by content type and size; EXIF location stripped from public
    copies), give it a tracking code, set the receiving unit (``FEEDBACK_SCREENING``) and the
    accept deadline, mark it confidential when the category is, notify the receiving unit's
    screeners, and e-mail the reporter a confirmation with the private link. Throttling of
    anonymous senders is done by the caller (view/API) before calling this.

    Returns the report and the original reporter (whose ``access_token`` makes the private link).
    """
    raise NotImplementedError


def report_join(*, report: Report, reporter: ReporterInput) -> Reporter:
    """Add a co-reporter to an open report (instead of sending a duplicate)."""
    raise NotImplementedError


def report_accept(
    *,
    report: Report,
    by: Any,
    category: Category | None = None,
    urgency: str | None = None,
    handling_unit: Unit | None = None,
) -> Report:
    """Screening: accept; set category/urgency; route by the rules (or *handling_unit*, a manual
    override); set the answer deadline by category and urgency."""
    raise NotImplementedError


def report_refuse(*, report: Report, by: Any, reason: str, note: str = "") -> Report:
    """Screening: refuse (``RefusalReason``) with a note to the reporter."""
    raise NotImplementedError


def report_hand_off(*, report: Report, by: Any, guidance: str) -> Report:
    """A complaint or denunciation (khiếu nại, tố cáo): close it here with written guidance to
    the reporter on where and how to file it under the law on complaints/denunciations."""
    raise NotImplementedError


def report_merge(*, report: Report, into: Report, by: Any, note: str = "") -> Report:
    """Merge a duplicate: *report* becomes MERGED, its reporters follow *into* and are notified."""
    raise NotImplementedError


def report_classify(
    *, report: Report, by: Any, category: Category | None = None, urgency: str | None = None
) -> Report:
    """Change category and/or urgency (recomputes the answer deadline if accepted)."""
    raise NotImplementedError


def report_transfer(*, report: Report, to_unit: Unit, by: Any, reason: str) -> Report:
    """Send to another unit, with a reason; the hop is timed."""
    raise NotImplementedError


def report_return(*, report: Report, by: Any, reason: str) -> Report:
    """Give it back to the unit that transferred it, with a reason."""
    raise NotImplementedError


def report_assign(*, report: Report, handler: Any, by: Any) -> Report:
    """Name the official of the handling unit who works on it (IN_PROGRESS)."""
    raise NotImplementedError


def report_add_note(*, report: Report, by: Any, note: str) -> Report:
    """Internal note, never shown to reporters; Front committees may add comments too."""
    raise NotImplementedError


def report_request_info(*, report: Report, by: Any, question: str) -> Report:
    """Ask the reporter for more information; the answer clock pauses until they reply."""
    raise NotImplementedError


def report_supply_info(
    *, report: Report, reporter: Reporter, text: str, files: Sequence[UploadedFile] = ()
) -> Report:
    """The reporter replies; the clock resumes and the deadline moves by the paused time."""
    raise NotImplementedError


def report_draft_answer(
    *, report: Report, by: Any, answer: str, files: Sequence[UploadedFile] = ()
) -> Report:
    """Save the answer; with ``FEEDBACK_APPROVAL_REQUIRED`` it waits for the leader, otherwise
    it is answered at once."""
    raise NotImplementedError


def report_approve_answer(*, report: Report, by: Any, answer: str | None = None) -> Report:
    """The leader approves (optionally edits) the draft: the report is answered, reporters are
    e-mailed the answer and asked to rate it."""
    raise NotImplementedError


def report_return_draft(*, report: Report, by: Any, reason: str) -> Report:
    """The leader sends the draft back to the handler."""
    raise NotImplementedError


def report_publish(*, report: Report, by: Any) -> Report:
    """Publish the answered report, personal data removed (``public_text``, ``public_answer``)."""
    raise NotImplementedError


def report_unpublish(*, report: Report, by: Any) -> Report:
    raise NotImplementedError


def report_request_extension(
    *, report: Report, by: Any, extra_working_days: int, reason: str
) -> Any:
    """Ask the leader for more time (returns the ExtensionRequest)."""
    raise NotImplementedError


def report_decide_extension(*, extension: Any, by: Any, approve: bool) -> Report:
    """The leader approves (deadline moves) or refuses an extension."""
    raise NotImplementedError


def report_rate(
    *,
    report: Report,
    reporter: Reporter,
    value: str,
    comment: str = "",
    request_reopen: bool = False,
) -> Report:
    """A reporter rates the answer within ``FEEDBACK_RATING_DAYS``; dissatisfied may ask to
    reopen (at most ``FEEDBACK_MAX_REOPENS`` times)."""
    raise NotImplementedError


def report_decide_reopen(*, report: Report, by: Any, reopen: bool, reason: str) -> Report:
    """A leader reopens the report (back to IN_PROGRESS with a new deadline) or refuses."""
    raise NotImplementedError


def report_close_expired(*, now: dt.datetime | None = None) -> int:
    """System: close answered reports whose rating window has ended; returns how many."""
    raise NotImplementedError


def deadline_reminders_send(*, now: dt.datetime | None = None) -> int:
    """System task: notify handlers and leaders of reports due within the next working day and of
    overdue ones (once per report and threshold); returns the number of notifications sent."""
    raise NotImplementedError
