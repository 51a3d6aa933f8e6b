"""Electronic document exchange in edXML (QCVN 102:2016): the document package.

A package is one XML file in the namespace :data:`NAMESPACE`::

    edXML
      edXMLEnvelope
        edXMLHeader
          MessageHeader     From, To+, DocumentId, Code (CodeNumber, CodeNotation),
                            PromulgationInfo (Place, PromulgationDate), DocumentType (Type,
                            TypeDetail, TypeName), Subject, Content?, SignerInfo (Competence,
                            Position, FullName), DueDate?, ToPlaces, OtherInfo (Priority 0–4,
                            SphereOfPromulgation, PageAmount, …), ResponseFor*, SteeringType
          TraceHeaderList   TraceHeader (OrganId, Timestamp), Bussiness (BussinessDocType 0 new,
                            1 recall, 2 update, 3 replace; BussinessDocReason; StaffInfo)
        edXMLBody
          edXMLManifest     Reference per file: AttachmentName, ContentType, ContentId and the
                            file's SHA-256 (DigestMethod, DigestValue, as XML-DSig writes them)
      AttachmentEncoded     Attachment per file: ContentId, ContentType, the file in base64

(``Bussiness`` is spelled as the standard spells it; ``Business`` is read too.) Dates are
``YYYY/MM/DD``, times ``YYYY/MM/DD HH:MM:SS`` in Vietnam's time. ``DocumentId`` is
``<sender's organ ID>,<date of issue>,<number>/<notation>``, the key both sides use for the
document in status messages (``edxml_status.py``).

Reading never trusts the file: the XML is parsed with entity resolution, DTD loading and network
access off, a package that declares a DOCTYPE is refused (XXE, entity expansion), then checked
against the rules of ``edxml/rules.json`` (required elements, value types, codes, dates), the
attachments are decoded, their digests compared and each must be a PDF the signing app accepts.
Every refusal says why in Vietnamese, with the line and the element (:class:`PackageRejected`).

:func:`document_package` exports an issued document; :func:`package_import` registers a package
in a unit's incoming register through the incoming service (``services.incoming_register``).
Status messages, the answers about a document sent, are in ``edxml_status.py``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree

from chinhquyenso.core import clock
from chinhquyenso.core.text import fold
from chinhquyenso.documents import services
from chinhquyenso.documents.errors import DocumentError
from chinhquyenso.documents.models import (
    BusinessType,
    Direction,
    Document,
    DocumentFile,
    DocumentType,
    Register,
    Secrecy,
    Status,
    Urgency,
)
from chinhquyenso.documents.numbering import format_number, format_reference
from chinhquyenso.documents.outgoing import place_name
from chinhquyenso.documents.selectors import current_file
from chinhquyenso.signing.errors import PdfRefused
from chinhquyenso.signing.pdf import open_pdf
from chinhquyenso.signing.pdf import page_count as count_pdf_pages
from chinhquyenso.units.models import Unit

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
XLINK = "http://www.w3.org/1999/xlink"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
PDF = "application/pdf"
RULES_FILE = Path(__file__).with_name("edxml") / "rules.json"
DATE_FORMAT = "%Y/%m/%d"
TIMESTAMP_FORMAT = "%Y/%m/%d %H:%M:%S"
#: Text written into packages as data (not interface text: the receiver reads it as sent).
SPHERE_OF_PROMULGATION = "Liên thông văn bản"
MAIN_FILE_DESCRIPTION = "Văn bản chính"
APPENDIX_DESCRIPTION = "Phụ lục, tài liệu kèm theo"

#: OtherInfo/Priority ↔ urgency (QCVN 102:2016: 0 normal, 1 urgent, 2 very urgent, 3 flash,
#: 4 flash with a set time, which the register keeps as flash).
PRIORITY_OF_URGENCY = {
    Urgency.NORMAL: 0,
    Urgency.URGENT: 1,
    Urgency.VERY_URGENT: 2,
    Urgency.FLASH: 3,
}
URGENCY_OF_PRIORITY = {value: key for key, value in PRIORITY_OF_URGENCY.items()} | {
    4: Urgency.FLASH
}

#: Names the refusals give to elements a clerk knows by another name.
ELEMENT_LABELS: dict[str, Promise] = {
    "edXMLEnvelope": gettext_lazy("phong bì edXML"),
    "edXMLHeader": gettext_lazy("phần đầu của gói"),
    "MessageHeader": gettext_lazy("thông tin văn bản"),
    "From": gettext_lazy("cơ quan gửi"),
    "To": gettext_lazy("nơi nhận"),
    "OrganId": gettext_lazy("mã định danh cơ quan"),
    "OrganName": gettext_lazy("tên cơ quan"),
    "Code": gettext_lazy("số, ký hiệu văn bản"),
    "CodeNumber": gettext_lazy("số văn bản"),
    "CodeNotation": gettext_lazy("ký hiệu văn bản"),
    "PromulgationInfo": gettext_lazy("nơi, ngày ban hành"),
    "PromulgationDate": gettext_lazy("ngày ban hành"),
    "DocumentType": gettext_lazy("loại văn bản"),
    "Type": gettext_lazy("mã loại văn bản"),
    "TypeName": gettext_lazy("tên loại văn bản"),
    "Subject": gettext_lazy("trích yếu"),
    "SignerInfo": gettext_lazy("người ký"),
    "Position": gettext_lazy("chức vụ người ký"),
    "FullName": gettext_lazy("họ tên người ký"),
    "DueDate": gettext_lazy("hạn trả lời"),
    "Priority": gettext_lazy("độ khẩn"),
    "PageAmount": gettext_lazy("số trang"),
    "ResponseFor": gettext_lazy("văn bản được phản hồi"),
    "BussinessDocType": gettext_lazy("loại nghiệp vụ"),
    "edXMLBody": gettext_lazy("phần thân của gói"),
    "edXMLManifest": gettext_lazy("danh mục tệp đính kèm"),
    "Reference": gettext_lazy("mục tệp đính kèm"),
    "DigestMethod": gettext_lazy("thuật toán băm"),
    "DigestValue": gettext_lazy("mã băm SHA-256 của tệp"),
    "AttachmentEncoded": gettext_lazy("phần tệp đính kèm"),
    "Attachment": gettext_lazy("tệp đính kèm"),
    "ContentId": gettext_lazy("mã tệp (ContentId)"),
    "ContentType": gettext_lazy("kiểu tệp (ContentType)"),
    "ContentTransferEncoded": gettext_lazy("nội dung tệp"),
    "Status": gettext_lazy("thông điệp trạng thái"),
    "StatusCode": gettext_lazy("mã trạng thái"),
    "Timestamp": gettext_lazy("thời điểm"),
}


# --- Errors ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One reason a received message is refused, with where it is in the file."""

    code: str
    message: str  # Vietnamese, complete (line and element included)
    line: int | None = None
    element: str = ""


class PackageRejected(DocumentError):
    """A received package or status message we refuse, with every reason; nothing was stored.

    ``problems`` lists them one by one (line, element); the message joins them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        if len(self.problems) == 1:
            message = _("Gói edXML bị từ chối: %(reason)s") % {"reason": first.message}
        else:
            message = _("Gói edXML bị từ chối (%(count)s lỗi): %(reasons)s") % {
                "count": len(self.problems),
                "reasons": " ".join(p.message for p in self.problems),
            }
        super().__init__(message, field="file", code=first.code)


class ExportRefused(DocumentError):
    """The document cannot be exported (not issued, secret, no agency ID, …)."""


def _where(line: int | None, element: str) -> str:
    label = ELEMENT_LABELS.get(element.rpartition("/")[2])
    short = element.removeprefix("edXMLEnvelope/").removeprefix("edXMLHeader/")
    shown = f"{short} ({label})" if label else short
    if line and element:
        return _("dòng %(line)s, thành phần %(element)s") % {"line": line, "element": shown}
    if line:
        return _("dòng %(line)s") % {"line": line}
    return _("thành phần %(element)s") % {"element": shown} if element else ""


def problem(code: str, reason: str, *, line: int | None = None, element: str = "") -> Problem:
    """A :class:`Problem` whose message starts with where it is: "Dòng 12, thành phần …: …"."""
    where = _where(line, element)
    message = f"{where[:1].upper()}{where[1:]}: {reason}" if where else reason
    if not message.endswith("."):
        message += "."
    return Problem(code=code, message=message, line=line, element=element)


def reject(
    code: str, reason: str, *, line: int | None = None, element: str = ""
) -> PackageRejected:
    return PackageRejected([problem(code, reason, line=line, element=element)])


# --- What a package says ---------------------------------------------------------------------


@dataclass(frozen=True)
class Organ:
    """An agency as edXML names it: its electronic ID (Decision 20/2020/QĐ-TTg) and name."""

    organ_id: str
    name: str
    in_charge: str = ""  # the governing body (cơ quan chủ quản)
    address: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class Staff:
    """The official who handled the message (StaffInfo)."""

    department: str = ""
    name: str = ""
    mobile: str = ""
    email: str = ""

    def __str__(self) -> str:
        return ", ".join(part for part in (self.name, self.department) if part)


@dataclass(frozen=True)
class DocumentRef:
    """A document another message refers to (ResponseFor): whose, which number, which day."""

    organ_id: str
    code: str  # "15/QĐ-UBND"
    promulgated_on: dt.date | None = None
    document_id: str = ""


@dataclass(frozen=True)
class Attachment:
    """A file of a package: the signed document (the first PDF) or an appendix."""

    name: str
    data: bytes
    content_type: str = PDF
    description: str = ""
    content_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Package:
    """Everything a document package carries, read from or written to XML."""

    sender: Organ
    recipients: tuple[Organ, ...]
    number: int
    notation: str
    promulgated_on: dt.date
    type_code: int
    type_name: str
    subject: str
    signer_position: str
    signer_name: str
    attachments: tuple[Attachment, ...]
    place: str = ""
    signer_competence: str = ""
    content: str = ""
    due_on: dt.date | None = None
    to_places: tuple[str, ...] = ()
    priority: int = 0
    steering_type: int = 0
    page_count: int | None = None
    response_for: tuple[DocumentRef, ...] = ()
    business_type: int = BusinessType.NEW
    business_reason: str = ""
    staff: Staff | None = None
    sent_at: dt.datetime | None = None
    document_id: str = ""

    @property
    def code(self) -> str:
        """``15/QĐ-UBND``: the number as Decree 30 writes it (two digits at least)."""
        return format_reference(self.number, self.notation)

    @property
    def key(self) -> str:
        """``DocumentId``, or the one this package would carry: organ ID, date, code."""
        return self.document_id or document_key(
            self.sender.organ_id, self.promulgated_on, self.code
        )

    @property
    def urgency(self) -> str:
        return URGENCY_OF_PRIORITY.get(self.priority, Urgency.NORMAL)

    @property
    def main_file(self) -> Attachment:
        return self.attachments[0]


def document_key(organ_id: str, promulgated_on: dt.date, code: str) -> str:
    """The ``DocumentId`` of a document: ``000.00.01.H40,2026/01/05,15/QĐ-UBND``."""
    return f"{organ_id},{promulgated_on.strftime(DATE_FORMAT)},{code}"


# --- Writing ---------------------------------------------------------------------------------


def q(name: str) -> str:
    """The qualified name of an edXML element."""
    return f"{{{NAMESPACE}}}{name}"


def sub(parent: etree._Element, name: str, text: str | int | None = None) -> etree._Element:
    element = etree.SubElement(parent, q(name))
    if text is not None:
        element.text = str(text)
    return element


def write_organ(parent: etree._Element, name: str, organ: Organ) -> None:
    element = sub(parent, name)
    sub(element, "OrganId", organ.organ_id)
    sub(element, "OrganizationInCharge", organ.in_charge)
    sub(element, "OrganName", organ.name)
    for tag, value in (
        ("OrganAdd", organ.address),
        ("Email", organ.email),
        ("Telephone", organ.telephone),
        ("Fax", organ.fax),
        ("Website", organ.website),
    ):
        if value:
            sub(element, tag, value)


def write_staff(parent: etree._Element, staff: Staff) -> None:
    element = sub(parent, "StaffInfo")
    for tag, value in (
        ("Department", staff.department),
        ("Staff", staff.name),
        ("Mobile", staff.mobile),
        ("Email", staff.email),
    ):
        sub(element, tag, value)


def format_timestamp(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime(TIMESTAMP_FORMAT)


def new_message() -> tuple[etree._Element, etree._Element]:
    """An ``edXML`` root and the ``edXMLHeader`` of its envelope."""
    root = etree.Element(q("edXML"), nsmap={"edXML": NAMESPACE, "xlink": XLINK})
    header = sub(sub(root, "edXMLEnvelope"), "edXMLHeader")
    return root, header


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build_package(package: Package) -> bytes:
    """The XML of *package* (attachments in base64, each with its SHA-256 in the manifest)."""
    sent_at = package.sent_at or timezone.now()
    root, header = new_message()
    message = sub(header, "MessageHeader")
    write_organ(message, "From", package.sender)
    for organ in package.recipients:
        write_organ(message, "To", organ)
    sub(message, "DocumentId", package.key)
    code = sub(message, "Code")
    sub(code, "CodeNumber", format_number(package.number))
    sub(code, "CodeNotation", package.notation)
    promulgation = sub(message, "PromulgationInfo")
    sub(promulgation, "Place", package.place)
    sub(promulgation, "PromulgationDate", package.promulgated_on.strftime(DATE_FORMAT))
    document_type = sub(message, "DocumentType")
    sub(document_type, "Type", package.type_code)
    sub(document_type, "TypeDetail", 0)
    sub(document_type, "TypeName", package.type_name)
    sub(message, "Subject", package.subject)
    if package.content:
        sub(message, "Content", package.content)
    signer = sub(message, "SignerInfo")
    sub(signer, "Competence", package.signer_competence)
    sub(signer, "Position", package.signer_position)
    sub(signer, "FullName", package.signer_name)
    if package.due_on:
        sub(message, "DueDate", package.due_on.strftime(DATE_FORMAT))
    places = sub(message, "ToPlaces")
    for place in package.to_places:
        sub(places, "Place", place)
    other = sub(message, "OtherInfo")
    sub(other, "Priority", package.priority)
    sub(other, "SphereOfPromulgation", SPHERE_OF_PROMULGATION)
    if package.page_count is not None:
        sub(other, "PageAmount", package.page_count)
    for ref in package.response_for:
        write_document_ref(message, ref)
    sub(message, "SteeringType", package.steering_type)

    trace_list = sub(header, "TraceHeaderList")
    trace = sub(trace_list, "TraceHeader")
    sub(trace, "OrganId", package.sender.organ_id)
    sub(trace, "Timestamp", format_timestamp(sent_at))
    business = sub(trace_list, "Bussiness")
    sub(business, "BussinessDocType", int(package.business_type))
    sub(business, "BussinessDocReason", package.business_reason)
    write_staff(business, package.staff or Staff())
    sub(business, "Paper", 0)

    envelope = header.getparent()
    assert envelope is not None
    manifest = sub(sub(envelope, "edXMLBody"), "edXMLManifest")
    manifest.set("version", "1.0")
    encoded = sub(root, "AttachmentEncoded")
    for attachment in package.attachments:
        reference = sub(manifest, "Reference")
        reference.set(f"{{{XLINK}}}href", f"cid:{attachment.content_id}")
        reference.set(f"{{{XLINK}}}type", "simple")
        sub(reference, "AttachmentName", attachment.name)
        sub(reference, "ContentType", attachment.content_type)
        sub(reference, "ContentId", attachment.content_id)
        sub(reference, "Description", attachment.description)
        sub(reference, "DigestMethod").set("Algorithm", SHA256)
        digest = hashlib.sha256(attachment.data).digest()
        sub(reference, "DigestValue", base64.b64encode(digest).decode())
        item = sub(encoded, "Attachment")
        sub(item, "ContentId", attachment.content_id)
        sub(item, "ContentType", attachment.content_type)
        sub(item, "AttachmentName", attachment.name)
        sub(item, "Description", attachment.description)
        sub(item, "ContentTransferEncoded", base64.encodebytes(attachment.data).decode())
    return serialise(root)


def write_document_ref(parent: etree._Element, ref: DocumentRef) -> None:
    element = sub(parent, "ResponseFor")
    sub(element, "OrganId", ref.organ_id)
    sub(element, "Code", ref.code)
    if ref.promulgated_on:
        sub(element, "PromulgationDate", ref.promulgated_on.strftime(DATE_FORMAT))
    sub(element, "DocumentId", ref.document_id)


# --- Rules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One element or attribute of ``edxml/rules.json``."""

    name: str
    tags: frozenset[str]
    min: int = 0
    max: int | None = 1
    type: str | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    values: tuple[str, ...] = ()
    attributes: tuple[Rule, ...] = ()
    children: tuple[Rule, ...] = ()


def _rule(node: dict[str, Any], shared: dict[str, list[dict[str, Any]]]) -> Rule:
    names = [node["name"], *node.get("aliases", [])]
    children = node.get("children", [])
    if isinstance(children, str):
        children = shared[children]
    return Rule(
        name=node["name"],
        tags=frozenset(q(name) for name in names),
        min=node.get("min", 0),
        max=node.get("max", 1),
        type=node.get("type"),
        max_length=node.get("max_length"),
        minimum=node.get("minimum"),
        maximum=node.get("maximum"),
        values=tuple(node.get("values", ())),
        attributes=tuple(
            Rule(name=a["name"], tags=frozenset({a["name"]}), **_attribute_options(a))
            for a in node.get("attributes", [])
        ),
        children=tuple(_rule(child, shared) for child in children),
    )


def _attribute_options(node: dict[str, Any]) -> dict[str, Any]:
    return {
        "min": node.get("min", 0),
        "type": node.get("type"),
        "values": tuple(node.get("values", ())),
    }


@cache
def rules() -> dict[str, Rule]:
    """The rules of the document package (``"document"``) and the status message."""
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    if data["namespace"] != NAMESPACE:
        raise RuntimeError(f"{RULES_FILE} is for another namespace")
    shared = {"organ": data["organ"], "staff": data["staff"]}
    return {kind: _rule(data[kind], shared) for kind in ("document", "status")}


# --- Reading ---------------------------------------------------------------------------------

_DIGITS = re.compile(r"^[0-9]+$")
_DATE = re.compile(r"^(\d{4})[/-](\d{2})[/-](\d{2})$")
_TIMESTAMP = re.compile(r"^(\d{4})/(\d{2})/(\d{2}) (\d{2}):(\d{2}):(\d{2})$")
_ORGAN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,29}$")
_NOTATION = re.compile(r"^[\w.&/-]+$")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")


def max_package_bytes() -> int:
    """Largest package read: a few PDFs of the signing limit, in base64, plus the header."""
    return (settings.SIGNING_MAX_PDF_MB * 4 + 1) * 1024 * 1024


def parse_date(value: str) -> dt.date | None:
    match = _DATE.match(value)
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_timestamp(value: str) -> dt.datetime | None:
    """``YYYY/MM/DD HH:MM:SS`` (Vietnam's time) or ISO 8601 with an offset, as an aware time."""
    match = _TIMESTAMP.match(value)
    if match:
        try:
            year, month, day, hour, minute, second = (int(part) for part in match.groups())
            naive = dt.datetime(year, month, day, hour, minute, second)
        except ValueError:
            return None
        return timezone.make_aware(naive)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else None


def decode_base64(value: str) -> bytes | None:
    compact = "".join(value.split())
    if len(compact) % 4 or not _BASE64.match(compact):
        return None
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None


def read_xml(data: bytes) -> etree._Element:
    """Parse *data* safely (no entities, no DTD, no network) and check the namespace."""
    limit = max_package_bytes()
    if len(data) > limit:
        raise reject(
            "too_large",
            _("tệp lớn hơn %(limit)s MB") % {"limit": limit // (1024 * 1024)},
        )
    if not data.strip():
        raise reject("not_xml", _("tệp rỗng, không phải tệp XML"))
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=True,  # attachments are long base64 texts; the size is bounded above
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = (exc.position if exc.position else (exc.lineno, 0)) or (None, 0)
        raise reject(
            "not_xml",
            _("tệp không phải XML hợp lệ (lỗi cú pháp ở cột %(column)s)") % {"column": column},
            line=line,
        ) from None
    if root.getroottree().docinfo.doctype:
        at = data.find(b"<!DOCTYPE")
        raise reject(
            "doctype",
            _(
                "gói có khai báo DOCTYPE (DTD, thực thể XML). Gói edXML không được có khai báo "
                "này vì nó có thể dùng để đọc tệp của máy chủ hoặc làm treo hệ thống (XXE)"
            ),
            line=data.count(b"\n", 0, at) + 1 if at >= 0 else None,
        )
    namespace = etree.QName(root).namespace
    if namespace != NAMESPACE:
        raise reject(
            "namespace",
            _(
                "không gian tên (namespace) của tệp là “%(found)s”, không phải của edXML theo "
                "QCVN 102:2016 (“%(expected)s”)"
            )
            % {"found": namespace or _("không có"), "expected": NAMESPACE},
            line=root.sourceline,
            element=etree.QName(root).localname,
        )
    return root


def text_of(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return " ".join((element.text or "").split())


def _check_value(value: str, rule: Rule) -> str | None:
    """Why *value* does not fit *rule* (a Vietnamese phrase), or ``None`` if it does."""
    kind = rule.type
    if not value:
        return _("không được để trống")
    if rule.max_length is not None and len(value) > rule.max_length:
        return _("dài quá %(limit)s ký tự") % {"limit": rule.max_length}
    if kind == "integer":
        if not _DIGITS.match(value):
            return _("phải là số nguyên, không phải “%(value)s”") % {"value": value}
        number = int(value)
        low = rule.minimum if rule.minimum is not None else number
        high = rule.maximum if rule.maximum is not None else number
        if not low <= number <= high:
            return _("phải từ %(low)s đến %(high)s, không phải %(value)s") % {
                "low": low,
                "high": high,
                "value": value,
            }
    elif kind == "code" and value not in rule.values:
        return _("giá trị “%(value)s” không hợp lệ; giá trị được dùng: %(values)s") % {
            "value": value,
            "values": ", ".join(rule.values),
        }
    elif kind == "date" and parse_date(value) is None:
        return _("ngày “%(value)s” không hợp lệ (cần dạng năm/tháng/ngày, ví dụ 2026/01/05)") % {
            "value": value
        }
    elif kind == "datetime" and parse_timestamp(value) is None:
        return _(
            "thời điểm “%(value)s” không hợp lệ (cần dạng năm/tháng/ngày giờ:phút:giây, ví dụ "
            "2026/01/05 14:30:00)"
        ) % {"value": value}
    elif kind == "organ_id" and not _ORGAN_ID.match(value):
        return _("mã định danh cơ quan “%(value)s” không hợp lệ") % {"value": value}
    elif kind == "notation" and not _NOTATION.match(value):
        return _("ký hiệu “%(value)s” có ký tự không được dùng trong ký hiệu văn bản") % {
            "value": value
        }
    elif kind == "base64" and decode_base64(value) is None:
        return _("dữ liệu không đúng mã hóa base64")
    return None


def check(element: etree._Element, rule: Rule, path: str, problems: list[Problem]) -> None:
    """Check *element* and its descendants against *rule*, appending what is wrong."""
    if rule.type is not None:
        reason = _check_value(text_of(element), rule)
        if reason:
            problems.append(problem("invalid_value", reason, line=element.sourceline, element=path))
    for attribute in rule.attributes:
        value = (element.get(attribute.name) or "").strip()
        if not value and attribute.min:
            problems.append(
                problem(
                    "missing_attribute",
                    _("thiếu thuộc tính %(name)s") % {"name": attribute.name},
                    line=element.sourceline,
                    element=path,
                )
            )
        elif value:
            reason = _check_value(value, attribute)
            if reason:
                problems.append(
                    problem(
                        "invalid_value",
                        _("thuộc tính %(name)s: %(reason)s")
                        % {"name": attribute.name, "reason": reason},
                        line=element.sourceline,
                        element=path,
                    )
                )
    for child in rule.children:
        found = [
            e
            for e in element
            if isinstance(e.tag, str) and e.tag in child.tags and (len(e) or e.attrib or text_of(e))
        ]
        empty = [
            e for e in element if isinstance(e.tag, str) and e.tag in child.tags and e not in found
        ]
        child_path = f"{path}/{child.name}" if path else child.name
        if len(found) < child.min:
            at = empty[0].sourceline if empty else element.sourceline
            reason = _("không được để trống") if empty else _("thiếu thành phần bắt buộc này")
            problems.append(problem("missing_element", reason, line=at, element=child_path))
        if child.max is not None and len(found) > child.max:
            problems.append(
                problem(
                    "repeated_element",
                    _("chỉ được có tối đa %(max)s, gói có %(count)s")
                    % {"max": child.max, "count": len(found)},
                    line=found[child.max].sourceline,
                    element=child_path,
                )
            )
        for item in found:
            check(item, child, child_path, problems)


def check_message(root: etree._Element, kind: str) -> None:
    """Check a parsed message of *kind* (``"document"`` or ``"status"``) against the rules."""
    rule = rules()[kind]
    problems: list[Problem] = []
    if root.tag not in rule.tags:
        raise reject(
            "missing_element",
            _("phần tử gốc phải là %(expected)s, không phải %(found)s")
            % {"expected": rule.name, "found": etree.QName(root).localname},
            line=root.sourceline,
            element=etree.QName(root).localname,
        )
    check(root, rule, "", problems)
    if problems:
        raise PackageRejected(problems[:10])


def child(element: etree._Element | None, *path: str) -> etree._Element | None:
    """The first descendant along *path* (local names; ``Bussiness`` also as ``Business``)."""
    for name in path:
        if element is None:
            return None
        names = {q(name)}
        if name.startswith("Bussiness"):
            names.add(q(name.replace("Bussiness", "Business")))
        element = next((e for e in element if e.tag in names), None)
    return element


def children(element: etree._Element | None, name: str) -> list[etree._Element]:
    if element is None:
        return []
    return [e for e in element if e.tag == q(name)]


def value(element: etree._Element | None, *path: str) -> str:
    return text_of(child(element, *path))


def read_organ(element: etree._Element | None) -> Organ:
    return Organ(
        organ_id=value(element, "OrganId"),
        name=value(element, "OrganName"),
        in_charge=value(element, "OrganizationInCharge"),
        address=value(element, "OrganAdd"),
        email=value(element, "Email"),
        telephone=value(element, "Telephone"),
        fax=value(element, "Fax"),
        website=value(element, "Website"),
    )


def read_staff(element: etree._Element | None) -> Staff | None:
    if element is None:
        return None
    return Staff(
        department=value(element, "Department"),
        name=value(element, "Staff"),
        mobile=value(element, "Mobile"),
        email=value(element, "Email"),
    )


def read_document_ref(element: etree._Element) -> DocumentRef:
    return DocumentRef(
        organ_id=value(element, "OrganId"),
        code=value(element, "Code"),
        promulgated_on=parse_date(value(element, "PromulgationDate")),
        document_id=value(element, "DocumentId"),
    )


def _optional_int(text: str) -> int | None:
    return int(text) if _DIGITS.match(text) else None


def _content_id(text: str) -> str:
    """A ContentId as written in either place: ``cid:…`` or ``<…>`` removed."""
    text = text.strip()
    if text.lower().startswith("cid:"):
        text = text[4:]
    return text.strip("<>").strip()


def _read_attachments(root: etree._Element) -> tuple[Attachment, ...]:
    """The files of a checked package, in manifest order, each decoded, hashed and checked."""
    manifest = child(root, "edXMLEnvelope", "edXMLBody", "edXMLManifest")
    encoded = {
        _content_id(value(item, "ContentId")): item
        for item in children(child(root, "AttachmentEncoded"), "Attachment")
    }
    problems: list[Problem] = []
    attachments: list[Attachment] = []
    listed: set[str] = set()
    base = "edXMLEnvelope/edXMLBody/edXMLManifest/Reference"
    for reference in children(manifest, "Reference"):
        content_id = _content_id(value(reference, "ContentId"))
        name = value(reference, "AttachmentName")
        content_type = value(reference, "ContentType").lower()
        listed.add(content_id)
        item = encoded.get(content_id)
        if item is None:
            problems.append(
                problem(
                    "attachment_missing",
                    _("không có tệp đính kèm nào mang mã %(id)s của tệp “%(name)s”")
                    % {"id": content_id, "name": name},
                    line=reference.sourceline,
                    element=f"{base}/ContentId",
                )
            )
            continue
        encoded_text = child(item, "ContentTransferEncoded")
        data = decode_base64(encoded_text.text or "" if encoded_text is not None else "") or b""
        at = item.sourceline
        digest = decode_base64(value(reference, "DigestValue")) or b""
        if hashlib.sha256(data).digest() != digest:
            problems.append(
                problem(
                    "digest_mismatch",
                    _(
                        "mã băm SHA-256 của tệp “%(name)s” không khớp với nội dung tệp: tệp đã bị "
                        "thay đổi hoặc hỏng trên đường truyền"
                    )
                    % {"name": name},
                    line=at,
                    element="AttachmentEncoded/Attachment/ContentTransferEncoded",
                )
            )
            continue
        if content_type != PDF:
            problems.append(
                problem(
                    "attachment_not_pdf",
                    _("tệp “%(name)s” có kiểu %(type)s; hệ thống chỉ nhận văn bản dạng PDF")
                    % {"name": name, "type": content_type},
                    line=reference.sourceline,
                    element=f"{base}/ContentType",
                )
            )
            continue
        try:
            open_pdf(data)
        except PdfRefused as exc:
            problems.append(
                problem(
                    "attachment_not_pdf",
                    _("tệp “%(name)s”: %(reason)s")
                    % {"name": name, "reason": exc.message.rstrip(".")},
                    line=at,
                    element="AttachmentEncoded/Attachment/ContentTransferEncoded",
                )
            )
            continue
        attachments.append(
            Attachment(
                name=name,
                data=data,
                content_type=content_type,
                description=value(reference, "Description"),
                content_id=content_id,
            )
        )
    for content_id, item in encoded.items():
        if content_id not in listed:
            problems.append(
                problem(
                    "attachment_unlisted",
                    _("tệp mang mã %(id)s không có trong danh mục tệp đính kèm")
                    % {"id": content_id},
                    line=item.sourceline,
                    element="AttachmentEncoded/Attachment/ContentId",
                )
            )
    if problems:
        raise PackageRejected(problems)
    return tuple(attachments)


def is_status_message(data: bytes) -> bool:
    """Whether *data* is a status message rather than a document package (after the safe
    parse of :func:`read_xml`, which refuses what is not edXML)."""
    root = read_xml(data)
    return child(root, "edXMLEnvelope", "edXMLHeader", "Status") is not None


def parse_package(data: bytes) -> Package:
    """Read and check a document package; raise :class:`PackageRejected` with every reason."""
    root = read_xml(data)
    if child(root, "edXMLEnvelope", "edXMLHeader", "Status") is not None:
        raise reject(
            "status_not_package",
            _("tệp là thông điệp trạng thái, không phải gói văn bản"),
            line=root.sourceline,
        )
    check_message(root, "document")
    attachments = _read_attachments(root)
    header = child(root, "edXMLEnvelope", "edXMLHeader")
    message = child(header, "MessageHeader")
    business = child(header, "TraceHeaderList", "Bussiness")
    traces = [
        parse_timestamp(value(trace, "Timestamp"))
        for trace in children(child(header, "TraceHeaderList"), "TraceHeader")
    ]
    promulgated_on = parse_date(value(message, "PromulgationInfo", "PromulgationDate"))
    assert promulgated_on is not None  # checked by the rules
    return Package(
        sender=read_organ(child(message, "From")),
        recipients=tuple(read_organ(e) for e in children(message, "To")),
        number=int(value(message, "Code", "CodeNumber")),
        notation=value(message, "Code", "CodeNotation"),
        promulgated_on=promulgated_on,
        place=value(message, "PromulgationInfo", "Place"),
        type_code=int(value(message, "DocumentType", "Type")),
        type_name=value(message, "DocumentType", "TypeName"),
        subject=value(message, "Subject"),
        content=text_of(child(message, "Content")),
        signer_competence=value(message, "SignerInfo", "Competence"),
        signer_position=value(message, "SignerInfo", "Position"),
        signer_name=value(message, "SignerInfo", "FullName"),
        due_on=parse_date(value(message, "DueDate")),
        to_places=tuple(
            text_of(e) for e in children(child(message, "ToPlaces"), "Place") if text_of(e)
        ),
        priority=_optional_int(value(message, "OtherInfo", "Priority")) or 0,
        steering_type=_optional_int(value(message, "SteeringType")) or 0,
        page_count=_optional_int(value(message, "OtherInfo", "PageAmount")),
        response_for=tuple(read_document_ref(e) for e in children(message, "ResponseFor")),
        business_type=int(value(business, "BussinessDocType") or BusinessType.NEW),
        business_reason=value(business, "BussinessDocReason"),
        staff=read_staff(child(business, "StaffInfo")),
        sent_at=next((t for t in traces if t is not None), None),
        document_id=value(message, "DocumentId"),
        attachments=attachments,
    )


# --- The platform's documents ---------------------------------------------------------------

#: States in which an outgoing document exists as issued (a recall or a replacement is sent
#: about a document already issued).
EXPORTABLE = frozenset({Status.ISSUED, Status.RECALLED, Status.REPLACED})


def organ_of(unit: Unit) -> Organ:
    """*unit* as edXML names it; it needs its electronic agency ID."""
    if not unit.agency_code:
        raise ExportRefused(
            _(
                "Đơn vị “%(unit)s” chưa có mã định danh điện tử (QCVN 102:2016), nên chưa trao "
                "đổi văn bản điện tử được. Quản trị hệ thống cần khai báo mã này cho đơn vị."
            )
            % {"unit": unit.name},
            field="unit",
        )
    parent = unit.get_parent()
    return Organ(organ_id=unit.agency_code, name=unit.name, in_charge=parent.name if parent else "")


def staff_of(user: Any, unit: Unit) -> Staff | None:
    """The StaffInfo of *user* (an official of *unit*), or ``None`` without a user."""
    if user is None:
        return None
    return Staff(
        department=unit.name, name=user.full_name, mobile=user.phone or "", email=user.email or ""
    )


def _delivery_organs(document: Document) -> list[Organ]:
    """The recipients of *document* that have an organ ID, each once."""
    organs: dict[str, Organ] = {}
    for delivery in document.deliveries.select_related("recipient_unit").order_by("pk"):
        unit = delivery.recipient_unit
        if unit is not None and unit.agency_code:
            organs.setdefault(unit.agency_code, organ_of(unit))
        elif delivery.recipient_code:
            name = delivery.recipient_name or delivery.recipient_code
            organs.setdefault(
                delivery.recipient_code, Organ(organ_id=delivery.recipient_code, name=name)
            )
    return list(organs.values())


def _stored(file: DocumentFile) -> bytes:
    """The bytes of *file*, checked against the digest recorded when it was stored."""
    with file.file.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != file.sha256:
        raise ExportRefused(
            _(
                "Tệp “%(name)s” trong kho lưu trữ không còn đúng như khi lưu (mã băm khác), nên "
                "không gửi đi được. Xin báo quản trị hệ thống."
            )
            % {"name": file.original_name}
        )
    return data


def _files(document: Document) -> list[Attachment]:
    main = current_file(document)
    if main is None or main.kind != DocumentFile.Kind.ISSUED:
        raise ExportRefused(_("Văn bản chưa có bản ban hành (đã ký số của cơ quan) để gửi."))
    reference = format_reference(document.number, document.notation)
    stem = re.sub(r"[^a-z0-9]+", "-", fold(reference)).strip("-") or "van-ban"
    files = [Attachment(name=f"{stem}.pdf", data=_stored(main), description=MAIN_FILE_DESCRIPTION)]
    annexes = document.files.filter(kind=DocumentFile.Kind.ATTACHMENT, is_current=True)
    for index, annex in enumerate(annexes.order_by("uploaded_at", "pk"), start=1):
        files.append(
            Attachment(
                name=f"{stem}-pl{index}.pdf",
                data=_stored(annex),
                description=annex.original_name[:255] or APPENDIX_DESCRIPTION,
            )
        )
    return files


def _reference_to(document: Document) -> DocumentRef:
    organ = organ_of(document.unit)
    code = format_reference(document.number, document.notation)
    assert document.issued_on is not None
    return DocumentRef(
        organ_id=organ.organ_id,
        code=code,
        promulgated_on=document.issued_on,
        document_id=document_key(organ.organ_id, document.issued_on, code),
    )


def document_package(
    document: Document,
    *,
    recipients: Sequence[Organ] | None = None,
    business_type: int | None = None,
    reason: str = "",
    by: Any = None,
) -> bytes:
    """The edXML package of an issued outgoing *document*, for recipients outside the platform.

    *recipients* default to the document's deliveries that have an organ ID; *business_type*
    to the document's (a recall, update or replacement also names the document it concerns in
    ``ResponseFor``); *by* is the clerk who sends it (StaffInfo). Refused with
    :class:`ExportRefused` for a document not issued, with a secrecy mark (secret documents are
    not sent over the exchange axis), without number, date or issued PDF, or from a unit
    without an electronic agency ID."""
    if document.direction != Direction.OUTGOING or document.status not in EXPORTABLE:
        raise ExportRefused(_("Chỉ văn bản đi đã ban hành mới gửi được dưới dạng edXML."))
    if document.secrecy != Secrecy.NONE:
        raise ExportRefused(
            _(
                "Văn bản có độ mật không được gửi qua trục liên thông văn bản điện tử; hãy gửi "
                "theo quy định về bảo vệ bí mật nhà nước."
            )
        )
    if document.number is None or document.issued_on is None:
        raise ExportRefused(_("Văn bản chưa có số và ngày ban hành."))
    sender = organ_of(document.unit)
    to = list(recipients) if recipients is not None else _delivery_organs(document)
    if not to:
        raise ExportRefused(
            _("Văn bản chưa có nơi nhận nào có mã định danh điện tử để gửi gói edXML."),
            field="recipients",
        )
    kind = BusinessType(document.business_type if business_type is None else business_type)
    concerned: list[DocumentRef] = []
    if kind == BusinessType.RECALL:
        concerned.append(_reference_to(document))
    elif kind in (BusinessType.UPDATE, BusinessType.REPLACE) and document.replaces is not None:
        concerned.append(_reference_to(document.replaces))
    files = _files(document)
    page_count = document.page_count
    if page_count is None:
        page_count = count_pdf_pages(open_pdf(files[0].data))
    package = Package(
        sender=sender,
        recipients=tuple(to),
        number=document.number,
        notation=document.notation,
        promulgated_on=document.issued_on,
        place=place_name(document.unit),
        type_code=document.document_type.sort_order,
        type_name=document.document_type.name,
        subject=document.subject,
        signer_position=document.signer_title,
        signer_name=document.signer_name,
        due_on=document.due_on,
        to_places=tuple(
            line.strip() for line in document.recipients_text.splitlines() if line.strip()
        ),
        priority=PRIORITY_OF_URGENCY.get(Urgency(document.urgency), 0),
        page_count=page_count,
        response_for=tuple(concerned),
        business_type=kind,
        business_reason=reason,
        staff=staff_of(by, document.unit),
        sent_at=clock.now(),
        attachments=tuple(files),
    )
    return build_package(package)


# --- Import into an incoming register ------------------------------------------------------------


def _document_type(package: Package) -> DocumentType:
    """The platform's type of the package's document: by name, else by the national type
    number (the order of Decree 30/2020 Appendix III, as ``Type`` carries it), else by the
    abbreviation that starts the notation (``QĐ`` in ``QĐ-UBND``)."""
    types = list(DocumentType.objects.all())
    wanted = fold(package.type_name)
    for candidate in types:
        if fold(candidate.name) == wanted:
            return candidate
    for candidate in types:
        if package.type_code and candidate.sort_order == package.type_code:
            return candidate
    prefix = fold(package.notation.split("-", 1)[0])
    for candidate in types:
        if candidate.abbreviation and fold(candidate.abbreviation) == prefix:
            return candidate
    raise reject(
        "unknown_type",
        _("loại văn bản “%(name)s” (mã %(code)s) không có trong danh mục loại văn bản")
        % {"name": package.type_name, "code": package.type_code},
        element="edXMLEnvelope/edXMLHeader/MessageHeader/DocumentType",
    )


def _check_addressed(package: Package, unit: Unit) -> None:
    if not unit.agency_code:
        return
    if all(organ.organ_id != unit.agency_code for organ in package.recipients):
        raise reject(
            "not_addressed",
            _("gói không gửi cho %(unit)s (mã định danh %(code)s); nơi nhận trong gói: %(to)s")
            % {
                "unit": unit.name,
                "code": unit.agency_code,
                "to": ", ".join(f"{o.name} ({o.organ_id})" for o in package.recipients),
            },
            element="edXMLEnvelope/edXMLHeader/MessageHeader/To",
        )


def _earlier_copy(package: Package, unit: Unit) -> Document | None:
    """The unit's incoming copy of the document a recall, update or replacement concerns."""
    keys = [ref.document_id for ref in package.response_for if ref.document_id]
    if not keys:
        return None
    return (
        Document.objects.filter(unit=unit, direction=Direction.INCOMING, edxml_id__in=keys)
        .order_by("-created_at", "-pk")
        .first()
    )


@transaction.atomic
def package_import(*, data: bytes, unit: Unit, by: Any, note: str = "") -> Document:
    """Register a received edXML package in *unit*'s incoming register, as its clerk *by*.

    The package is checked completely first (:func:`parse_package`); it must be addressed to
    *unit* (when the unit has an electronic agency ID), not registered there already, and of a
    known document type. Then ``services.incoming_register`` gives it the next arrival number,
    checks the PDF's signatures and extracts its text; the document keeps the package's
    ``DocumentId`` (``edxml_id``) and business type, and an update or replacement points to
    the copy it replaces. A recall is not registered: it is refused here with the reason (the
    clerk answers it with a status message 15 or 16). Raises :class:`PackageRejected` or
    ``DocumentError``; nothing is stored then."""
    package = parse_package(data)
    _check_addressed(package, unit)
    # One import at a time per unit: the duplicate check below must see the other's row.
    register = services.register_for(unit, Direction.INCOMING)
    Register.objects.select_for_update().filter(pk=register.pk).first()
    existing = (
        Document.objects.filter(unit=unit, direction=Direction.INCOMING, edxml_id=package.key)
        .exclude(status=Status.REJECTED)
        .first()
    )
    if existing is not None:
        raise reject(
            "duplicate",
            _("văn bản %(code)s của %(sender)s đã được vào sổ văn bản đến, số đến %(number)s")
            % {
                "code": package.code,
                "sender": package.sender.name,
                "number": existing.arrival_number,
            },
            element="edXMLEnvelope/edXMLHeader/MessageHeader/DocumentId",
        )
    if package.business_type == BusinessType.RECALL:
        earlier = _earlier_copy(package, unit)
        where = (
            _("văn bản đến số %(number)s") % {"number": earlier.arrival_number}
            if earlier is not None
            else _("một văn bản chưa có trong sổ")
        )
        raise reject(
            "recall",
            _(
                "gói là yêu cầu thu hồi %(what)s (%(code)s của %(sender)s), không phải văn bản "
                "mới để vào sổ. Hãy trả lời bằng thông điệp trạng thái 15 (đồng ý thu hồi) "
                "hoặc 16 (từ chối thu hồi)"
            )
            % {"what": where, "code": package.code, "sender": package.sender.name},
            element="edXMLEnvelope/edXMLHeader/TraceHeaderList/Bussiness/BussinessDocType",
        )
    document_type = _document_type(package)
    today = timezone.localdate(clock.now())
    due_on = package.due_on if package.due_on and package.due_on >= today else None
    main, *annexes = package.attachments
    document = services.incoming_register(
        unit=unit,
        by=by,
        document_type=document_type,
        subject=package.subject,
        sender_name=package.sender.name,
        sender_unit=Unit.objects.filter(agency_code=package.sender.organ_id).first(),
        number=package.number,
        notation=package.notation,
        issued_on=package.promulgated_on,
        signer_name=package.signer_name,
        signer_title=package.signer_position,
        urgency=package.urgency,
        due_on=due_on,
        file=ContentFile(main.data, name=main.name),
        attachments=[ContentFile(a.data, name=a.name) for a in annexes],
        page_count=package.page_count,
        note=note
        or _("Nhận qua trục liên thông (edXML) từ %(sender)s, mã văn bản %(key)s.")
        % {"sender": package.sender.name, "key": package.key},
    )
    # What incoming_register does not take: the exchange key, the business type, the list of
    # recipients as the package gives it, and the file's kind (received, not scanned).
    document.edxml_id = package.key[:100]
    document.business_type = package.business_type
    document.recipients_text = "\n".join(package.to_places)
    document.replaces = _earlier_copy(package, unit)
    document.save(update_fields=["edxml_id", "business_type", "recipients_text", "replaces"])
    document.files.filter(kind=DocumentFile.Kind.SCAN).update(kind=DocumentFile.Kind.RECEIVED)
    return document
