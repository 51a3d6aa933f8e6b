"""One table of the actions officials take on a report, served by the workspace and the API.

Each entry names the workspace form that asks for the action's inputs, the inputs it reads,
which of them the API must be given (the form checks its own), the service it calls and the
message shown once done. The workspace passes the form's cleaned data to :func:`perform`; the
API (``api.py``) parses its JSON body into the same names, with codes already turned into
objects, and calls :func:`perform` too. A refused action raises the service's
:class:`~chinhquyenso.feedback.services.FeedbackError`, whose ``field`` is an input's name.

Names are the workflow's moves (``workflow.TRANSITIONS``), except where one form serves several
moves (:data:`ACTION_OF_MOVE`) and for the Front committee's comment (``front_comment``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from chinhquyenso.feedback import services
from chinhquyenso.feedback.forms import staff as forms
from chinhquyenso.feedback.models import ExtensionRequest, Report
from chinhquyenso.feedback.workflow import TRANSITIONS


@dataclass(frozen=True)
class Action:
    """An official's action on a report."""

    form: type[forms.ActionForm]
    #: Input names the action reads (the form's cleaned fields, the API's body fields).
    inputs: tuple[str, ...]
    run: Callable[[Report, Any, Mapping[str, Any]], object]
    done: StrOrPromise
    #: Inputs the API must be given (the form requires its own fields).
    required: tuple[str, ...] = ()


def _decide_extension(report: Report, by: Any, data: Mapping[str, Any]) -> object:
    extension = pending_extension(report)
    if extension is None:
        raise services.FeedbackError(_("Không có đề nghị gia hạn nào chờ quyết định."))
    return services.report_decide_extension(extension=extension, by=by, approve=data["approve"])


def pending_extension(report: Report) -> ExtensionRequest | None:
    return report.extensions.filter(decision=ExtensionRequest.Decision.PENDING).first()


ACTIONS: dict[str, Action] = {
    "accept": Action(
        forms.AcceptForm,
        ("category", "urgency", "handling_unit", "named_official"),
        lambda r, by, d: services.report_accept(
            report=r,
            by=by,
            category=d.get("category"),
            urgency=d.get("urgency") or None,
            handling_unit=d.get("handling_unit"),
            named_official=d.get("named_official"),
        ),
        gettext_lazy("Đã tiếp nhận phản ánh và chuyển đơn vị xử lý."),
    ),
    "refuse": Action(
        forms.RefuseForm,
        ("reason", "note"),
        lambda r, by, d: services.report_refuse(
            report=r, by=by, reason=d["reason"], note=d.get("note", "")
        ),
        gettext_lazy("Đã từ chối tiếp nhận phản ánh."),
        required=("reason",),
    ),
    "hand_off": Action(
        forms.HandOffForm,
        ("guidance",),
        lambda r, by, d: services.report_hand_off(report=r, by=by, guidance=d["guidance"]),
        gettext_lazy("Đã chuyển theo pháp luật khiếu nại, tố cáo và gửi hướng dẫn."),
        required=("guidance",),
    ),
    "merge": Action(
        forms.MergeForm,
        ("into", "note"),
        lambda r, by, d: services.report_merge(
            report=r, into=d["into"], by=by, note=d.get("note", "")
        ),
        gettext_lazy("Đã gộp phản ánh."),
        required=("into",),
    ),
    "classify": Action(
        forms.ClassifyForm,
        ("category", "urgency"),
        lambda r, by, d: services.report_classify(
            report=r, by=by, category=d.get("category"), urgency=d.get("urgency") or None
        ),
        gettext_lazy("Đã lưu phân loại."),
    ),
    "transfer": Action(
        forms.TransferForm,
        ("to_unit", "reason"),
        lambda r, by, d: services.report_transfer(
            report=r, by=by, to_unit=d["to_unit"], reason=d["reason"]
        ),
        gettext_lazy("Đã chuyển phản ánh sang đơn vị khác."),
        required=("to_unit", "reason"),
    ),
    "return": Action(
        forms.ReturnForm,
        ("reason",),
        lambda r, by, d: services.report_return(report=r, by=by, reason=d["reason"]),
        gettext_lazy("Đã trả lại đơn vị chuyển đến."),
        required=("reason",),
    ),
    "assign": Action(
        forms.AssignForm,
        ("handler",),
        lambda r, by, d: services.report_assign(report=r, by=by, handler=d.get("handler") or by),
        gettext_lazy("Đã giao cán bộ xử lý."),
    ),
    "note": Action(
        forms.NoteForm,
        ("note",),
        lambda r, by, d: services.report_add_note(report=r, by=by, note=d["note"]),
        gettext_lazy("Đã lưu ghi chú nội bộ."),
        required=("note",),
    ),
    "request_info": Action(
        forms.RequestInfoForm,
        ("question",),
        lambda r, by, d: services.report_request_info(report=r, by=by, question=d["question"]),
        gettext_lazy("Đã gửi đề nghị bổ sung thông tin."),
        required=("question",),
    ),
    "draft_answer": Action(
        forms.DraftAnswerForm,
        ("answer", "attachments"),
        lambda r, by, d: services.report_draft_answer(
            report=r, by=by, answer=d["answer"], files=d.get("attachments") or ()
        ),
        gettext_lazy("Đã lưu trả lời."),
        required=("answer",),
    ),
    "approve_answer": Action(
        forms.ApproveAnswerForm,
        ("answer",),
        lambda r, by, d: services.report_approve_answer(
            report=r, by=by, answer=d.get("answer") or None
        ),
        gettext_lazy("Đã duyệt và gửi trả lời cho người phản ánh."),
    ),
    "return_draft": Action(
        forms.ReturnDraftForm,
        ("reason",),
        lambda r, by, d: services.report_return_draft(report=r, by=by, reason=d["reason"]),
        gettext_lazy("Đã trả lại dự thảo cho cán bộ xử lý."),
        required=("reason",),
    ),
    "request_extension": Action(
        forms.RequestExtensionForm,
        ("extra_working_days", "reason"),
        lambda r, by, d: services.report_request_extension(
            report=r, by=by, extra_working_days=d["extra_working_days"], reason=d["reason"]
        ),
        gettext_lazy("Đã gửi đề nghị gia hạn cho lãnh đạo."),
        required=("extra_working_days", "reason"),
    ),
    "decide_extension": Action(
        forms.DecideExtensionForm,
        ("approve",),
        _decide_extension,
        gettext_lazy("Đã ghi quyết định gia hạn."),
    ),
    "publish": Action(
        forms.PublishForm,
        (),
        lambda r, by, d: services.report_publish(report=r, by=by),
        gettext_lazy("Đã công khai phản ánh trên cổng."),
    ),
    "unpublish": Action(
        forms.UnpublishForm,
        (),
        lambda r, by, d: services.report_unpublish(report=r, by=by),
        gettext_lazy("Đã thôi công khai phản ánh."),
    ),
    "decide_reopen": Action(
        forms.DecideReopenForm,
        ("reopen", "reason"),
        lambda r, by, d: services.report_decide_reopen(
            report=r, by=by, reopen=d["reopen"], reason=d["reason"]
        ),
        gettext_lazy("Đã ghi quyết định về đề nghị xử lý lại."),
        required=("reason",),
    ),
    "front_comment": Action(
        forms.FrontCommentForm,
        ("note",),
        lambda r, by, d: services.report_add_note(report=r, by=by, note=d["note"]),
        gettext_lazy("Đã gửi ý kiến của Mặt trận."),
        required=("note",),
    ),
}

#: Workflow moves served by another action's form (the form's input says which move it is).
ACTION_OF_MOVE = {
    "answer": "draft_answer",
    "reopen": "decide_reopen",
    "refuse_reopen": "decide_reopen",
}
#: Inputs a move's name fixes when the API is asked for the move itself.
_MOVE_INPUTS: dict[str, dict[str, Any]] = {
    "reopen": {"reopen": True},
    "refuse_reopen": {"reopen": False},
}

#: What the API offers: the officials' workflow moves (reporter and system moves are not
#: officials'; deciding an extension needs the request and is done in the workspace), each with
#: the action of :data:`ACTIONS` it runs and the inputs its name fixes.
API_MOVES: dict[str, tuple[str, dict[str, Any]]] = {
    move: (ACTION_OF_MOVE.get(move, move), _MOVE_INPUTS.get(move, {}))
    for move, transition in TRANSITIONS.items()
    if transition.side in ("receiving", "handling", "supervising") and move != "decide_extension"
}


def perform(*, report: Report, action: str, by: Any, data: Mapping[str, Any]) -> object:
    """Run *action* of :data:`ACTIONS` on *report* for the official *by* with *data*, the
    action's inputs by name. The service checks the state, the official's side and roles."""
    try:
        return ACTIONS[action].run(report, by, data)
    except services.FeedbackError as exc:
        if exc.field == "files":  # the services' name for uploads; the input's is attachments
            exc.field = "attachments"
        raise
