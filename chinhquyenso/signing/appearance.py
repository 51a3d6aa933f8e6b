"""How a signature shows on the page (Decree 30/2020/NĐ-CP, Appendix I, part II).

* The competent person's signature: their signature image (blue, transparent PNG) between the
  title and the name, placed where the signer chose on the page preview (a box in page
  coordinates) or where the draft left a placeholder.
* The organisation's signature on the main document: the seal image (red, transparent PNG) at its
  real size, covering about a third of the person's signature image, on its left.
* The organisation's signature on attachments and copies: no image, at the top right of the first
  page, the document's number and notation and the signing time (ISO 8601, +07:00), Times New
  Roman 10 pt, black.

Coordinates are PDF points (1/72 inch) from the bottom-left corner of the page; pages count from 1.
"""

from __future__ import annotations

import enum
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from PIL import Image
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.text import TextBox, TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import BaseStamp, BaseStampStyle, StaticStampStyle, TextStamp, TextStampStyle

from chinhquyenso.signing.errors import AppearanceError

#: (x1, y1, x2, y2) in PDF points, origin at the bottom-left of the page.
Box = tuple[float, float, float, float]

POINTS_PER_MM = 72 / 25.4
#: Decree 30: the copy/attachment stamp is Times New Roman 10 pt.
COPY_STAMP_FONT_SIZE = 10
#: Title and name around the signature image, when we draw them.
PERSON_TEXT_FONT_SIZE = 13
#: Size of the signature box made around a placeholder text.
PLACEHOLDER_BOX_MM = (50.0, 22.0)
#: Distance of the copy stamp from the top and right edges of the page.
COPY_STAMP_MARGIN_MM = 10.0
#: How much of the person's signature image the seal covers (Decree 30: about a third).
SEAL_OVERLAP = 1 / 3

# Metric-compatible with Times New Roman and covering Vietnamese, in order of preference.
_FONT_FAMILIES = ("Times New Roman", "Liberation Serif", "Tinos")
_FONT_FILES = (
    "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/croscore/Tinos-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
)
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
#: pyHanko formats the signing time with this; we read it back and write it as ISO 8601, +07:00.
_PYHANKO_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


class AppearanceKind(enum.StrEnum):
    PERSON = "person"
    SEAL = "seal"
    COPY_STAMP = "copy_stamp"


@dataclass(frozen=True)
class VisibleSignature:
    """Where and how a signature shows. Build one with :meth:`person`, :meth:`seal` or
    :meth:`copy_stamp`.

    ``box`` wins over ``placeholder``; with neither, a person's signature goes into the empty
    signature field named by ``sign_pdf``'s ``field_name`` (made by :func:`prepare_fields`).
    """

    kind: AppearanceKind
    page: int = 1
    box: Box | None = None
    placeholder: str = ""
    title: str = ""
    name: str = ""
    document_number: str = ""

    @classmethod
    def person(
        cls,
        *,
        page: int = 1,
        box: Box | None = None,
        placeholder: str = "",
        title: str = "",
        name: str = "",
    ) -> VisibleSignature:
        """The signer's image in *box* (or around *placeholder*); *title* above and *name*
        below it when the document does not print them already."""
        return cls(
            kind=AppearanceKind.PERSON,
            page=page,
            box=box,
            placeholder=placeholder,
            title=title,
            name=name,
        )

    @classmethod
    def seal(cls, *, page: int | None = None, box: Box | None = None) -> VisibleSignature:
        """The unit's seal; by default over the left third of the person's signature."""
        return cls(kind=AppearanceKind.SEAL, page=page or 1, box=box)

    @classmethod
    def copy_stamp(cls, *, document_number: str) -> VisibleSignature:
        """Attachments and copies: number/notation and signing time, top right of page 1."""
        return cls(kind=AppearanceKind.COPY_STAMP, page=1, document_number=document_number)


# --- fonts ----------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _find_font(configured: str) -> str:
    if configured:
        if not Path(configured).is_file():
            raise AppearanceError(f"SIGNING_FONT={configured!r} không phải tệp phông chữ.")
        return configured
    fc_match = shutil.which("fc-match")
    if fc_match:
        for family in _FONT_FAMILIES:
            found = subprocess.run(  # noqa: S603 - fixed program, fixed arguments
                [fc_match, "--format=%{family}\t%{file}", f"{family}:style=Regular"],
                capture_output=True,
                text=True,
                check=False,
                timeout=10,
            ).stdout
            families, _tab, path = found.partition("\t")
            if family in families.split(",") and path.endswith((".ttf", ".otf")):
                return path
    for path in _FONT_FILES:
        if Path(path).is_file():
            return path
    raise AppearanceError(
        "Không tìm thấy phông chữ Times New Roman hoặc Liberation Serif "
        "(cài gói fonts-liberation2 hoặc đặt SIGNING_FONT)."
    )


def font_path() -> str:
    """The TrueType font for signature texts: ``SIGNING_FONT``, Times New Roman or a metric twin."""
    return _find_font(settings.SIGNING_FONT)


class _PdfUnitsGlyphAccumulator(GlyphAccumulator):
    """A glyph accumulator that measures in thousandths of an em, the unit PDF text uses.

    pyHanko 0.38 writes glyph widths (``/W``) and ``TJ`` adjustments in the font's own units,
    right only for fonts of 1000 units per em; TrueType fonts such as Times New Roman and
    Liberation Serif have 2048, and their text would show spread out. Here HarfBuzz shapes at
    1000 units per em and the widths are scaled to match, so every number is in PDF's unit.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._font_units_per_em = self.units_per_em
        self.units_per_em = 1000
        self.hb_font.scale = (1000, 1000)

    def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
        known = self._glyphs.get(glyph_id)
        if known is not None:
            return known
        cid, width = super()._get_cid_and_width(glyph_id)
        scaled = (cid, round(width * 1000 / self._font_units_per_em))
        self._glyphs[glyph_id] = scaled
        return scaled


@dataclass(frozen=True)
class _FontFactory(GlyphAccumulatorFactory):
    def create_font_engine(
        self, writer: BasePdfFileWriter, obj_stream: Any = None
    ) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return _PdfUnitsGlyphAccumulator(
            writer=writer,
            font_handle=Path(self.font_file).open("rb"),  # the engine keeps it open
            font_size=self.font_size,
            ot_script_tag=self.ot_script_tag,
            ot_language_tag=self.ot_language_tag,
            writing_direction=self.writing_direction,
            bcp47_lang_code=self.bcp47_lang_code,
            obj_stream=obj_stream,
        )


def text_style(size: int) -> TextBoxStyle:
    return TextBoxStyle(
        font=_FontFactory(font_path(), font_size=size),
        font_size=size,
        border_width=0,
        text_color=(0, 0, 0),
    )


# --- images ---------------------------------------------------------------------------------


def _image(path_or_file: Image.Image) -> PdfImage:
    return PdfImage(path_or_file.convert("RGBA"))


_CENTRED = layout.SimpleBoxLayoutRule(
    x_align=layout.AxisAlignment.ALIGN_MID,
    y_align=layout.AxisAlignment.ALIGN_MID,
    margins=layout.Margins.uniform(0),
    inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT,
)


def image_style(image: Image.Image) -> StaticStampStyle:
    """A stamp that is the image alone, as large as fits the box, centred (signature, seal)."""
    return StaticStampStyle(
        background=_image(image),
        background_layout=_CENTRED,
        background_opacity=1.0,
        border_width=0,
    )


@dataclass(frozen=True)
class PersonStampStyle(BaseStampStyle):
    """The signature image with the title above it and the name below, all centred."""

    image: Image.Image | None = None
    title: str = ""
    name: str = ""
    border_width: int = 0
    text_size: int = PERSON_TEXT_FONT_SIZE

    def create_stamp(
        self, writer: BasePdfFileWriter, box: layout.BoxConstraints, text_params: dict[str, str]
    ) -> BaseStamp:
        return _PersonStamp(writer=writer, style=self, box=box)


class _PersonStamp(BaseStamp):
    style: PersonStampStyle

    def _line(self, text: str) -> tuple[bytes, float, float]:
        text_box = TextBox(
            text_style(self.style.text_size), writer=self.writer, resources=self.resources
        )
        text_box.content = text
        commands = text_box.render()
        return commands, float(text_box.box.width), float(text_box.box.height)

    def _render_inner_content(self) -> list[bytes]:
        width, height = float(self.box.width), float(self.box.height)
        commands: list[bytes] = []
        top, bottom = height, 0.0
        if self.style.title:
            drawn, w, h = self._line(self.style.title)
            top = height - h
            commands.append(b"q 1 0 0 1 %g %g cm %s Q" % (max(0, (width - w) / 2), top, drawn))
        if self.style.name:
            drawn, w, h = self._line(self.style.name)
            bottom = h
            commands.append(b"q 1 0 0 1 %g 0 cm %s Q" % (max(0, (width - w) / 2), drawn))
        if self.style.image is not None and top > bottom:
            picture = _image(self.style.image)
            picture.set_writer(self.writer)
            drawn_image = picture.render()
            fit = _CENTRED.fit(
                layout.BoxConstraints(width=width, height=top - bottom),
                picture.box.width,
                picture.box.height,
            )
            commands.append(b"q 1 0 0 1 0 %g cm %s %s Q" % (bottom, fit.as_cm(), drawn_image))
            self.import_resources(picture.resources)
        return commands


@dataclass(frozen=True)
class CopyStampStyle(TextStampStyle):
    """Number/notation and signing time, Times New Roman 10 pt, black, no border or image.

    pyHanko formats the signature's own signing time into ``ts``; it is written back in
    Vietnam's time zone as ISO 8601 so the text and the signature tell the same time.
    """

    border_width: int = 0
    timestamp_format: str = _PYHANKO_TIME_FORMAT
    stamp_text: str = "%(document_number)s\n%(signed_at)s"

    def create_stamp(
        self, writer: BasePdfFileWriter, box: layout.BoxConstraints, text_params: dict[str, str]
    ) -> TextStamp:
        signed = datetime.strptime(text_params["ts"], _PYHANKO_TIME_FORMAT)
        params = {**text_params, "signed_at": iso_vietnam(signed)}
        return TextStamp(writer=writer, style=self, box=box, text_params=params)


def iso_vietnam(moment: datetime) -> str:
    """``2026-11-27T15:04:05+07:00``."""
    return moment.astimezone(VIETNAM).isoformat(timespec="seconds")


def copy_stamp_style() -> CopyStampStyle:
    return CopyStampStyle(
        text_box_style=text_style(COPY_STAMP_FONT_SIZE),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MAX,
            y_align=layout.AxisAlignment.ALIGN_MAX,
            margins=layout.Margins.uniform(1),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )


# --- boxes ----------------------------------------------------------------------------------


def copy_stamp_box(page_box: Box) -> Box:
    """The copy stamp's box: top right of the page, inside the margin, room for two lines."""
    margin = COPY_STAMP_MARGIN_MM * POINTS_PER_MM
    width, height = 62 * POINTS_PER_MM, 2.6 * COPY_STAMP_FONT_SIZE + 2
    x2, y2 = page_box[2] - margin, page_box[3] - margin
    return (x2 - width, y2 - height, x2, y2)


def seal_box(person_box: Box, *, diameter_mm: float, image_size: tuple[int, int]) -> Box:
    """The seal at real size over the left third of the person's signature image.

    The seal's right edge lies a third of the way into the person's box, and the seal is
    centred on the box vertically. ``image_size`` keeps the seal image's proportions (the
    diameter is its larger side).
    """
    x1, y1, x2, y2 = person_box
    width_px, height_px = image_size
    side = diameter_mm * POINTS_PER_MM
    if width_px >= height_px:
        width, height = side, side * height_px / width_px
    else:
        width, height = side * width_px / height_px, side
    right = x1 + (x2 - x1) * SEAL_OVERLAP
    middle = (y1 + y2) / 2
    return (right - width, middle - height / 2, right, middle + height / 2)


def placeholder_box(text_box: Box) -> Box:
    """A signature box centred on the placeholder text, at least the default size."""
    x1, y1, x2, y2 = text_box
    width = max(x2 - x1, PLACEHOLDER_BOX_MM[0] * POINTS_PER_MM)
    height = max(y2 - y1, PLACEHOLDER_BOX_MM[1] * POINTS_PER_MM)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
