"""Reads on outgoing documents: work queues, what a user may do now, each recipient's status.

Who sees a document is decided once, by ``selectors.documents_visible_to``; everything here
narrows that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.permissions import roles_of
from chinhquyenso.documents.models import (
    BusinessType,
    Delivery,
    DeliveryStatus,
    Direction,
    Document,
    DocumentFile,
    Status,
    StatusMessage,
)
from chinhquyenso.documents.selectors import (
    LIST_RELATED,
    can_act,
    documents_visible_to,
    get_document_for_user,
)
from chinhquyenso.documents.workflow import DRAFTERS, TRANSITIONS

#: Outgoing actions in the order the detail page offers them (signing has its own page).
PAGE_ACTIONS = (
    "upload_version",
    "add_attachment",
    "comment",
    "submit_for_review",
    "approve",
    "return_draft",
    "give_number",
    "seal_and_issue",
    "recall",
)
#: The states in which a document exists as issued.
ISSUED_STATES = (Status.ISSUED, Status.RECALLED, Status.REPLACED)
RECALL_ANSWERS = (DeliveryStatus.RECALL_ACCEPTED, DeliveryStatus.RECALL_REFUSED)


def outgoing_visible_to(user: Any) -> QuerySet[Document]:
    return documents_visible_to(user).filter(direction=Direction.OUTGOING)


def get_outgoing_for_user(user: Any, pk: int | str) -> Document:
    """The outgoing document *pk* if *user* may see it; ``Http404`` whether missing, forbidden
    or incoming."""
    document = get_document_for_user(user, pk)
    if document.direction != Direction.OUTGOING:
        raise Http404
    return document


def get_file_for_user(user: Any, document_pk: int | str, file_pk: int | str) -> DocumentFile:
    document = get_outgoing_for_user(user, document_pk)
    try:
        return document.files.select_related("document").get(pk=int(file_pk))
    except (DocumentFile.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


# --- queues ----------------------------------------------------------------------------------


def _has(user: User, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def _all(user: User) -> QuerySet[Document]:
    return outgoing_visible_to(user)


def _drafts(user: User) -> QuerySet[Document]:
    return outgoing_visible_to(user).filter(
        Q(drafted_by=user) | Q(unit_id=user.unit_id), status=Status.DRAFT
    )


def _in_review(user: User) -> QuerySet[Document]:
    return outgoing_visible_to(user).filter(status=Status.IN_REVIEW)


def _to_sign(user: User) -> QuerySet[Document]:
    return outgoing_visible_to(user).filter(status=Status.APPROVED, signer=user)


def _own_unit(user: User) -> QuerySet[Document]:
    return outgoing_visible_to(user).filter(unit=user.unit)


def _to_number(user: User) -> QuerySet[Document]:
    return _own_unit(user).filter(status=Status.SIGNED)


def _to_issue(user: User) -> QuerySet[Document]:
    return _own_unit(user).filter(status=Status.NUMBERED)


def _issued(user: User) -> QuerySet[Document]:
    return outgoing_visible_to(user).filter(status__in=ISSUED_STATES)


@dataclass(frozen=True)
class Queue:
    slug: str
    title: StrOrPromise
    rows: Callable[[User], QuerySet[Document]]
    shown_to: Callable[[User], bool]
    empty: StrOrPromise


QUEUES = {
    queue.slug: queue
    for queue in (
        Queue(
            "tat-ca",
            _("Tất cả văn bản đi"),
            _all,
            lambda user: True,
            _("Không có văn bản đi nào trong phạm vi theo dõi."),
        ),
        Queue(
            "du-thao",
            _("Dự thảo"),
            _drafts,
            lambda user: _has(user, *DRAFTERS),
            _("Không có dự thảo nào."),
        ),
        Queue(
            "cho-duyet",
            _("Chờ duyệt"),
            _in_review,
            lambda user: _has(user, Role.UNIT_LEADER),
            _("Không có dự thảo chờ duyệt."),
        ),
        Queue(
            "cho-ky",
            _("Chờ tôi ký"),
            _to_sign,
            lambda user: _has(user, Role.UNIT_LEADER),
            _("Không có văn bản chờ anh/chị ký."),
        ),
        Queue(
            "cho-cap-so",
            _("Chờ cấp số"),
            _to_number,
            lambda user: _has(user, Role.CLERK),
            _("Không có văn bản chờ cấp số."),
        ),
        Queue(
            "cho-ban-hanh",
            _("Chờ ký số cơ quan và ban hành"),
            _to_issue,
            lambda user: _has(user, Role.CLERK),
            _("Không có văn bản chờ ban hành."),
        ),
        Queue(
            "da-ban-hanh",
            _("Đã ban hành"),
            _issued,
            lambda user: True,
            _("Chưa có văn bản đã ban hành."),
        ),
    )
}


def queues_for(user: User) -> list[Queue]:
    return [queue for queue in QUEUES.values() if queue.shown_to(user)]


def queue_rows(queue: Queue, user: User) -> QuerySet[Document]:
    return queue.rows(user).select_related(*LIST_RELATED).order_by("-created_at", "-pk")


# --- what a user may do now ------------------------------------------------------------------


def can_sign(user: Any, document: Document) -> bool:
    """Whether *user* is the one to sign *document* now."""
    return (
        document.direction == Direction.OUTGOING
        and document.status == Status.APPROVED
        and can_act(user, document, "sign")
        and (document.signer_id is None or document.signer_id == user.pk)
    )


def actions_for(user: Any, document: Document) -> list[str]:
    """The action forms to show *user* on *document* now, in :data:`PAGE_ACTIONS` order."""
    names = []
    for name in PAGE_ACTIONS:
        action = move_name(name)
        if document.status in TRANSITIONS[action].sources and can_act(user, document, action):
            names.append(name)
    return names


def move_name(action: str) -> str:
    """The workflow action a page action checks (adding an annex is part of drafting)."""
    return "upload_version" if action == "add_attachment" else action


def can_follow_up(user: Any, document: Document) -> bool:
    """Whether *user* may draft a replacement or an update of the issued *document*."""
    return (
        document.direction == Direction.OUTGOING
        and document.status == Status.ISSUED
        and bool(roles_of(user) & DRAFTERS)
        and user.unit_id == document.unit_id
    )


# --- files and recipients --------------------------------------------------------------------


def versions_of(document: Document) -> QuerySet[DocumentFile]:
    """Every file of the document itself, newest first, with the comments on each."""
    return (
        document.files.exclude(kind__in=(DocumentFile.Kind.ATTACHMENT, DocumentFile.Kind.RESULT))
        .select_related("uploaded_by")
        .prefetch_related("comments__author")
        .order_by("-uploaded_at", "-pk")
    )


def attachments_of(document: Document) -> QuerySet[DocumentFile]:
    return document.files.filter(kind=DocumentFile.Kind.ATTACHMENT, is_current=True).order_by(
        "uploaded_at", "pk"
    )


def approved_version(document: Document) -> DocumentFile | None:
    return document.files.filter(kind=DocumentFile.Kind.DRAFT, approved=True).first()


def deliveries_of(document: Document) -> QuerySet[Delivery]:
    """The document's recipients with their status history (oldest message first)."""
    return (
        document.deliveries.select_related("recipient_unit")
        .prefetch_related(Prefetch("messages", queryset=StatusMessage.objects.order_by("at", "pk")))
        .order_by("recipient_unit__path", "recipient_name", "pk")
    )


def open_recalls_for(user: Any) -> QuerySet[Delivery]:
    """Recall requests addressed to *user*'s unit not answered yet (for clerks and leaders)."""
    if not getattr(user, "is_official", False) or user.unit_id is None:
        return Delivery.objects.none()
    if not roles_of(user) & {Role.CLERK, Role.UNIT_LEADER}:
        return Delivery.objects.none()
    return (
        Delivery.objects.filter(recipient_unit_id=user.unit_id, business_type=BusinessType.RECALL)
        .exclude(status__in=RECALL_ANSWERS)
        .select_related("document", "document__unit", "document__document_type")
        .order_by("updated_at", "pk")
    )


def get_recall_for_user(user: Any, pk: int | str) -> Delivery:
    try:
        return open_recalls_for(user).get(pk=int(pk))
    except (Delivery.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc
