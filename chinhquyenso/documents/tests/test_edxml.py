"""edXML (QCVN 102:2016): an issued document goes out as a package, comes into another unit's
incoming register intact, bad packages are refused with their reason, and the recipient's
status messages reach the sender's delivery; the same through the ``export-edxml`` and
``import-edxml`` commands."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from lxml import etree
from weasyprint import HTML

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import official_create
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.core import clock
from chinhquyenso.documents import edxml, edxml_status
from chinhquyenso.documents.edxml import NAMESPACE, PackageRejected, document_package
from chinhquyenso.documents.errors import DocumentError
from chinhquyenso.documents.models import (
    BusinessType,
    Delivery,
    DeliveryStatus,
    Direction,
    Document,
    DocumentEvent,
    DocumentFile,
    DocumentType,
    RegisterCounter,
    Secrecy,
    Status,
    StatusMessage,
    Urgency,
)
from chinhquyenso.documents.registers_print import printed_register
from chinhquyenso.documents.services import document_search_text
from chinhquyenso.units.models import Unit, UnitKind
from chinhquyenso.units.services import unit_create

RECIPIENT_CODE = "000.00.02.H40"
SUBJECT = "Về việc tổ chức Tết Trồng cây đời đời nhớ ơn Bác Hồ năm 2026"
BODY_WORD = "keo lai giâm hom"  # only in the PDF's text

_DECISION = """<html><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 2cm 1.5cm 2cm 3cm }} body {{ font-family: serif; font-size: 13pt }}
</style></head><body>
<p>ỦY BAN NHÂN DÂN PHƯỜNG THÀNH VINH</p><p>Số: 15/QĐ-UBND</p>
<p><b>QUYẾT ĐỊNH</b></p><p>{subject}</p>
<p>Điều 1. Trồng 2.000 cây {word} dọc các tuyến đường của phường.</p>
<p>CHỦ TỊCH</p><p><b>Nguyễn Văn Hùng</b></p>
</body></html>"""


def decision_pdf(subject: str = SUBJECT) -> bytes:
    return HTML(string=_DECISION.format(subject=subject, word=BODY_WORD)).write_pdf()


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def recipient(province: Unit) -> Unit:
    return unit_create(
        parent=province,
        kind=UnitKind.COMMUNE,
        name="Xã Hưng Nguyên",
        short_name="UBND",
        code="17920",
        agency_code=RECIPIENT_CODE,
        by=None,
    )


@pytest.fixture
def sender_clerk(commune: Unit) -> User:
    return official_create(
        full_name="Hồ Thị Văn",
        unit=commune,
        roles=[Role.CLERK],
        email="vanthu.thanhvinh@example.vn",
        phone="0912000001",
        password=PASSWORD,
        by=None,
    )


@pytest.fixture
def clerk(recipient: Unit) -> User:
    """The clerk (văn thư) of the receiving commune."""
    return official_create(
        full_name="Đặng Thị Thư",
        unit=recipient,
        roles=[Role.CLERK],
        email="vanthu.hungnguyen@example.vn",
        password=PASSWORD,
        by=None,
    )


@pytest.fixture
def issued(commune: Unit, recipient: Unit, sender_clerk: User) -> Document:
    """A decision of Phường Thành Vinh, issued and sent to Xã Hưng Nguyên outside the platform.

    Made with the models: the outgoing services (drafting, signing, numbering, issuing) are
    tested on their own; here only the issued result matters."""
    now = clock.now()
    document = Document(
        unit=commune,
        direction=Direction.OUTGOING,
        status=Status.ISSUED,
        document_type=DocumentType.objects.get(code="quyet-dinh"),
        number=15,
        notation="QĐ-UBND",
        year=now.year,
        issued_on=now.date() - dt.timedelta(days=1),
        subject=SUBJECT,
        signer_name="Nguyễn Văn Hùng",
        signer_title="Chủ tịch",
        urgency=Urgency.VERY_URGENT,
        recipients_text="UBND xã Hưng Nguyên\nLưu: VT, VP",
        page_count=1,
        created_at=now,
    )
    document.search_text = document_search_text(document)
    document.save()
    data = decision_pdf()
    stored = DocumentFile(
        document=document,
        kind=DocumentFile.Kind.ISSUED,
        original_name="15-QD-UBND.pdf",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        uploaded_at=now,
    )
    stored.file.save("issued.pdf", ContentFile(data), save=True)
    Delivery.objects.create(
        document=document,
        recipient_name="UBND xã Hưng Nguyên",
        recipient_code=RECIPIENT_CODE,
        sent_at=now,
        updated_at=now,
    )
    return document


@pytest.fixture
def package(issued: Document, sender_clerk: User) -> bytes:
    return document_package(issued, by=sender_clerk)


def pdf_of(document: Document) -> bytes:
    main = document.files.get(is_current=True, kind=DocumentFile.Kind.ISSUED)
    with main.file.open("rb") as handle:
        return handle.read()


def nothing_stored(recipient: Unit) -> None:
    assert not Document.objects.filter(unit=recipient).exists()
    assert not DocumentFile.objects.filter(document__unit=recipient).exists()
    assert not RegisterCounter.objects.filter(register__unit=recipient, last_number__gt=0).exists()


# --- Export ---------------------------------------------------------------------------------


def test_export_writes_the_header_and_the_signed_pdf(issued: Document, package: bytes) -> None:
    root = etree.fromstring(package)
    ns = {"e": NAMESPACE}
    assert etree.QName(root).namespace == NAMESPACE
    header = root.find("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader", ns)
    assert header is not None
    assert header.findtext("e:From/e:OrganId", namespaces=ns) == "000.00.01.H40"
    assert header.findtext("e:From/e:OrganName", namespaces=ns) == "Phường Thành Vinh"
    assert header.findtext("e:To/e:OrganId", namespaces=ns) == RECIPIENT_CODE
    assert header.findtext("e:Code/e:CodeNumber", namespaces=ns) == "15"
    assert header.findtext("e:Code/e:CodeNotation", namespaces=ns) == "QĐ-UBND"
    assert header.findtext("e:PromulgationInfo/e:Place", namespaces=ns) == "Thành Vinh"
    assert header.findtext("e:PromulgationInfo/e:PromulgationDate", namespaces=ns) == (
        f"{issued.issued_on:%Y/%m/%d}"
    )
    assert header.findtext("e:DocumentType/e:TypeName", namespaces=ns) == "Quyết định"
    assert header.findtext("e:Subject", namespaces=ns) == SUBJECT
    assert header.findtext("e:SignerInfo/e:FullName", namespaces=ns) == "Nguyễn Văn Hùng"
    assert header.findtext("e:OtherInfo/e:Priority", namespaces=ns) == "2"  # thượng khẩn
    assert [p.text for p in header.findall("e:ToPlaces/e:Place", ns)] == [
        "UBND xã Hưng Nguyên",
        "Lưu: VT, VP",
    ]
    business = root.find("e:edXMLEnvelope/e:edXMLHeader/e:TraceHeaderList/e:Bussiness", ns)
    assert business is not None
    assert business.findtext("e:BussinessDocType", namespaces=ns) == "0"
    assert business.findtext("e:StaffInfo/e:Staff", namespaces=ns) == "Hồ Thị Văn"
    reference = root.find("e:edXMLEnvelope/e:edXMLBody/e:edXMLManifest/e:Reference", ns)
    attachment = root.find("e:AttachmentEncoded/e:Attachment", ns)
    assert reference is not None and attachment is not None
    assert reference.findtext("e:ContentType", namespaces=ns) == "application/pdf"
    assert reference.findtext("e:ContentId", namespaces=ns) == attachment.findtext(
        "e:ContentId", namespaces=ns
    )
    data = base64.b64decode(attachment.findtext("e:ContentTransferEncoded", namespaces=ns) or "")
    assert data == pdf_of(issued)
    digest = reference.findtext("e:DigestValue", namespaces=ns) or ""
    assert base64.b64decode(digest) == hashlib.sha256(data).digest()


def test_export_is_refused_for_what_must_not_leave(issued: Document, commune: Unit) -> None:
    issued.secrecy = Secrecy.CONFIDENTIAL
    issued.save()
    with pytest.raises(DocumentError, match="độ mật không được gửi qua trục liên thông"):
        document_package(issued)
    issued.secrecy, issued.status = Secrecy.NONE, Status.NUMBERED
    issued.save()
    with pytest.raises(DocumentError, match="Chỉ văn bản đi đã ban hành"):
        document_package(issued)
    issued.status = Status.ISSUED
    issued.save()
    Unit.objects.filter(pk=commune.pk).update(agency_code=None)
    issued.unit.refresh_from_db()
    with pytest.raises(DocumentError, match="chưa có mã định danh điện tử"):
        document_package(issued)


# --- Import -------------------------------------------------------------------------------


def test_package_round_trip_into_another_units_incoming_register(
    issued: Document, package: bytes, recipient: Unit, clerk: User, commune: Unit
) -> None:
    document = edxml.package_import(data=package, unit=recipient, by=clerk)

    document.refresh_from_db()
    assert document.unit == recipient
    assert document.direction == Direction.INCOMING
    assert document.status == Status.REGISTERED
    assert document.arrival_number == 1
    assert (document.number, document.notation, document.reference) == (15, "QĐ-UBND", "15/QĐ-UBND")
    assert document.issued_on == issued.issued_on
    assert document.subject == SUBJECT
    assert document.document_type.code == "quyet-dinh"
    assert (document.signer_name, document.signer_title) == ("Nguyễn Văn Hùng", "Chủ tịch")
    assert document.urgency == Urgency.VERY_URGENT
    assert document.sender_name == "Phường Thành Vinh"
    assert document.sender_unit == commune
    assert document.edxml_id == f"000.00.01.H40,{issued.issued_on:%Y/%m/%d},15/QĐ-UBND"
    assert document.business_type == BusinessType.NEW
    received = document.files.get(is_current=True)
    assert received.kind == DocumentFile.Kind.RECEIVED
    assert received.sha256 == hashlib.sha256(pdf_of(issued)).hexdigest()
    with received.file.open("rb") as handle:
        assert handle.read() == pdf_of(issued)
    # The PDF's own words are searchable in the recipient's register.
    assert "keo lai giam hom" in document.search_text
    # The printed register says how it arrived.
    printed = printed_register(document.register, document.year)
    assert printed.rows[0][-1].endswith("Nhận qua gói tin edXML")


def test_the_same_package_is_registered_once(package: bytes, recipient: Unit, clerk: User) -> None:
    first = edxml.package_import(data=package, unit=recipient, by=clerk)
    with pytest.raises(PackageRejected) as refused:
        edxml.package_import(data=package, unit=recipient, by=clerk)
    assert f"đã được vào sổ văn bản đến, số đến {first.arrival_number}" in str(
        refused.value.message
    )
    assert Document.objects.filter(unit=recipient).count() == 1


def test_a_package_for_another_unit_is_refused(
    package: bytes, province: Unit, recipient: Unit
) -> None:
    other = unit_create(
        parent=province,
        kind=UnitKind.COMMUNE,
        name="Xã Nam Đàn",
        short_name="UBND",
        agency_code="000.00.03.H40",
        by=None,
    )
    clerk_there = official_create(
        full_name="Võ Văn Sổ",
        unit=other,
        roles=[Role.CLERK],
        email="vanthu.namdan@example.vn",
        password=PASSWORD,
        by=None,
    )
    with pytest.raises(PackageRejected, match="gói không gửi cho Xã Nam Đàn"):
        edxml.package_import(data=package, unit=other, by=clerk_there)
    assert not Document.objects.filter(unit=other).exists()


def test_only_the_units_clerk_registers_a_package(
    package: bytes, recipient: Unit, commune: Unit
) -> None:
    specialist = official_create(
        full_name="Bùi Văn Chuyên",
        unit=recipient,
        roles=[Role.SPECIALIST],
        email="chuyenvien.hungnguyen@example.vn",
        password=PASSWORD,
        by=None,
    )
    with pytest.raises(DocumentError, match="Chỉ văn thư"):
        edxml.package_import(data=package, unit=recipient, by=specialist)
    nothing_stored(recipient)


def test_a_package_from_another_system_is_read(recipient: Unit, clerk: User) -> None:
    """Another vendor's layout: its own element order, ``Business`` spelt out, ``cid:``
    content IDs, ISO dates, empty optional elements, an unknown extension element."""
    data = decision_pdf("Về việc báo cáo kết quả công tác cải cách hành chính quý I")
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    today = clock.now().date()
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<edXML xmlns="{NAMESPACE}"><edXMLEnvelope><edXMLHeader>
<MessageHeader>
  <To><OrganId>{RECIPIENT_CODE}</OrganId><OrganName>UBND xã Hưng Nguyên</OrganName></To>
  <From><OrganId>000.00.00.H40</OrganId><OrganName>UBND tỉnh Nghệ An</OrganName>
    <Email /><Telephone /></From>
  <Subject>Về việc báo cáo kết quả công tác cải cách hành chính quý I</Subject>
  <Code><CodeNotation>UBND-KT</CodeNotation><CodeNumber>0342</CodeNumber></Code>
  <PromulgationInfo>
    <PromulgationDate>{today:%Y-%m-%d}</PromulgationDate><Place />
  </PromulgationInfo>
  <DocumentType><Type>18</Type><TypeName>Công văn</TypeName></DocumentType>
  <SignerInfo><FullName>Lê Hồng Vinh</FullName><Position>Phó Chủ tịch</Position></SignerInfo>
  <OtherInfo><Priority>1</Priority><Appendixes><Appendix /></Appendixes></OtherInfo>
  <VendorExtension>bỏ qua</VendorExtension>
</MessageHeader>
<TraceHeaderList><Business><BusinessDocType>0</BusinessDocType></Business></TraceHeaderList>
<DigitalSignature />
</edXMLHeader>
<edXMLBody><edXMLManifest><Reference>
  <ContentId>cid:abc-1</ContentId><AttachmentName>342-UBND-KT.pdf</AttachmentName>
  <ContentType>application/pdf</ContentType>
  <DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
  <DigestValue>{digest}</DigestValue>
</Reference></edXMLManifest></edXMLBody></edXMLEnvelope>
<AttachmentEncoded><Attachment><ContentId>abc-1</ContentId>
<ContentTransferEncoded>{base64.b64encode(data).decode()}</ContentTransferEncoded>
</Attachment></AttachmentEncoded></edXML>"""

    document = edxml.package_import(data=xml.encode(), unit=recipient, by=clerk)

    assert (document.number, document.notation) == (342, "UBND-KT")
    assert document.document_type.code == "cong-van"
    assert document.urgency == Urgency.URGENT
    assert document.sender_name == "UBND tỉnh Nghệ An"
    assert document.sender_unit is None
    assert document.edxml_id == f"000.00.00.H40,{today:%Y/%m/%d},342/UBND-KT"


def _replace(package: bytes, old: str, new: str) -> bytes:
    text = package.decode()
    assert old in text
    return text.replace(old, new, 1).encode()


def _without(package: bytes, pattern: str) -> bytes:
    text, count = re.subn(pattern, "", package.decode(), count=1, flags=re.S)
    assert count == 1
    return text.encode()


def _with_attachment(package: bytes, data: bytes) -> bytes:
    """*package* whose file is *data*, with a matching digest (only the content is wrong)."""
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    text = re.sub(r"<edXML:DigestValue>[^<]*<", f"<edXML:DigestValue>{digest}<", package.decode())
    text = re.sub(
        r"<edXML:ContentTransferEncoded>[^<]*<",
        f"<edXML:ContentTransferEncoded>{base64.b64encode(data).decode()}<",
        text,
    )
    return text.encode()


def _xxe(package: bytes, secret_file: Path) -> bytes:
    text = package.decode().replace(
        "<?xml version='1.0' encoding='UTF-8'?>",
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        f'<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file://{secret_file}">]>',
    )
    return re.sub(r"<edXML:Subject>[^<]*<", "<edXML:Subject>&xxe;<", text).encode()


@pytest.mark.parametrize(
    ("case", "reason", "line"),
    [
        ("not_xml", "không phải XML hợp lệ", True),
        ("xxe", "khai báo DOCTYPE", True),
        ("namespace", "không gian tên (namespace) của tệp là “urn:khac”", True),
        (
            "missing_code",
            "MessageHeader/Code (số, ký hiệu văn bản): thiếu thành phần bắt buộc",
            True,
        ),
        ("bad_date", "ngày “2026/02/30” không hợp lệ", True),
        ("not_pdf", "không phải tệp PDF", True),
        ("digest", "mã băm SHA-256 của tệp “15-qd-ubnd.pdf” không khớp", True),
        ("recall", "yêu cầu thu hồi", False),
    ],
)
def test_bad_packages_are_refused_with_their_reason_and_nothing_is_stored(
    package: bytes,
    recipient: Unit,
    clerk: User,
    tmp_path: Path,
    case: str,
    reason: str,
    line: bool,
) -> None:
    secret = tmp_path / "mat-khau.txt"
    secret.write_text("mat-khau-may-chu-bi-lo")
    bad = {
        "not_xml": lambda: b"%PDF-1.7 day khong phai goi edXML",
        "xxe": lambda: _xxe(package, secret),
        "namespace": lambda: package.replace(NAMESPACE.encode(), b"urn:khac"),
        "missing_code": lambda: _without(package, r"<edXML:Code>.*?</edXML:Code>"),
        "bad_date": lambda: re.sub(
            rb"<edXML:PromulgationDate>[^<]*<",
            b"<edXML:PromulgationDate>2026/02/30<",
            package,
            count=1,
        ),
        "not_pdf": lambda: _with_attachment(package, "Công văn dạng văn bản thô".encode()),
        "digest": lambda: _digest_mismatch(package),
        "recall": lambda: _replace(
            package,
            "<edXML:BussinessDocType>0<",
            "<edXML:BussinessDocType>1<",
        ),
    }[case]()

    with pytest.raises(PackageRejected) as refused:
        edxml.package_import(data=bad, unit=recipient, by=clerk)

    message = str(refused.value.message)
    assert reason in message
    assert message.startswith("Gói edXML bị từ chối")
    if line:
        assert re.search(r"[Dd]òng \d+", message), message
    assert "mat-khau-may-chu-bi-lo" not in message
    nothing_stored(recipient)


def _digest_mismatch(package: bytes) -> bytes:
    """The same package whose file was changed on the way (the digest is the original's)."""
    other = base64.b64encode(decision_pdf("Trích yếu đã bị sửa trên đường truyền")).decode()
    return re.sub(
        r"<edXML:ContentTransferEncoded>[^<]*<",
        f"<edXML:ContentTransferEncoded>{other}<",
        package.decode(),
    ).encode()


def test_every_problem_is_listed_with_its_line(package: bytes) -> None:
    broken = _without(package, r"<edXML:Subject>.*?</edXML:Subject>")
    broken = _replace(broken, "<edXML:Priority>2<", "<edXML:Priority>7<")
    with pytest.raises(PackageRejected) as refused:
        edxml.parse_package(broken)
    problems = {p.element: p for p in refused.value.problems}
    assert "edXMLEnvelope/edXMLHeader/MessageHeader/Subject" in problems
    priority = problems["edXMLEnvelope/edXMLHeader/MessageHeader/OtherInfo/Priority"]
    assert "phải từ 0 đến 4, không phải 7" in priority.message
    assert priority.line == broken.decode()[: broken.decode().index(">7<")].count("\n") + 1


# --- Status messages ---------------------------------------------------------------------------


def test_status_messages_reach_the_senders_delivery(
    issued: Document, package: bytes, recipient: Unit, clerk: User
) -> None:
    received = edxml.package_import(data=package, unit=recipient, by=clerk)
    delivery = issued.deliveries.get()
    assert delivery.status == DeliveryStatus.SENT

    accepted = edxml_status.status_message_for(
        received, status=DeliveryStatus.ACCEPTED, by=clerk, description="Đã vào sổ, số đến 1."
    )
    notice = edxml_status.parse_status(accepted)
    assert notice.document.organ_id == "000.00.01.H40"
    assert notice.document.code == "15/QĐ-UBND"
    assert notice.document.promulgated_on == issued.issued_on
    assert notice.document.document_id == received.edxml_id
    assert notice.sender.organ_id == RECIPIENT_CODE
    assert notice.staff is not None and notice.staff.name == "Đặng Thị Thư"

    message = edxml_status.status_apply(data=accepted, by=None)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.ACCEPTED
    assert message.delivery == delivery
    assert message.description == "Đã vào sổ, số đến 1."
    assert "Đặng Thị Thư" in message.by_name
    assert DocumentEvent.objects.filter(document=issued, action="delivery_status").exists()
    # The same message again is recorded once.
    edxml_status.status_apply(data=accepted, by=None)
    assert StatusMessage.objects.filter(delivery=delivery).count() == 1

    later = clock.now() + dt.timedelta(hours=2)
    processing = edxml_status.status_message_for(
        received, status=DeliveryStatus.PROCESSING, by=clerk, at=later
    )
    edxml_status.status_apply(data=processing, by=None)
    # A message sent earlier but arriving late is kept without moving the status back.
    arrived = edxml_status.status_message_for(
        received, status=DeliveryStatus.ARRIVED, by=clerk, at=later - dt.timedelta(hours=3)
    )
    edxml_status.status_apply(data=arrived, by=None)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PROCESSING
    assert list(delivery.messages.values_list("status", flat=True)) == ["01", "03", "05"]


def test_a_status_message_about_an_unknown_document_is_refused(
    issued: Document, package: bytes, recipient: Unit, clerk: User
) -> None:
    received = edxml.package_import(data=package, unit=recipient, by=clerk)
    answer = edxml_status.status_message_for(received, status=DeliveryStatus.COMPLETED, by=clerk)
    wrong = answer.replace(b"15/Q", b"16/Q")
    with pytest.raises(PackageRejected, match="không có văn bản 16/QĐ-UBND"):
        edxml_status.status_apply(data=wrong, by=None)
    recall_answer = edxml_status.status_message_for(
        received, status=DeliveryStatus.RECALL_ACCEPTED, by=clerk
    )
    with pytest.raises(PackageRejected, match="chưa bị thu hồi"):
        edxml_status.status_apply(data=recall_answer, by=None)
    with pytest.raises(PackageRejected, match="là gói văn bản, không phải thông điệp"):
        edxml_status.status_apply(data=package, by=None)
    assert not StatusMessage.objects.exists()
    assert issued.deliveries.get().status == DeliveryStatus.SENT


# --- Commands ---------------------------------------------------------------------------------


def test_a_package_and_its_answer_travel_through_files(
    issued: Document, recipient: Unit, clerk: User, sender_clerk: User, tmp_path: Path
) -> None:
    package = tmp_path / "15-QD-UBND.edxml"
    call_command(
        "export-edxml",
        str(issued.pk),
        "--output",
        str(package),
        "--by",
        sender_clerk.email,
        stderr=io.StringIO(),
    )
    out = io.StringIO()
    call_command("import-edxml", str(package), "--unit", RECIPIENT_CODE, stdout=out)
    assert "Đã vào sổ văn bản đến của Xã Hưng Nguyên, số đến 1: 15/QĐ-UBND" in out.getvalue()
    received = Document.objects.get(unit=recipient)
    assert received.subject == SUBJECT

    answer = io.StringIO()
    call_command("export-edxml", str(received.pk), "--status", "04", stdout=answer)
    status_file = tmp_path / "trang-thai.edxml"
    status_file.write_text(answer.getvalue(), encoding="utf-8")
    out = io.StringIO()
    call_command("import-edxml", str(status_file), stdout=out)
    assert "Đã ghi trạng thái “Đã phân công” của UBND xã Hưng Nguyên" in out.getvalue()
    assert issued.deliveries.get().status == DeliveryStatus.ASSIGNED


def test_a_bad_file_is_refused_with_each_reason(
    issued: Document, recipient: Unit, clerk: User, tmp_path: Path
) -> None:
    package = tmp_path / "goi.edxml"
    call_command("export-edxml", str(issued.pk), "--output", str(package), stderr=io.StringIO())
    text = package.read_text(encoding="utf-8")
    start, end = text.index("<edXML:Subject>"), text.index("</edXML:Subject>")
    broken = text[:start] + text[end + len("</edXML:Subject>") :]
    package.write_text(broken.replace(">15</edXML:CodeNumber", ">mười lăm</edXML:CodeNumber"))

    with pytest.raises(CommandError) as refused:
        call_command("import-edxml", str(package), "--unit", RECIPIENT_CODE)

    message = str(refused.value)
    assert "Gói edXML bị từ chối, không ghi gì vào sổ:" in message
    assert "MessageHeader/Subject (trích yếu): thiếu thành phần bắt buộc này" in message
    assert "phải là số nguyên, không phải “mười lăm”" in message
    assert not DocumentFile.objects.filter(document__unit=recipient).exists()


# --- The clerk's page ------------------------------------------------------------------------

EDXML_PAGE = "/can-bo/van-ban/den/vao-so/edxml/"


def edxml_upload(data: bytes, name: str = "goi.edxml") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/xml")


def test_the_clerk_registers_a_package_and_loads_an_answer_from_the_page(
    client: Any, issued: Document, package: bytes, recipient: Unit, clerk: User, sender_clerk: User
) -> None:
    client.force_login(clerk)
    page = client.get("/can-bo/van-ban/den/vao-so/").content.decode()
    assert "Nhận tệp edXML" in page and EDXML_PAGE in page

    answer = client.post(EDXML_PAGE, {"package": edxml_upload(package)})
    received = Document.objects.get(unit=recipient)
    assert answer.status_code == 302
    assert answer["Location"] == f"/can-bo/van-ban/den/{received.pk}/"
    assert received.arrival_number == 1 and received.subject == SUBJECT
    shown = client.get(answer["Location"]).content.decode()
    assert "Đã vào sổ văn bản đến, số đến 1." in shown
    assert "Gói tin edXML (trục liên thông)" in shown and "Vào sổ tại đơn vị" not in shown

    # The same package again is refused with the reason; nothing more is registered.
    again = client.post(EDXML_PAGE, {"package": edxml_upload(package)})
    assert again.status_code == 400
    assert "đã được vào sổ văn bản đến, số đến 1" in again.content.decode()
    assert Document.objects.filter(unit=recipient).count() == 1

    # The recipient's answer, loaded by the issuing unit's clerk, moves the delivery's status;
    # the recipient's own clerk cannot load an answer about a document it did not issue.
    accepted = edxml_status.status_message_for(received, status=DeliveryStatus.ACCEPTED, by=clerk)
    refused = client.post(EDXML_PAGE, {"package": edxml_upload(accepted)})
    assert refused.status_code == 400
    assert "không do Xã Hưng Nguyên ban hành" in refused.content.decode()
    client.force_login(sender_clerk)
    loaded = client.post(EDXML_PAGE, {"package": edxml_upload(accepted)})
    assert loaded.status_code == 302
    assert loaded["Location"] == f"/can-bo/van-ban/di/{issued.pk}/"
    assert issued.deliveries.get().status == DeliveryStatus.ACCEPTED


def test_the_page_refuses_what_is_not_a_package(
    client: Any, recipient: Unit, clerk: User, alice: User
) -> None:
    client.force_login(clerk)
    missing = client.post(EDXML_PAGE, {})
    assert missing.status_code == 400 and "Xin chọn tệp edXML." in missing.content.decode()
    pdf = client.post(EDXML_PAGE, {"package": edxml_upload(decision_pdf(), "van-ban.pdf")})
    assert pdf.status_code == 400
    assert "Gói edXML bị từ chối" in pdf.content.decode()
    nothing_stored(recipient)
    # Only clerks load edXML files.
    client.force_login(alice)
    assert client.post(EDXML_PAGE, {}).status_code == 404
