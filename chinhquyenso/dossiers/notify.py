"""What people are told when a dossier moves: e-mail to the applicant at each step they see,
in-app notices to the officials who must act next.

The services call these from ``transaction.on_commit`` with the dossier's primary key, so
nothing is sent for a write that was rolled back; e-mail goes through the background task
:func:`chinhquyenso.core.notify.deliver_email`, so a slow mail server never slows a request.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext as _

from chinhquyenso.accounts.models import AccountType, Role, User
from chinhquyenso.core.notify import deliver_email, notify_in_app, reverse_or_empty, when_text
from chinhquyenso.dossiers.models import Dossier


def lookup_url(dossier: Dossier) -> str:
    """The absolute public look-up link of *dossier*."""
    path = reverse_or_empty("portal:dossier_lookup") or "/tra-cuu/"
    return f"{settings.SITE_URL}{path}?ma={dossier.code}"


def account_url(dossier: Dossier) -> str:
    """The absolute link of the dossier's page in its applicant's account ("" without one)."""
    if dossier.applicant_id is None or not dossier.code:
        return ""
    path = reverse_or_empty("dossiers:my_dossier", code=dossier.code)
    return f"{settings.SITE_URL}{path}" if path else ""


def staff_path(dossier: Dossier) -> str:
    return reverse_or_empty("dossiers:staff_dossier", code=dossier.code or "")


def _load(pk: int) -> Dossier | None:
    return (
        Dossier.objects.select_related(
            "version", "applicant", "receiving_unit", "current_unit", "current_step"
        )
        .filter(pk=pk)
        .first()
    )


def _mail(dossier: Dossier, subject: str, lines: Iterable[str]) -> None:
    email = dossier.applicant_email or (dossier.applicant.email if dossier.applicant else "")
    if not email:
        return
    own = [
        _("Bổ sung giấy tờ, nộp phí, tải kết quả trong tài khoản của bạn: %(url)s") % {"url": url}
        for url in [account_url(dossier)]
        if url
    ]
    body = "\n".join(
        [
            _("Kính gửi %(name)s,") % {"name": dossier.applicant_name},
            "",
            _("Hồ sơ: %(code)s — %(procedure)s")
            % {"code": dossier.code, "procedure": dossier.version.name},
            "",
            *lines,
            "",
            _("Tra cứu hồ sơ: %(url)s") % {"url": lookup_url(dossier)},
            *own,
            "",
            settings.SITE_NAME,
        ]
    )
    deliver_email.enqueue([email], f"[{dossier.code}] {subject}", body)


def _officials_at(dossier: Dossier) -> list[User]:
    """Who acts next: officials of the current unit holding the current step's role (its
    leaders too), or the counter staff when the dossier waits there."""
    step = dossier.current_step
    roles = {step.role, Role.UNIT_LEADER} if step else {Role.ONE_STOP_OFFICER, Role.UNIT_LEADER}
    if dossier.assignee_id:
        return [dossier.assignee] if dossier.assignee else []
    return list(
        User.objects.filter(
            unit=dossier.current_unit,
            account_type=AccountType.OFFICIAL,
            is_active=True,
            roles__role__in=roles,
        ).distinct()
    )


def _notice(dossier: Dossier, users: Iterable[User], message: str) -> int:
    return notify_in_app((user.pk for user in users), message, staff_path(dossier))


def dossier_sent(pk: int) -> None:
    dossier = _load(pk)
    if dossier is None:
        return
    _mail(
        dossier,
        _("Đã nhận hồ sơ"),
        [
            _("Hồ sơ đã được gửi đến %(unit)s lúc %(at)s và đang chờ kiểm tra.")
            % {"unit": dossier.receiving_unit.name, "at": when_text(dossier.submitted_at)},
        ],
    )
    _notice(
        dossier,
        _officials_at(dossier),
        _("Hồ sơ mới %(code)s chờ tiếp nhận.") % {"code": dossier.code},
    )


def dossier_accepted(pk: int) -> None:
    dossier = _load(pk)
    if dossier is None:
        return
    _mail(
        dossier,
        _("Hồ sơ đã được tiếp nhận"),
        [
            _("Hồ sơ đã được tiếp nhận lúc %(at)s. Ngày hẹn trả kết quả: %(due)s.")
            % {"at": when_text(dossier.received_at), "due": when_text(dossier.due_at)},
            *_fee_lines(dossier),
        ],
    )
    dossier_moved(pk, "accept")


def _fee_lines(dossier: Dossier) -> list[str]:
    if not dossier.fee_amount or dossier.paid_at is not None:
        return []
    amount = f"{dossier.fee_amount:,}".replace(",", ".")
    return [_("Phí, lệ phí phải nộp: %(amount)s đồng.") % {"amount": amount}]


def dossier_refused(pk: int) -> None:
    dossier = _load(pk)
    if dossier is not None:
        _mail(
            dossier,
            _("Hồ sơ không được tiếp nhận"),
            [_("Lý do: %(reason)s") % {"reason": dossier.stop_reason}],
        )


def documents_requested(pk: int) -> None:
    dossier = _load(pk)
    if dossier is None:
        return
    request = dossier.requests.order_by("-requested_at", "-pk").first()
    items = [
        f"- {item['name']}: {item.get('reason', '')}" for item in (request.items if request else [])
    ]
    _mail(
        dossier,
        _("Yêu cầu bổ sung hồ sơ"),
        [
            _("Để giải quyết hồ sơ, xin bổ sung một lần các giấy tờ sau:"),
            *items,
            request.note if request else "",
        ],
    )


def documents_supplied(pk: int) -> None:
    dossier = _load(pk)
    if dossier is not None:
        _notice(
            dossier,
            _officials_at(dossier),
            _("Hồ sơ %(code)s đã được bổ sung.") % {"code": dossier.code},
        )


def dossier_moved(pk: int, action: str) -> None:
    dossier = _load(pk)
    if dossier is None:
        return
    if action == "finish":
        _mail(
            dossier,
            _("Đã có kết quả giải quyết"),
            [_("Hồ sơ đã được giải quyết xong; xin nhận kết quả theo hình thức đã đăng ký.")],
        )
    _notice(
        dossier,
        _officials_at(dossier),
        _("Hồ sơ %(code)s đến lượt đơn vị xử lý, hạn %(due)s.")
        % {"code": dossier.code, "due": when_text(dossier.step_due_at or dossier.due_at)},
    )


def result_returned(pk: int) -> None:
    dossier = _load(pk)
    if dossier is not None:
        _mail(
            dossier,
            _("Đã trả kết quả"),
            [
                _("Kết quả đã được trả lúc %(at)s.") % {"at": when_text(dossier.returned_at)},
                _("Mời ông/bà đánh giá mức độ hài lòng khi đăng nhập Cổng dịch vụ công."),
            ],
        )


def apologised(pk: int) -> None:
    dossier = _load(pk)
    if dossier is None:
        return
    apology = dossier.apologies.order_by("-at", "-pk").first()
    if apology is not None:
        _mail(
            dossier,
            _("Xin lỗi và hẹn lại ngày trả kết quả"),
            [
                _("Cơ quan giải quyết xin lỗi vì hồ sơ chậm so với ngày hẹn %(old)s.")
                % {"old": when_text(apology.old_due_at)},
                _("Lý do: %(reason)s") % {"reason": apology.reason},
                _("Ngày hẹn mới: %(new)s.") % {"new": when_text(apology.new_due_at)},
            ],
        )


def financial_requested(pk: int) -> None:
    dossier = _load(pk)
    if dossier is not None:
        event = dossier.events.filter(action="request_financial").order_by("-at", "-pk").first()
        _mail(
            dossier,
            _("Yêu cầu thực hiện nghĩa vụ tài chính"),
            [event.note if event else ""],
        )


def dossier_closed(pk: int, action: str) -> None:
    dossier = _load(pk)
    if dossier is None:
        return
    subject = _("Đã rút hồ sơ") if action == "withdraw" else _("Hồ sơ dừng xử lý")
    _mail(dossier, subject, [_("Lý do: %(reason)s") % {"reason": dossier.stop_reason}])
