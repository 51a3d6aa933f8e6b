"""The whole outgoing chain through the services: draft, approve, sign, number, seal, issue.

Every signed PDF is checked by poppler's ``pdfsig`` and by pyHanko's validator (through the
signing app's ``verify_pdf``), which must report the number and date filling as allowed.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader

from chinhquyenso.accounts.models import User
from chinhquyenso.core.models import AuditEntry, Notification
from chinhquyenso.documents import outgoing
from chinhquyenso.documents.models import (
    BusinessType,
    Delivery,
    DeliveryStatus,
    DocumentFile,
    DocumentType,
    Secrecy,
    Series,
    Status,
)
from chinhquyenso.documents.selectors import arrivals_for, current_file
from chinhquyenso.documents.tests.outgoing.conftest import (
    approved,
    assert_pdfsig_all_valid,
    decision_pdf,
    draft,
    file_bytes,
    issued,
    signed,
    upload,
)
from chinhquyenso.signing.pdf import DATE_FIELD, NUMBER_FIELD, SEAL_FIELD, signature_field_boxes
from chinhquyenso.signing.tests.conftest import count_pixels, pdf_text, render_page
from chinhquyenso.signing.verification import verify_pdf

pytestmark = pytest.mark.django_db


def _today() -> dt.date:
    return timezone.localdate()


def test_issuing_a_decision_end_to_end(
    issuing: dict[str, Any], decision_type: DocumentType, other_clerk: User, tmp_path: Path
) -> None:
    document = draft(issuing, decision_type)
    assert document.status == Status.DRAFT
    version = approved(issuing, document)
    assert version.approved and version.version == 1

    person = signed(issuing, document, version)
    document.refresh_from_db()
    assert document.status == Status.SIGNED
    data = file_bytes(person)
    assert_pdfsig_all_valid(data, tmp_path, 1)
    [signature] = verify_pdf(data).signatures
    assert signature.certification and signature.valid and signature.trusted
    assert signature.signer_name == "Nguyễn Văn Hùng"
    # The number and date fields and the seal's field are there, empty, before numbering.
    reader = PdfFileReader(io.BytesIO(data))
    fields = {name for name, *_rest in signature_field_boxes(reader)}
    assert SEAL_FIELD in fields

    outgoing.outgoing_give_number(document=document, by=issuing["clerk"])
    document.refresh_from_db()
    assert (document.number, document.notation, document.year) == (1, "QĐ-UBND", _today().year)
    assert document.reference == "01/QĐ-UBND" and document.issued_on == _today()
    assert document.register is not None and document.register.series == Series.NORMAL
    numbered = file_bytes(current_file(document))  # type: ignore[arg-type]
    assert_pdfsig_all_valid(numbered, tmp_path, 1)
    [signature] = verify_pdf(numbered).signatures
    assert signature.valid and signature.modified_after_signing and signature.modification_allowed
    assert signature.modification == "form_filling"
    assert {NUMBER_FIELD, DATE_FIELD} <= set(signature.changed_fields)

    outgoing.outgoing_issue(document=document, by=issuing["clerk"])
    document.refresh_from_db()
    assert document.status == Status.ISSUED
    final = file_bytes(current_file(document))  # type: ignore[arg-type]
    assert_pdfsig_all_valid(final, tmp_path, 2)
    person_sig, organisation = verify_pdf(final).signatures
    assert person_sig.valid and person_sig.trusted and person_sig.modification_allowed
    assert organisation.field_name == SEAL_FIELD
    assert organisation.signer_name == "Ủy ban nhân dân phường Thành Vinh"
    assert organisation.valid and organisation.trusted

    # The other commune finds it in its "arrived" queue.
    [delivery] = Delivery.objects.filter(document=document)
    assert delivery.recipient_unit == issuing["recipient"]
    assert delivery.status == DeliveryStatus.ARRIVED
    assert delivery.business_type == BusinessType.NEW
    assert list(arrivals_for(other_clerk)) == [delivery]
    assert [m.status for m in delivery.messages.all()] == [DeliveryStatus.ARRIVED]
    assert Notification.objects.filter(recipient=other_clerk).exists()

    kinds = list(document.files.order_by("pk").values_list("kind", "version"))
    assert kinds == [
        (DocumentFile.Kind.DRAFT, 1),
        (DocumentFile.Kind.SIGNED, 1),
        (DocumentFile.Kind.SIGNED, 2),
        (DocumentFile.Kind.ISSUED, 1),
    ]
    actions = list(document.events.values_list("action", flat=True))
    assert actions == [
        "create",
        "submit_for_review",
        "approve",
        "sign",
        "give_number",
        "seal_and_issue",
    ]
    audited = set(
        AuditEntry.objects.filter(object_id=str(document.pk)).values_list("action", flat=True)
    )
    assert {
        "documents.outgoing.create",
        "documents.outgoing.approve",
        "documents.outgoing.sign",
        "documents.outgoing.give_number",
        "documents.outgoing.issue",
    } <= audited


def test_number_and_date_fill_the_placeholders_and_show_on_the_page(
    issuing: dict[str, Any], decision_type: DocumentType, tmp_path: Path
) -> None:
    document = draft(issuing, decision_type)
    signed(issuing, document, approved(issuing, document))
    outgoing.outgoing_give_number(document=document, by=issuing["clerk"])
    data = file_bytes(current_file(document))  # type: ignore[arg-type]
    text = pdf_text(data, tmp_path)
    assert "Số: 01/QĐ-UBND" in text
    assert outgoing.date_line(issuing["clerk"].unit, _today()) in " ".join(text.split())


def test_a_docx_draft_is_converted_to_pdf_and_both_are_kept(
    issuing: dict[str, Any], letter_type: DocumentType, tmp_path: Path
) -> None:
    from chinhquyenso.documents.convert import soffice_path
    from chinhquyenso.documents.tests.outgoing.conftest import reply_docx

    if soffice_path() is None:
        pytest.skip("LibreOffice is missing: run scripts/install-system-deps.sh")
    source = reply_docx("V/v kiểm tra chuyển đổi tệp Word")
    document = draft(
        issuing, letter_type, data=source, name="cong-van.docx", drafting_unit_abbreviation="VX"
    )
    [version] = document.files.all()
    assert version.kind == DocumentFile.Kind.DRAFT and version.original_name == "cong-van.pdf"
    pdf = file_bytes(version)
    assert pdf.startswith(b"%PDF-")
    with version.source_file.open("rb") as handle:
        assert handle.read() == source
    assert "kiểm tra chuyển đổi tệp Word" in pdf_text(pdf, tmp_path)
    assert "kiem tra chuyen doi" in document.search_text  # the PDF's text is searchable

    # The converted draft goes through the chain like any PDF: a công văn is 01/UBND-VX.
    signed(issuing, document, approved(issuing, document))
    outgoing.outgoing_give_number(document=document, by=issuing["clerk"])
    document.refresh_from_db()
    assert document.reference == "01/UBND-VX"
    text = pdf_text(file_bytes(current_file(document)), tmp_path)  # type: ignore[arg-type]
    assert "Số: 01/UBND-VX" in text
    outgoing.outgoing_issue(document=document, by=issuing["clerk"])
    assert_pdfsig_all_valid(file_bytes(current_file(document)), tmp_path, 2)  # type: ignore[arg-type]


def test_default_places_of_number_and_date_without_placeholders(
    issuing: dict[str, Any], decision_type: DocumentType, tmp_path: Path
) -> None:
    from chinhquyenso.signing.appearance import VisibleSignature

    document = draft(issuing, decision_type, data=decision_pdf(placeholders=False))
    version = approved(issuing, document)
    box = (330.0, 470.0, 470.0, 530.0)
    outgoing.outgoing_sign(
        document=document,
        version=version,
        by=issuing["signer"],
        appearance=VisibleSignature.person(page=1, box=box),
    )
    outgoing.outgoing_give_number(document=document, by=issuing["clerk"])
    outgoing.outgoing_issue(document=document, by=issuing["clerk"])
    final = file_bytes(current_file(document))  # type: ignore[arg-type]
    assert_pdfsig_all_valid(final, tmp_path, 2)
    page = render_page(final, tmp_path, 1)
    # The number at the top left, the date at the top right, about 40 mm from the top edge.
    mm = 72 / 25.4
    top = page.height - 45 * mm, page.height - 37 * mm
    assert count_pixels(page, (30 * mm, top[0], 100 * mm, top[1]), "dark") > 50
    assert count_pixels(page, (100 * mm, top[0], 195 * mm, top[1]), "dark") > 50
    # The signature image where the signer put it, the seal over its left third.
    assert count_pixels(page, box, "blue") > 100
    assert count_pixels(page, (box[0], box[1], box[0] + (box[2] - box[0]) / 3, box[3]), "red") > 50


def test_secret_documents_take_the_secret_series_and_are_not_sent_through_the_platform(
    issuing: dict[str, Any], decision_type: DocumentType, letter_type: DocumentType
) -> None:
    with pytest.raises(outgoing.DocumentError) as refused:
        draft(issuing, decision_type, secrecy=Secrecy.CONFIDENTIAL)
    assert "độ mật không được gửi qua hệ thống" in refused.value.messages[0]

    normal = issued(issuing, decision_type)
    secret = issued(
        issuing,
        letter_type,
        secrecy=Secrecy.CONFIDENTIAL,
        recipient_units=[],
        recipients_text="Công an tỉnh Nghệ An",
    )
    another = issued(issuing, decision_type)
    assert (normal.number, another.number) == (1, 2)
    assert secret.number == 1 and secret.register is not None
    assert secret.register.series == Series.SECRET
    [paper] = secret.deliveries.all()
    assert paper.recipient_unit is None and paper.recipient_name == "Công an tỉnh Nghệ An"
    assert paper.status == DeliveryStatus.SENT and paper.note == "Gửi bản giấy."


def test_attachments_carry_the_organisation_signature_only(
    issuing: dict[str, Any], decision_type: DocumentType, tmp_path: Path
) -> None:
    document = draft(issuing, decision_type)
    outgoing.outgoing_add_attachment(
        document=document,
        by=issuing["drafter"],
        upload=upload(decision_pdf(subject="Phụ lục danh sách"), "phu-luc.pdf"),
    )
    signed(issuing, document, approved(issuing, document))
    outgoing.outgoing_give_number(document=document, by=issuing["clerk"])
    outgoing.outgoing_issue(document=document, by=issuing["clerk"])
    [annex] = document.files.filter(kind=DocumentFile.Kind.ATTACHMENT, is_current=True)
    data = file_bytes(annex)
    assert_pdfsig_all_valid(data, tmp_path, 1)
    [stamp] = verify_pdf(data).signatures
    assert stamp.signer_name == "Ủy ban nhân dân phường Thành Vinh" and stamp.valid
    first_lines = pdf_text(data, tmp_path).splitlines()[:4]
    assert any(line.rstrip().endswith("01/QĐ-UBND") for line in first_lines)
    assert any("+07:00" in line for line in first_lines)
    page = render_page(data, tmp_path, 1)
    assert count_pixels(page, (0, 0, page.width, page.height), "red") == 0  # no seal image
