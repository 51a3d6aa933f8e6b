"""Demo data for outgoing documents: drafts at every step, and documents issued with both
signatures through the demo PKI to other demo units.

Phường Thành Vinh and Sở Xây dựng each draft five documents from the sample template
(``documents/outgoing/pdf/draft.html``, with the number, date and signature placeholders): one
stays a draft with a leader's comment, one waits for review, one is approved and waits for the
signer, one is signed and waits for its number, and two are issued — the competent person's
certification signature, the number and date filled in, the organisation's seal — to the other
unit and to Sở Nông nghiệp và Môi trường, so they arrive in those units' incoming queues.

Everything goes through the real services. The demo PKI, the leaders' keys and signature images
and the units' keys and seals come from ``signing.demo.signing_demo_setup`` (run first). The
documents are made now, not back-dated: a signature cannot predate the demo certificates.
Idempotent: a unit that already has outgoing documents is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile

from chinhquyenso.accounts.models import User
from chinhquyenso.core.pdf import PdfUnavailable, render_pdf
from chinhquyenso.documents import outgoing
from chinhquyenso.documents.errors import DocumentError
from chinhquyenso.documents.models import Direction, Document, DocumentType
from chinhquyenso.documents.selectors import current_file
from chinhquyenso.signing.appearance import VisibleSignature
from chinhquyenso.signing.demo import signing_demo_setup
from chinhquyenso.signing.errors import SigningError
from chinhquyenso.units.models import COMMUNE_LEVEL_KINDS, Unit

STAGES = ("draft", "in_review", "approved", "signed", "issued")


@dataclass(frozen=True)
class Issuer:
    """A demo unit that issues documents, its officials' logins and its signature block."""

    drafter: str
    leader: str
    clerk: str
    authority: str
    position: str
    parent_agency: str = ""


ISSUERS = {
    "16681": Issuer(
        drafter="chuyenvien.thanhvinh@demo.example",
        leader="chutich.thanhvinh@demo.example",
        clerk="vanthu.thanhvinh@demo.example",
        authority="TM. Ủy ban nhân dân",
        position="Chủ tịch",
    ),
    "40-SXD": Issuer(
        drafter="chuyenvien.sxd@demo.example",
        leader="giamdoc.sxd@demo.example",
        clerk="vanthu.sxd@demo.example",
        authority="",
        position="Giám đốc",
        parent_agency="UBND tỉnh Nghệ An",
    ),
}


@dataclass(frozen=True)
class Plan:
    type_code: str
    subject: str
    paragraphs: tuple[str, ...]
    stage: str
    to: tuple[str, ...]
    external: str = ""
    drafting: str = ""


PLANS = {
    "16681": (
        Plan(
            "cong-van",
            "V/v đề nghị hướng dẫn cấp phép xây dựng nhà ở riêng lẻ trên địa bàn phường",
            (
                "Thời gian qua, số hồ sơ cấp phép xây dựng nhà ở riêng lẻ tại phường tăng "
                "nhanh, nhiều trường hợp vướng về chỉ giới xây dựng.",
                "Ủy ban nhân dân phường Thành Vinh đề nghị Sở Xây dựng hướng dẫn thống nhất "
                "cách xác định chỉ giới xây dựng tại các tuyến đường chưa có quy hoạch chi tiết.",
            ),
            "issued",
            ("40-SXD",),
            drafting="ĐC",
        ),
        Plan(
            "bao-cao",
            "Báo cáo kết quả xử lý chất thải rắn sinh hoạt năm 2026",
            (
                "Năm 2026, phường thu gom bình quân 45 tấn chất thải rắn sinh hoạt mỗi ngày, "
                "đạt 98% khối lượng phát sinh.",
                "Phường kiến nghị bổ sung điểm tập kết tại khu vực chợ Vinh.",
            ),
            "issued",
            ("40-SNNMT",),
            external="Báo Nghệ An",
        ),
        Plan(
            "ke-hoach",
            "Kế hoạch tổ chức Ngày hội Chuyển đổi số phường Thành Vinh năm 2026",
            ("Tổ chức ngày hội trải nghiệm dịch vụ công trực tuyến cho người dân.",),
            "signed",
            ("40-SXD",),
        ),
        Plan(
            "thong-bao",
            "Thông báo lịch tiếp công dân tháng 12 năm 2026",
            ("Chủ tịch Ủy ban nhân dân phường tiếp công dân định kỳ vào thứ Năm hằng tuần.",),
            "approved",
            ("40-SXD",),
        ),
        Plan(
            "quyet-dinh",
            "Quyết định thành lập Tổ công nghệ số cộng đồng phường Thành Vinh",
            ("Thành lập Tổ công nghệ số cộng đồng gồm các thành viên có tên tại Điều 2.",),
            "in_review",
            ("40-SNNMT",),
        ),
        Plan(
            "cong-van",
            "V/v rà soát hộ gia đình chưa có nước sạch",
            ("Đề nghị các khối rà soát, báo cáo số hộ chưa được cấp nước sạch.",),
            "draft",
            ("40-SNNMT",),
            drafting="VX",
        ),
    ),
    "40-SXD": (
        Plan(
            "cong-van",
            "V/v hướng dẫn xác định chỉ giới xây dựng khi cấp phép nhà ở riêng lẻ",
            (
                "Sở Xây dựng nhận được văn bản của Ủy ban nhân dân phường Thành Vinh đề nghị "
                "hướng dẫn xác định chỉ giới xây dựng.",
                "Tại các tuyến đường chưa có quy hoạch chi tiết, chỉ giới xây dựng được xác định "
                "theo quy chuẩn QCVN 01:2021/BXD và quy chế quản lý kiến trúc đô thị đã ban hành.",
            ),
            "issued",
            ("16681",),
            drafting="QLXD",
        ),
        Plan(
            "thong-bao",
            "Thông báo kết quả kiểm tra an toàn công trình trước mùa mưa bão",
            ("Sở đã kiểm tra 24 công trình; 3 công trình cần khắc phục trước ngày 15/12.",),
            "issued",
            ("40-SNNMT", "16681"),
        ),
        Plan(
            "ke-hoach",
            "Kế hoạch kiểm tra công tác quản lý trật tự xây dựng năm 2027",
            ("Kiểm tra tại 20 xã, phường trong quý I năm 2027.",),
            "signed",
            ("16681",),
        ),
        Plan(
            "bao-cao",
            "Báo cáo tình hình cấp phép xây dựng quý IV năm 2026",
            ("Trong quý, toàn tỉnh cấp 1.250 giấy phép xây dựng, 96% đúng hạn.",),
            "approved",
            ("40-SNNMT",),
        ),
        Plan(
            "quyet-dinh",
            "Quyết định ban hành quy trình nội bộ giải quyết thủ tục cấp giấy phép xây dựng",
            ("Ban hành kèm theo Quyết định này quy trình nội bộ gồm 6 bước.",),
            "in_review",
            ("16681",),
        ),
        Plan(
            "cong-van",
            "V/v góp ý dự thảo quy định về quản lý nhà chung cư",
            ("Đề nghị các đơn vị góp ý dự thảo trước ngày 20/12/2026.",),
            "draft",
            ("16681", "40-SNNMT"),
            drafting="QLN",
        ),
    ),
}


@dataclass
class OutgoingDemoResult:
    created: int = 0
    issued: int = 0
    skipped: list[str] = field(default_factory=list)


def _user(login: str) -> User | None:
    return User.objects.filter(email=login, is_active=True).first()


def _agency(unit: Unit) -> str:
    """ "Ủy ban nhân dân phường Thành Vinh" for a ward, the unit's own name otherwise."""
    if unit.kind in COMMUNE_LEVEL_KINDS:
        return f"Ủy ban nhân dân {unit.name[:1].lower()}{unit.name[1:]}"
    return unit.name


def _pdf(unit: Unit, issuer: Issuer, plan: Plan, kind: DocumentType, signer: User) -> bytes:
    recipients = [u.name for u in Unit.objects.filter(code__in=plan.to)]
    if plan.external:
        recipients.append(plan.external)
    return render_pdf(
        "documents/outgoing/pdf/draft.html",
        {
            "agency": _agency(unit),
            "parent_agency": issuer.parent_agency,
            "kind": kind.name if kind.abbreviation else "",
            "subject": plan.subject,
            "paragraphs": plan.paragraphs,
            "authority": issuer.authority,
            "position": issuer.position,
            "signer": signer.full_name,
            "recipients": recipients,
        },
    )


def _advance(document: Document, plan: Plan, drafter: User, leader: User, clerk: User) -> bool:
    """Take *document* to the plan's stage; ``True`` if it was issued."""
    target = STAGES.index(plan.stage)
    if target == 0:
        outgoing.outgoing_comment(
            document=document,
            by=leader,
            text="Bổ sung thời hạn báo cáo và đầu mối liên hệ trước khi trình.",
        )
        return False
    outgoing.outgoing_submit(document=document, by=drafter)
    if target >= STAGES.index("approved"):
        version = current_file(document)
        assert version is not None
        outgoing.outgoing_approve(document=document, version=version, by=leader)
        if target >= STAGES.index("signed"):
            outgoing.outgoing_sign(
                document=document,
                version=version,
                by=leader,
                appearance=VisibleSignature.person(placeholder=outgoing.SIGNATURE_PLACEHOLDER),
            )
        if target >= STAGES.index("issued"):
            outgoing.outgoing_give_number(document=document, by=clerk)
            outgoing.outgoing_issue(document=document, by=clerk)
            return True
    return False


def outgoing_demo_load() -> OutgoingDemoResult:
    """Load the outgoing documents demo (see the module docstring); idempotent.

    Needs the demo units and logins (``core.demo.demo_load``)."""
    result = OutgoingDemoResult()
    signing_demo_setup()
    for code, issuer in ISSUERS.items():
        unit = Unit.objects.filter(code=code).first()
        drafter, leader, clerk = _user(issuer.drafter), _user(issuer.leader), _user(issuer.clerk)
        if unit is None or drafter is None or leader is None or clerk is None:
            result.skipped.append(code)
            continue
        if Document.objects.filter(unit=unit, direction=Direction.OUTGOING).exists():
            continue
        for plan in PLANS[code]:
            kind = DocumentType.objects.get(code=plan.type_code)
            try:
                document = outgoing.outgoing_create(
                    unit=unit,
                    by=drafter,
                    document_type=kind,
                    subject=plan.subject,
                    signer=leader,
                    upload=SimpleUploadedFile(
                        f"{plan.type_code}.pdf",
                        _pdf(unit, issuer, plan, kind, leader),
                        content_type="application/pdf",
                    ),
                    recipient_units=list(Unit.objects.filter(code__in=plan.to)),
                    recipients_text=plan.external,
                    drafting_unit_abbreviation=plan.drafting,
                )
                result.created += 1
                result.issued += _advance(document, plan, drafter, leader, clerk)
            except (DocumentError, SigningError, PdfUnavailable) as exc:
                result.skipped.append(f"{code}: {plan.subject}: {exc}")
    return result
