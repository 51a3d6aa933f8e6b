"""PDF plumbing for signing: input checks, form fields before and after signing, placeholders.

The issuing step (Decree 30: number and date of issue come after the competent person signed)
works like this: the draft carries empty text fields for the number/notation and the date and
an empty signature field for the seal (:func:`prepare_fields`); the person signs with a
*certification* signature that allows form filling (DocMDP P=2); the clerk fills the number and
date in an incremental update (:func:`fill_fields`), which leaves the person's signature valid
and is reported as an allowed change; the organisation then signs the reserved seal field.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from django.conf import settings
from django.utils.translation import gettext as _
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTTextContainer, LTTextLine
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.form_tools import populate_static_text_field
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields

from chinhquyenso.core.text import nfc
from chinhquyenso.signing.appearance import Box, text_style
from chinhquyenso.signing.errors import PdfRefused

#: Names of the fields the issuing step fills (the documents app may add others).
NUMBER_FIELD = "so_ky_hieu"
DATE_FIELD = "ngay_ban_hanh"
#: Default name of the person's and the organisation's signature fields.
PERSON_FIELD = "chu_ky_nguoi_co_tham_quyen"
SEAL_FIELD = "chu_ky_co_quan"
#: Text size of filled-in fields (Decree 30: number 13 pt, date 13–14 pt italic; one size here).
FILLED_TEXT_SIZE = 13

_FIELD_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


@dataclass(frozen=True)
class TextFieldSpec:
    """An empty text field to make before signing (number/notation, date of issue)."""

    name: str
    page: int  # from 1
    box: Box


@dataclass(frozen=True)
class SignatureFieldSpec:
    """An empty signature field to make before the first signature (e.g. the seal's)."""

    name: str
    page: int  # from 1
    box: Box


def open_pdf(data: bytes) -> PdfFileReader:
    """Parse *data* as a PDF we accept, or raise :class:`PdfRefused`.

    Refused: not a PDF, larger than ``SIGNING_MAX_PDF_MB``, broken, encrypted (neither signing
    nor verification can read it without the password), or with JavaScript (a document that can
    change what it shows after it was signed).
    """
    limit = settings.SIGNING_MAX_PDF_MB
    if len(data) > limit * 1024 * 1024:
        raise PdfRefused(_("Tệp lớn hơn %(limit)s MB.") % {"limit": limit}, code="too_large")
    if not data.lstrip()[:5] == b"%PDF-":
        raise PdfRefused(_("Tệp gửi lên không phải tệp PDF."), code="not_pdf")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        encrypted = reader.encrypt_dict is not None
    except (PdfError, ValueError, KeyError, TypeError, IndexError):
        raise PdfRefused(_("Tệp PDF bị hỏng, không đọc được."), code="broken") from None
    if encrypted:
        raise PdfRefused(
            _(
                "Tệp PDF được mã hóa (có mật khẩu). Hệ thống không ký hoặc kiểm tra tệp mã hóa; "
                "xin gửi bản không đặt mật khẩu."
            ),
            code="encrypted",
        )
    try:
        has_script = contains_javascript(reader)
    except (PdfError, ValueError, KeyError, TypeError, IndexError):
        raise PdfRefused(_("Tệp PDF bị hỏng, không đọc được."), code="broken") from None
    if has_script:
        raise PdfRefused(
            _(
                "Tệp PDF có chứa mã JavaScript: mã này có thể đổi nội dung hiển thị sau khi ký, "
                "nên hệ thống không nhận. Xin xuất lại tệp PDF không có mã lệnh."
            ),
            code="javascript",
        )
    return reader


def contains_javascript(reader: PdfFileReader) -> bool:
    """Whether any object reachable from the document catalog is or names JavaScript."""
    seen: set[tuple[int, int]] = set()
    stack: list[generic.PdfObject] = [reader.root]
    while stack:
        item = stack.pop()
        if isinstance(item, generic.IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, generic.DictionaryObject):
            if "/JS" in item or item.get("/S") == "/JavaScript" or "/JavaScript" in item:
                return True
            stack.extend(item.raw_get(k) for k in item if k != "/Parent")
        elif isinstance(item, generic.ArrayObject):
            stack.extend(item)
    return False


def page_count(reader: PdfFileReader) -> int:
    return int(reader.root["/Pages"]["/Count"])


def page_box(reader: PdfFileReader, page: int) -> Box:
    """The visible box (CropBox, else MediaBox) of *page* (from 1)."""
    page_ref, _resources = reader.find_page_for_modification(page - 1)
    page_dict = page_ref.get_object()
    box = page_dict.get("/CropBox") or _inherited(page_dict, "/MediaBox")
    assert isinstance(box, generic.ArrayObject)
    x1, y1, x2, y2 = (float(v) for v in box)
    return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def _inherited(page_dict: generic.DictionaryObject, key: str) -> generic.PdfObject:
    node = page_dict
    while key not in node and "/Parent" in node:
        node = node["/Parent"]
    return node[key]


def signature_field_boxes(reader: PdfFileReader) -> list[tuple[str, int, Box, bool]]:
    """(name, page from 1, rect, signed?) for every signature field with a widget on a page."""
    found = []
    for name, value, ref in fields.enumerate_sig_fields(reader, filled_status=None):
        field_dict = ref.get_object()
        rect = field_dict.get("/Rect")
        page_ref = field_dict.raw_get("/P") if "/P" in field_dict else None
        if rect is None or page_ref is None:
            continue
        x1, y1, x2, y2 = (float(v) for v in rect)
        if x1 == x2 or y1 == y2:
            continue
        page_number = _page_number(reader, page_ref)
        box = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
        found.append((name, page_number, box, value is not None))
    return found


def _page_number(reader: PdfFileReader, page_ref: generic.PdfObject) -> int:
    target = page_ref.reference if isinstance(page_ref, generic.IndirectObject) else None
    for index in range(page_count(reader)):
        ref, _resources = reader.find_page_for_modification(index)
        if ref.reference == target:
            return index + 1
    return 1


def find_placeholder(data: bytes, text: str) -> tuple[int, Box] | None:
    """(page from 1, box) of the first line containing *text*, searched page by page."""
    wanted = nfc(text).strip()
    if not wanted:
        return None
    pages = extract_pages(io.BytesIO(data), laparams=LAParams())
    for number, page_layout in enumerate(pages, start=1):
        for element in page_layout:
            if not isinstance(element, LTTextContainer):
                continue
            for line in element:
                if isinstance(line, LTTextLine) and wanted in nfc(line.get_text()):
                    return number, _text_bbox(line, wanted)
    return None


def _text_bbox(line: LTTextLine, wanted: str) -> Box:
    """The box of *wanted* within *line* (characters are measured one by one)."""
    characters = [c for c in line if isinstance(c, LTChar)]
    text = "".join(c.get_text() for c in characters)
    start = nfc(text).find(wanted)
    if start < 0 or len(text) != len(nfc(text)):
        return (line.x0, line.y0, line.x1, line.y1)
    chosen = characters[start : start + len(wanted)]
    return (
        min(c.x0 for c in chosen),
        min(c.y0 for c in chosen),
        max(c.x1 for c in chosen),
        max(c.y1 for c in chosen),
    )


def _check_field_name(name: str) -> None:
    if not _FIELD_NAME.match(name):
        raise ValueError(f"field name {name!r}: letters, digits, _ . - only")


def prepare_fields(
    pdf: bytes,
    *,
    text_fields: Iterable[TextFieldSpec] = (),
    signature_fields: Iterable[SignatureFieldSpec] = (),
) -> bytes:
    """Add empty text and signature fields in an incremental update, before anyone signs."""
    reader = open_pdf(pdf)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    pages = page_count(reader)
    specs: list[TextFieldSpec | SignatureFieldSpec] = [*text_fields, *signature_fields]
    for spec in specs:
        _check_field_name(spec.name)
        if not 1 <= spec.page <= pages:
            raise ValueError(f"page {spec.page} outside 1..{pages}")
    for spec in signature_fields:
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(
                sig_field_name=spec.name,
                on_page=spec.page - 1,
                box=tuple(round(v) for v in spec.box),  # type: ignore[arg-type]
            ),
        )
    for text_spec in text_fields:
        _append_text_field(writer, text_spec)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _append_text_field(writer: IncrementalPdfFileWriter, spec: TextFieldSpec) -> None:
    root = writer.root
    if "/AcroForm" not in root:
        root[pdf_name("/AcroForm")] = writer.add_object(
            generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject()})
        )
        writer.update_root()
    form = root["/AcroForm"]
    form_ref = root.raw_get("/AcroForm")
    if "/DR" not in form:
        form[pdf_name("/DR")] = generic.DictionaryObject(
            {
                pdf_name("/Font"): generic.DictionaryObject(
                    {
                        pdf_name("/Helv"): writer.add_object(
                            generic.DictionaryObject(
                                {
                                    pdf_name("/Type"): pdf_name("/Font"),
                                    pdf_name("/Subtype"): pdf_name("/Type1"),
                                    pdf_name("/BaseFont"): pdf_name("/Helvetica"),
                                }
                            )
                        )
                    }
                )
            }
        )
    page_ref, _resources = writer.find_page_for_modification(spec.page - 1)
    page_dict = page_ref.get_object()
    x1, y1, x2, y2 = spec.box
    field_dict = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/FT"): pdf_name("/Tx"),
            pdf_name("/T"): pdf_string(spec.name),
            pdf_name("/F"): generic.NumberObject(4),
            pdf_name("/Rect"): generic.ArrayObject(
                generic.FloatObject(v) for v in (x1, y1, x2, y2)
            ),
            pdf_name("/P"): page_ref,
            pdf_name("/DA"): pdf_string(f"/Helv {FILLED_TEXT_SIZE} Tf 0 g"),
        }
    )
    field_ref = writer.add_object(field_dict)
    form["/Fields"].append(field_ref)
    annots = page_dict.get("/Annots")
    if annots is None:
        page_dict[pdf_name("/Annots")] = generic.ArrayObject([field_ref])
    else:
        annots.append(field_ref)
        if isinstance(page_dict.raw_get("/Annots"), generic.IndirectObject):
            writer.update_container(annots)
    writer.update_container(page_dict)
    if isinstance(form_ref, generic.IndirectObject):
        writer.mark_update(form_ref)
    else:
        writer.update_root()


def fill_fields(pdf: bytes, values: Mapping[str, str]) -> bytes:
    """Fill empty text fields in an incremental update, e.g. ``{"so_ky_hieu": "15/QĐ-UBND",
    "ngay_ban_hanh": "Nghệ An, ngày 27 tháng 11 năm 2026"}``.

    Each field gets its value and a static appearance in Times New Roman (or its metric twin)
    and becomes read-only. A certification signature allowing form filling stays valid; the
    change shows as allowed form filling in verification. Raises :class:`PdfRefused` if a field
    is missing or already filled.
    """
    open_pdf(pdf)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    style = replace(
        text_style(FILLED_TEXT_SIZE),
        box_layout_rule=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MID,
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )
    for name, value in values.items():
        try:
            populate_static_text_field(writer, name, style, nfc(value))
        except PdfError:
            raise PdfRefused(
                _("Văn bản không có ô trống “%(name)s” để điền.") % {"name": name},
                code="no_field",
            ) from None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
