"""Printable registers of incoming and outgoing documents (Decree 30/2020/NĐ-CP, Appendix IV).

A register of one year is printed with the ten columns of the decree's models: as a PDF book
(cover with the agency, year, the first and last numbers, then the table on A4 landscape) and as
an XLSX workbook (the same columns, for archives and for filtering in a spreadsheet).

Incoming (sổ đăng ký văn bản đến): date of arrival, arrival number, author (issuing body),
number and notation, date of the document, type and subject, unit or person receiving it, date
passed on, acknowledgement, remarks.

Outgoing (sổ đăng ký văn bản đi): number and notation, date of the document, type and subject,
signer, recipients, unit or person keeping the file copy, number of copies, date sent,
acknowledgement, remarks.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from chinhquyenso.core.pdf import render_pdf
from chinhquyenso.core.text import fold
from chinhquyenso.documents.models import (
    Assignment,
    Channel,
    Delivery,
    Direction,
    Document,
    Register,
    Secrecy,
    Status,
    Urgency,
)
from chinhquyenso.documents.numbering import format_number, format_reference

INCOMING_COLUMNS = (
    gettext_lazy("Ngày đến"),
    gettext_lazy("Số đến"),
    gettext_lazy("Tác giả"),
    gettext_lazy("Số, ký hiệu văn bản"),
    gettext_lazy("Ngày tháng văn bản"),
    gettext_lazy("Tên loại và trích yếu nội dung văn bản"),
    gettext_lazy("Đơn vị hoặc người nhận"),
    gettext_lazy("Ngày chuyển"),
    gettext_lazy("Ký nhận"),
    gettext_lazy("Ghi chú"),
)
OUTGOING_COLUMNS = (
    gettext_lazy("Số, ký hiệu văn bản"),
    gettext_lazy("Ngày tháng văn bản"),
    gettext_lazy("Tên loại và trích yếu nội dung văn bản"),
    gettext_lazy("Người ký"),
    gettext_lazy("Nơi nhận văn bản"),
    gettext_lazy("Đơn vị, người nhận bản lưu"),
    gettext_lazy("Số lượng bản"),
    gettext_lazy("Ngày chuyển"),
    gettext_lazy("Ký nhận"),
    gettext_lazy("Ghi chú"),
)
#: Relative widths of the columns (PDF, in %; XLSX, in characters).
INCOMING_WIDTHS = (8, 6, 14, 11, 8, 25, 12, 8, 6, 8)
OUTGOING_WIDTHS = (11, 8, 25, 11, 13, 11, 6, 8, 6, 7)


def _date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return value.strftime("%d/%m/%Y")


def _type_and_subject(document: Document) -> str:
    return f"{document.document_type.name}: {document.subject}"


def _marks(document: Document) -> list[str]:
    marks = []
    if document.urgency != Urgency.NORMAL:
        marks.append(str(Urgency(document.urgency).label))
    if document.secrecy != Secrecy.NONE:
        marks.append(str(Secrecy(document.secrecy).label))
    return marks


def _handler(assignment: Assignment) -> str:
    if assignment.user_id and assignment.user is not None:
        return assignment.user.full_name
    return assignment.unit.name if assignment.unit is not None else ""


#: The register's note on how an incoming document came (none for one registered on paper).
_CHANNEL_NOTES = {
    Channel.PLATFORM: gettext_lazy("Nhận qua hệ thống"),
    Channel.EDXML: gettext_lazy("Nhận qua gói tin edXML"),
}


def _incoming_row(document: Document) -> tuple[str, ...]:
    leads = [a for a in document.assignments.all() if a.role == Assignment.Role.LEAD]
    notes = _marks(document)
    channel_note = _CHANNEL_NOTES.get(document.channel)
    if channel_note is not None:
        notes.append(str(channel_note))
    if document.status == Status.REJECTED:
        notes.append(_("Đã trả lại"))
    return (
        _date(document.arrived_at),
        format_number(document.arrival_number) if document.arrival_number else "",
        document.sender_name,
        format_reference(document.number, document.notation),
        _date(document.issued_on),
        _type_and_subject(document),
        "; ".join(_handler(a) for a in leads),
        _date(min((a.assigned_at for a in leads), default=None)),
        "",
        "; ".join(notes),
    )


def _outgoing_row(document: Document) -> tuple[str, ...]:
    deliveries = list(document.deliveries.all())
    recipients = "; ".join(
        d.recipient_unit.name if d.recipient_unit is not None else d.recipient_name
        for d in deliveries
    )
    notes = _marks(document)
    if document.status in (Status.RECALLED, Status.REPLACED):
        notes.append(str(Status(document.status).label))
    keeper = " ".join(
        p
        for p in (
            document.drafting_unit_abbreviation,
            document.drafted_by.full_name if document.drafted_by is not None else "",
        )
        if p
    )
    return (
        format_reference(document.number, document.notation),
        _date(document.issued_on),
        _type_and_subject(document),
        document.signer_name,
        recipients or document.recipients_text,
        keeper,
        str(len(deliveries)) if deliveries else "",
        _date(min((d.sent_at for d in deliveries), default=None)),
        "",
        "; ".join(notes),
    )


def register_documents(register: Register, year: int) -> QuerySet[Document]:
    """The documents of *register* numbered in *year*, in number order."""
    documents = Document.objects.filter(register=register, year=year).select_related(
        "document_type", "drafted_by"
    )
    if register.direction == Direction.INCOMING:
        return (
            documents.filter(arrival_number__isnull=False)
            .prefetch_related(
                Prefetch("assignments", queryset=Assignment.objects.select_related("unit", "user"))
            )
            .order_by("arrival_number", "pk")
        )
    return (
        documents.filter(number__isnull=False)
        .prefetch_related(
            Prefetch("deliveries", queryset=Delivery.objects.select_related("recipient_unit"))
        )
        .order_by("number", "pk")
    )


@dataclass(frozen=True)
class PrintedRegister:
    register: Register
    year: int
    columns: tuple[str, ...]
    widths: tuple[int, ...]
    rows: list[tuple[str, ...]]
    first: str
    last: str

    @property
    def title(self) -> str:
        return self.register.name.upper()


def printed_register(register: Register, year: int) -> PrintedRegister:
    incoming = register.direction == Direction.INCOMING
    documents = list(register_documents(register, year))
    make_row = _incoming_row if incoming else _outgoing_row
    numbers = [d.arrival_number if incoming else d.number for d in documents]
    present = [n for n in numbers if n is not None]
    return PrintedRegister(
        register=register,
        year=year,
        columns=tuple(str(c) for c in (INCOMING_COLUMNS if incoming else OUTGOING_COLUMNS)),
        widths=INCOMING_WIDTHS if incoming else OUTGOING_WIDTHS,
        rows=[make_row(d) for d in documents],
        first=format_number(min(present)) if present else "",
        last=format_number(max(present)) if present else "",
    )


def register_filename(register: Register, year: int, extension: str) -> str:
    unit = slugify(fold(register.unit.short_name or register.unit.name)) or "don-vi"
    direction = "van-ban-den" if register.direction == Direction.INCOMING else "van-ban-di"
    return f"so-{direction}-{register.series}-{unit}-{year}.{extension}"


def register_pdf(register: Register, year: int) -> bytes:
    """The register of *year* as a PDF book (cover, then the ten-column table)."""
    printed = printed_register(register, year)
    parent = register.unit.get_parent()
    context: dict[str, Any] = {
        "printed": printed,
        "unit": register.unit,
        "parent": parent,
        "printed_at": timezone.localtime(),
    }
    return render_pdf("documents/registers/register_pdf.html", context)


def register_xlsx(register: Register, year: int) -> bytes:
    """The register of *year* as an XLSX workbook: a title, the column headings numbered
    (1)–(10) as in the decree's model, one row per document."""
    printed = printed_register(register, year)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(year)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.append([f"{register.unit.name.upper()} — {printed.title} — {_('Năm')} {year}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(list(printed.columns))
    sheet.append([f"({i})" for i in range(1, len(printed.columns) + 1)])
    for column, width in enumerate(printed.widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width * 1.6
        for row in (3, 4):
            cell = sheet.cell(row=row, column=column)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
            cell.border = border
    for values in printed.rows:
        sheet.append(list(values))
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
            cell.border = border
    sheet.freeze_panes = "A5"
    sheet.print_title_rows = "3:4"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
