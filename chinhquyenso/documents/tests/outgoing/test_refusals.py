"""What the outgoing chain refuses, with a clear message, leaving nothing half done."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.files.base import ContentFile

from chinhquyenso.accounts.models import User
from chinhquyenso.documents import convert, outgoing
from chinhquyenso.documents.errors import DocumentError
from chinhquyenso.documents.models import (
    Document,
    DocumentFile,
    DocumentType,
    RegisterCounter,
    Status,
)
from chinhquyenso.documents.selectors import current_file
from chinhquyenso.documents.tests.outgoing.conftest import (
    approved,
    decision_pdf,
    docx_bytes,
    draft,
    issued,
    signed,
    upload,
)
from chinhquyenso.signing import pdf as signing_pdf
from chinhquyenso.signing.appearance import VisibleSignature
from chinhquyenso.signing.errors import PdfRefused
from chinhquyenso.signing.models import SigningCredential
from chinhquyenso.signing.pki import DemoPki
from chinhquyenso.signing.tests.test_signing import encrypted_pdf, pdf_with_javascript

pytestmark = pytest.mark.django_db


def _message(excinfo: pytest.ExceptionInfo[DocumentError]) -> str:
    return " ".join(excinfo.value.messages)


def test_only_the_approved_version_is_signed(
    issuing: dict[str, Any], decision_type: DocumentType
) -> None:
    document = draft(issuing, decision_type)
    first = approved(issuing, document)
    # Once approved, no new version may come in…
    with pytest.raises(DocumentError) as late:
        outgoing.outgoing_upload_version(
            document=document, by=issuing["drafter"], upload=upload(decision_pdf(), "v2.pdf")
        )
    assert "Đã duyệt, chờ ký" in _message(late)
    # …the leader takes the approval back, a second version is approved…
    outgoing.outgoing_return(document=document, by=issuing["signer"], comment="Sửa Điều 2.")
    first.refresh_from_db()
    assert not first.approved
    second_upload = upload(decision_pdf(subject="Về việc thử nghiệm (sửa)"), "v2.pdf")
    second = outgoing.outgoing_upload_version(
        document=document, by=issuing["drafter"], upload=second_upload
    )
    outgoing.outgoing_submit(document=document, by=issuing["drafter"])
    outgoing.outgoing_approve(document=document, version=second, by=issuing["signer"])

    # …and signing the first version is refused, naming the approved one.
    with pytest.raises(DocumentError) as refused:
        signed(issuing, document, first)
    assert refused.value.code == "not_approved"
    assert _message(refused) == (
        "Chỉ ký được phiên bản đã được duyệt. Phiên bản 1 chưa được duyệt; phiên bản được "
        "duyệt là phiên bản 2."
    )
    document.refresh_from_db()
    assert document.status == Status.APPROVED
    assert not document.files.filter(kind=DocumentFile.Kind.SIGNED).exists()
    signed(issuing, document, second)
    assert document.comments.get().text == "Sửa Điều 2."


def test_a_leader_approves_only_the_version_they_read(
    issuing: dict[str, Any], decision_type: DocumentType
) -> None:
    document = draft(issuing, decision_type)
    first = current_file(document)
    assert first is not None
    outgoing.outgoing_submit(document=document, by=issuing["drafter"])
    outgoing.outgoing_upload_version(
        document=document, by=issuing["drafter"], upload=upload(decision_pdf(), "v2.pdf")
    )
    with pytest.raises(DocumentError) as stale:
        outgoing.outgoing_approve(document=document, version=first, by=issuing["signer"])
    assert "phiên bản 2" in _message(stale)
    first.refresh_from_db()
    assert not first.approved


def test_who_may_do_what(
    issuing: dict[str, Any],
    decision_type: DocumentType,
    leader: User,
    bob: User,
    other_clerk: User,
) -> None:
    document = draft(issuing, decision_type)
    with pytest.raises(DocumentError):
        outgoing.outgoing_create(
            unit=issuing["drafter"].unit,
            by=bob,
            document_type=decision_type,
            subject="Văn bản của đơn vị khác",
            signer=issuing["signer"],
            upload=upload(decision_pdf(), "a.pdf"),
            recipient_units=[issuing["recipient"]],
        )
    outgoing.outgoing_submit(document=document, by=issuing["drafter"])
    with pytest.raises(DocumentError) as specialist:
        outgoing.outgoing_approve(
            document=document,
            version=current_file(document),
            by=issuing["drafter"],  # type: ignore[arg-type]
        )
    assert "không có quyền duyệt" in _message(specialist)
    # A leader of the province above approves; only the chosen signer signs.
    version = outgoing.outgoing_approve(
        document=document,
        version=current_file(document),
        by=leader,  # type: ignore[arg-type]
    )
    with pytest.raises(DocumentError) as other_signer:
        outgoing.outgoing_sign(
            document=document,
            version=version,
            by=leader,
            appearance=VisibleSignature.person(placeholder=outgoing.SIGNATURE_PLACEHOLDER),
        )
    assert "do Nguyễn Văn Hùng ký" in _message(other_signer)
    signed(issuing, document, version)
    for intruder in (issuing["drafter"], other_clerk, issuing["signer"]):
        with pytest.raises(DocumentError):
            outgoing.outgoing_give_number(document=document, by=intruder)
    with pytest.raises(DocumentError) as early:
        outgoing.outgoing_issue(document=document, by=issuing["clerk"])
    assert "Đã ký, chờ cấp số" in _message(early)


def test_the_signer_needs_a_personal_certificate(
    issuing: dict[str, Any], decision_type: DocumentType, leader: User
) -> None:
    document = draft(issuing, decision_type)
    version = approved(issuing, document)
    SigningCredential.objects.filter(official=issuing["signer"]).update(is_active=False)
    with pytest.raises(DocumentError) as refused:
        signed(issuing, document, version)
    assert "chưa có chứng thư số cá nhân" in _message(refused)


def _credential(pki: DemoPki, official: User, name: str) -> SigningCredential:
    issued_cert = pki.load(name)
    return SigningCredential.objects.create(
        official=official,
        kind="pkcs12",
        certificate_pem=issued_cert.certificate.public_bytes(Encoding.PEM).decode(),
        subject_name=name,
        issuer_name="CA",
        serial_number="1",
        fingerprint_sha256="0" * 64,
        valid_from=issued_cert.certificate.not_valid_before_utc,
        valid_to=issued_cert.certificate.not_valid_after_utc,
        pkcs12_file=ContentFile(pki.pkcs12_path(name).read_bytes(), name="k.p12"),
        secret_ref=f"file:{pki.passphrase_path}",
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("expired", "Chứng thư số đã hết hạn từ"),
        ("revoked", "Chứng thư số đã bị thu hồi từ"),
    ],
)
def test_expired_or_revoked_certificates_are_refused_with_the_signing_message(
    issuing: dict[str, Any], decision_type: DocumentType, pki: DemoPki, name: str, message: str
) -> None:
    document = draft(issuing, decision_type)
    version = approved(issuing, document)
    credential = _credential(pki, issuing["signer"], name)
    with pytest.raises(DocumentError) as refused:
        outgoing.outgoing_sign(
            document=document,
            version=version,
            by=issuing["signer"],
            appearance=VisibleSignature.person(placeholder=outgoing.SIGNATURE_PLACEHOLDER),
            credential=credential,
        )
    assert _message(refused).startswith(message)
    document.refresh_from_db()
    assert document.status == Status.APPROVED


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "rong.pdf", "không có nội dung"),
        (b"Xin chao, day khong phai van ban", "van-ban.txt", "không phải tệp PDF hoặc DOCX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "cu.doc", "Word 97–2003"),
        (b"PK\x03\x04 broken zip", "hong.docx", "không phải tệp PDF hoặc DOCX"),
    ],
)
def test_bad_uploads_are_refused(
    issuing: dict[str, Any], decision_type: DocumentType, data: bytes, name: str, expected: str
) -> None:
    with pytest.raises(DocumentError) as refused:
        draft(issuing, decision_type, data=data, name=name)
    assert expected in _message(refused)
    assert refused.value.field == "file"
    assert not Document.objects.exists()


def test_encrypted_and_scripted_pdfs_are_refused(
    issuing: dict[str, Any], decision_type: DocumentType
) -> None:
    clean = decision_pdf()
    for data, expected in (
        (encrypted_pdf(clean), "được mã hóa"),
        (pdf_with_javascript(clean), "JavaScript"),
    ):
        with pytest.raises(DocumentError) as refused:
            draft(issuing, decision_type, data=data)
        assert expected in _message(refused)
    assert not Document.objects.exists()


def test_a_docx_that_cannot_be_converted_gets_a_clear_message(
    issuing: dict[str, Any], decision_type: DocumentType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(convert, "soffice_path", lambda: None)
    data = docx_bytes([("Dự thảo", "left", False)])
    with pytest.raises(DocumentError) as missing:
        draft(issuing, decision_type, data=data, name="du-thao.docx")
    assert "chưa cài LibreOffice" in _message(missing)


def test_a_failed_numbering_gives_its_number_back(
    issuing: dict[str, Any], decision_type: DocumentType, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = draft(issuing, decision_type)
    signed(issuing, document, approved(issuing, document))

    def broken(pdf: bytes, values: Any) -> bytes:
        raise PdfRefused("Văn bản không có ô trống để điền.", code="no_field")

    monkeypatch.setattr(signing_pdf, "fill_fields", broken)
    with pytest.raises(DocumentError):
        outgoing.outgoing_give_number(document=document, by=issuing["clerk"])
    document.refresh_from_db()
    assert document.status == Status.SIGNED and document.number is None
    assert not RegisterCounter.objects.filter(last_number__gt=0).exists()
    monkeypatch.undo()
    outgoing.outgoing_give_number(document=document, by=issuing["clerk"])
    document.refresh_from_db()
    assert document.number == 1


def test_the_date_of_issue_is_between_signing_and_today(
    issuing: dict[str, Any], decision_type: DocumentType
) -> None:
    document = draft(issuing, decision_type)
    signed(issuing, document, approved(issuing, document))
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(DocumentError) as refused:
        outgoing.outgoing_give_number(document=document, by=issuing["clerk"], issued_on=tomorrow)
    assert refused.value.field == "issued_on"


def test_the_recipients_are_checked(issuing: dict[str, Any], decision_type: DocumentType) -> None:
    own = issuing["drafter"].unit
    for kwargs, expected in (
        ({"recipient_units": [own]}, "không gửi văn bản đi cho chính mình"),
        ({"recipient_units": []}, "Cần chọn ít nhất một nơi nhận"),
    ):
        with pytest.raises(DocumentError) as refused:
            draft(issuing, decision_type, **kwargs)
        assert expected in _message(refused)
    document = issued(issuing, decision_type, recipients_text="- Sở Nội vụ (000.00.05.h40);")
    external = document.deliveries.get(recipient_unit__isnull=True)
    assert (external.recipient_name, external.recipient_code) == ("Sở Nội vụ", "000.00.05.H40")
