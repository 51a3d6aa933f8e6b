"""What people are told when a report moves: e-mail to reporters, in-app notices to officials.

The services call these from ``transaction.on_commit``, so nothing is sent for a write that was
rolled back. E-mail goes through a background task
(:func:`~chinhquyenso.core.notify.deliver_email`): a slow or failing mail server never breaks
the citizen's or the official's request.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from chinhquyenso.accounts.models import AccountType, Role, User
from chinhquyenso.core.notify import deliver_email, notify_in_app, reverse_or_empty, when_text
from chinhquyenso.feedback.models import Report, Reporter
from chinhquyenso.feedback.workflow import HANDLING_ROLES, SCREENING_ROLES
from chinhquyenso.units.models import Unit

# --- links ---------------------------------------------------------------------------------


def follow_url(reporter: Reporter) -> str:
    """The absolute private link through which *reporter* follows the report
    (URL name ``feedback:follow`` with ``token``)."""
    path = reverse_or_empty("feedback:follow", token=reporter.access_token)
    return f"{settings.SITE_URL}{path or '/phan-anh/theo-doi/' + reporter.access_token + '/'}"


def staff_report_path(report: Report) -> str:
    """The staff page of *report* (URL name ``feedback:staff_report`` with ``pk``), if any."""
    return reverse_or_empty("feedback:staff_report", pk=report.pk)


# --- e-mail to reporters -------------------------------------------------------------------


def _mail(reporter: Reporter, subject: str, lines: Iterable[str]) -> None:
    if not reporter.email:
        return
    greeting = (
        _("Kính gửi %(name)s,") % {"name": reporter.name}
        if reporter.name
        else _("Kính gửi ông/bà,")
    )
    closing = [
        "",
        _("Theo dõi phản ánh tại đường dẫn riêng (không chia sẻ cho người khác):"),
        follow_url(reporter),
        "",
        settings.SITE_NAME,
    ]
    body = "\n".join([greeting, "", *lines, *closing])
    deliver_email.enqueue([reporter.email], subject, body)


def _reporters(report: Report) -> list[Reporter]:
    return list(Reporter.objects.filter(report=report).exclude(email="").select_related("report"))


def mail_receipt(reporter: Reporter) -> None:
    """Confirmation to a reporter who sent or joined a report, with the private link."""
    report = reporter.report
    _mail(
        reporter,
        _("Đã nhận phản ánh %(code)s") % {"code": report.tracking_code},
        [
            _("Chúng tôi đã nhận phản ánh của ông/bà, mã phản ánh: %(code)s.")
            % {"code": report.tracking_code},
            _("Hạn tiếp nhận: %(due)s.") % {"due": when_text(report.accept_due_at)},
        ],
    )


def mail_to(reporter: Reporter, subject: str, lines: Iterable[str]) -> None:
    """A message to one reporter about their report."""
    _mail(reporter, f"{subject} – {reporter.report.tracking_code}", lines)


def mail_update(report: Report, subject: str, lines: Iterable[str]) -> None:
    """The same message to every reporter of *report* who gave an e-mail address."""
    lines = list(lines)
    for reporter in _reporters(report):
        _mail(reporter, f"{subject} – {report.tracking_code}", lines)


def mail_info_request(report: Report, question: str) -> None:
    mail_update(
        report,
        _("Đề nghị bổ sung thông tin"),
        [
            _("Đơn vị xử lý đề nghị ông/bà bổ sung thông tin cho phản ánh %(code)s:")
            % {"code": report.tracking_code},
            "",
            question,
        ],
    )


def mail_answer(report: Report) -> None:
    days = settings.FEEDBACK_RATING_DAYS
    mail_update(
        report,
        _("Trả lời phản ánh"),
        [
            _("Phản ánh %(code)s đã được trả lời:") % {"code": report.tracking_code},
            "",
            report.answer,
            "",
            _("Xin ông/bà đánh giá mức độ hài lòng trong %(days)s ngày qua đường dẫn dưới đây.")
            % {"days": days},
        ],
    )


# --- in-app notices to officials -----------------------------------------------------------


def _officials(unit: Unit | None, roles: Iterable[str]) -> QuerySet[User]:
    return User.objects.filter(
        unit=unit,
        account_type=AccountType.OFFICIAL,
        is_active=True,
        roles__role__in=list(roles),
    ).distinct()


def leaders_of(unit: Unit | None) -> list[User]:
    """The leaders of *unit*, or of the nearest unit above it that has some."""
    while unit is not None:
        found = list(_officials(unit, [Role.UNIT_LEADER]))
        if found:
            return found
        unit = unit.get_parent()
    return []


def notify_officials(users: Iterable[User], message: str, report: Report) -> int:
    """One in-app notice per official (never the official named in a confidential report)."""
    return _notify_ids([user.pk for user in users], message, report)


def _notify_ids(user_ids: Iterable[int], message: str, report: Report) -> int:
    return notify_in_app(
        (pk for pk in user_ids if pk != report.named_official_id),
        message,
        staff_report_path(report),
    )


def screeners_of(report: Report) -> list[User]:
    """Who screens *report*: the receiving unit's screeners (its leaders, if confidential)."""
    if report.is_confidential:
        return leaders_of(report.receiving_unit)
    return list(_officials(report.receiving_unit, SCREENING_ROLES))


def handlers_of(report: Report) -> list[User]:
    """Who may handle *report*: the handling unit's officials (its leaders, if confidential)."""
    if report.is_confidential:
        return leaders_of(report.handling_unit)
    return list(_officials(report.handling_unit, HANDLING_ROLES))


def notify_new_report(report: Report) -> int:
    message = _("Phản ánh mới %(code)s chờ tiếp nhận.") % {"code": report.tracking_code}
    if report.is_confidential:
        return notify_officials(screeners_of(report), message, report)
    # Every report sent: only the screeners' ids are read, not their whole rows.
    screeners = _officials(report.receiving_unit, SCREENING_ROLES).values_list("pk", flat=True)
    return _notify_ids(screeners, message, report)


def notify_assigned(report: Report) -> int:
    if report.handler is None:
        return 0
    message = _("Anh/chị được giao xử lý phản ánh %(code)s.") % {"code": report.tracking_code}
    return notify_officials([report.handler], message, report)


def notify_unit_received(report: Report) -> int:
    """A report arrived at a handling unit (accepted there, transferred, returned, reopened)."""
    message = _("Phản ánh %(code)s được chuyển đến đơn vị để xử lý.") % {
        "code": report.tracking_code
    }
    return notify_officials(handlers_of(report), message, report)


def notify_leaders(report: Report, message: str) -> int:
    """Leaders of the handling unit (draft awaiting approval, reopen or extension requested)."""
    return notify_officials(
        leaders_of(report.handling_unit or report.receiving_unit), message, report
    )
