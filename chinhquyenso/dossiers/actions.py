"""One table of the actions officials take on a dossier, served by the staff pages and the API.

Each entry names the inputs the action reads and calls its service. Pages and endpoints parse
their own request format into a plain mapping (``data``) and uploaded files (``files``), then
call :func:`perform`; a bad value raises :class:`~chinhquyenso.dossiers.services.DossierError`
with the input's name as ``field``, shown next to that input on the page and returned as a
``validation_error`` detail by the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django_stubs_ext import StrOrPromise

from chinhquyenso.accounts.models import User
from chinhquyenso.dossiers import services
from chinhquyenso.dossiers.models import Dossier
from chinhquyenso.dossiers.selectors import can_act
from chinhquyenso.dossiers.services import DossierError


@dataclass(frozen=True)
class Action:
    """An official's action: its label, the inputs it reads, the workflow moves it may be."""

    label: StrOrPromise
    inputs: tuple[str, ...]
    run: Callable[[Dossier, Any, Mapping[str, Any], Mapping[str, Sequence[UploadedFile]]], Any]
    #: Names in ``workflow.TRANSITIONS`` this action may apply (any one allowed is enough).
    moves: tuple[str, ...]
    #: Whether the page should ask for confirmation (an action that ends the dossier).
    final: bool = False
    #: Whether the action applies to this dossier at all, beyond its status and the roles.
    applies: Callable[[Dossier], bool] | None = None


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key, "")
    return value if isinstance(value, str) else str(value or "")


def _items(data: Mapping[str, Any]) -> list[dict[str, str]]:
    """``items`` as a list of {name, reason}, or as lines ``name: reason`` typed in a box."""
    raw = data.get("items", [])
    if isinstance(raw, str):
        rows = []
        for line in raw.splitlines():
            name, _sep, reason = line.partition(":")
            if name.strip():
                rows.append({"name": name.strip(), "reason": reason.strip()})
        return rows
    if isinstance(raw, list):
        return [dict(item) for item in raw if isinstance(item, Mapping)]
    raise DossierError(_("Danh sách giấy tờ cần bổ sung không đúng."), field="items")


def _moment(data: Mapping[str, Any], key: str) -> dt.datetime:
    value = data.get(key)
    if isinstance(value, dt.datetime):
        moment: dt.datetime | None = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            moment = parse_datetime(text)
            if moment is None and len(text) == 10:
                moment = parse_datetime(f"{text}T17:00")
        except ValueError:  # well formed but impossible, e.g. month 13
            moment = None
    else:
        moment = None
    if moment is None:
        raise DossierError(_("Ngày giờ không đúng (ví dụ 2026-12-04T17:00)."), field=key)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _amount(data: Mapping[str, Any]) -> int:
    value = data.get("amount")
    try:
        amount = int(str(value).replace(".", "").replace(",", "").strip())
    except (TypeError, ValueError) as exc:
        raise DossierError(_("Số tiền phải là số nguyên (đồng)."), field="amount") from exc
    return amount


def _one_file(files: Mapping[str, Sequence[UploadedFile]], key: str) -> UploadedFile | None:
    found = files.get(key) or []
    return found[0] if found else None


def _assignee(dossier: Dossier, data: Mapping[str, Any]) -> User | None:
    value = data.get("assignee")
    if value in (None, ""):
        return None
    try:
        return User.objects.get(pk=int(str(value)), unit_id=dossier.current_unit_id)
    except (User.DoesNotExist, ValueError) as exc:
        raise DossierError(_("Không tìm thấy cán bộ được giao."), field="assignee") from exc


def _component_files(
    files: Mapping[str, Sequence[UploadedFile]],
) -> dict[str, Sequence[UploadedFile]]:
    prefix = "component."
    return {k[len(prefix) :]: v for k, v in files.items() if k.startswith(prefix) and v}


def _text_action(
    label: StrOrPromise,
    service: Callable[..., Any],
    inputs: tuple[str, ...],
    moves: tuple[str, ...],
    *,
    final: bool = False,
) -> Action:
    """An action whose inputs are all text, passed to *service* under their own names."""

    def run(
        dossier: Dossier,
        by: Any,
        data: Mapping[str, Any],
        files: Mapping[str, Sequence[UploadedFile]],
    ) -> Any:
        return service(dossier=dossier, by=by, **{key: _text(data, key) for key in inputs})

    return Action(label, inputs, run, moves, final=final)


ACTIONS: dict[str, Action] = {
    "accept": _text_action(
        _l("Tiếp nhận hồ sơ"), services.dossier_accept, ("fee_exempt_reason",), ("accept",)
    ),
    "request_documents": Action(
        _l("Yêu cầu bổ sung hồ sơ"),
        ("items", "note"),
        lambda d, by, data, files: services.dossier_request_documents(
            dossier=d, by=by, items=_items(data), note=_text(data, "note")
        ),
        ("request_documents_at_receipt", "request_documents"),
    ),
    "supply_documents": Action(
        _l("Nhận giấy tờ bổ sung"),
        ("files", "note"),
        lambda d, by, data, files: services.dossier_supply_documents(
            dossier=d,
            by=by,
            files=_component_files(files),
            extra_files=list(files.get("files", [])),
            note=_text(data, "note"),
        ),
        ("supply_documents_at_receipt", "supply_documents"),
    ),
    "refuse": _text_action(
        _l("Từ chối tiếp nhận"), services.dossier_refuse, ("reason",), ("refuse",), final=True
    ),
    "forward": Action(
        _l("Chuyển bước tiếp theo"),
        ("note", "assignee"),
        lambda d, by, data, files: services.dossier_forward(
            dossier=d, by=by, note=_text(data, "note"), assignee=_assignee(d, data)
        ),
        ("forward", "finish"),
    ),
    "send_back": _text_action(
        _l("Trả lại bước trước"), services.dossier_send_back, ("reason",), ("send_back",)
    ),
    "attach_result": Action(
        _l("Đính kèm kết quả"),
        ("result_file", "result_note"),
        lambda d, by, data, files: services.dossier_attach_result(
            dossier=d,
            by=by,
            upload=_one_file(files, "result_file"),
            note=_text(data, "result_note"),
        ),
        ("attach_result",),
    ),
    "request_financial": Action(
        _l("Yêu cầu thực hiện nghĩa vụ tài chính"),
        ("amount", "note"),
        lambda d, by, data, files: services.dossier_request_financial(
            dossier=d, by=by, amount=_amount(data), note=_text(data, "note")
        ),
        ("request_financial",),
    ),
    "confirm_financial": _text_action(
        _l("Xác nhận đã thực hiện nghĩa vụ tài chính"),
        services.dossier_confirm_financial,
        ("note",),
        ("confirm_financial",),
    ),
    "collect_fee": Action(
        _l("Thu phí, lệ phí tại quầy"),
        ("receipt_number",),
        lambda d, by, data, files: services.dossier_collect_fee(
            dossier=d, by=by, receipt_number=_text(data, "receipt_number")
        ),
        ("collect_fee",),
        applies=lambda d: services.fee_due(d) > 0,
    ),
    "apologise": Action(
        _l("Xin lỗi và hẹn lại ngày trả"),
        ("reason", "new_due_at"),
        lambda d, by, data, files: services.dossier_apologise(
            dossier=d, by=by, reason=_text(data, "reason"), new_due_at=_moment(data, "new_due_at")
        ),
        ("apologise",),
    ),
    "return_result": _text_action(
        _l("Trả kết quả"), services.dossier_return_result, (), ("return_result",)
    ),
    "withdraw": _text_action(
        _l("Rút hồ sơ theo đề nghị của công dân"),
        services.dossier_withdraw,
        ("reason",),
        ("withdraw",),
        final=True,
    ),
    "stop": _text_action(
        _l("Dừng xử lý"), services.dossier_stop, ("reason",), ("stop",), final=True
    ),
}


def available(user: Any, dossier: Dossier) -> list[str]:
    """The actions of :data:`ACTIONS` *user* may take on *dossier* now, in table order."""
    return [
        name
        for name, action in ACTIONS.items()
        if any(can_act(user, dossier, move) for move in action.moves)
        and (action.applies is None or action.applies(dossier))
    ]


def perform(
    *,
    dossier: Dossier,
    action: str,
    by: Any,
    data: Mapping[str, Any],
    files: Mapping[str, Sequence[UploadedFile]] | None = None,
) -> Any:
    """Run *action* on *dossier* for *by*; unknown actions are refused like forbidden ones."""
    entry = ACTIONS.get(action)
    if entry is None:
        raise DossierError(_("Thao tác không hợp lệ."), field="action")
    return entry.run(dossier, by, data, files or {})
