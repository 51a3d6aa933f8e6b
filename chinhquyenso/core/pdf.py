"""PDF documents from HTML templates (WeasyPrint), and what Vietnamese official papers print.

Templates extend ``pdf/base.html``: an A4 page laid out as Decree 30/2020/NĐ-CP lays out
administrative documents (margins, the issuing agency on the left, the national title and motto
on the right, the place and date line under them, a serif font of 13 pt) and receive a
:class:`Heading` as ``heading``.

WeasyPrint needs the Pango, HarfBuzz and fontconfig libraries of the operating system, which it
loads when it is imported; ``scripts/install-system-deps.sh`` installs them with the fonts. It is
imported here only when a PDF is asked for, so a server without them runs everything else and
says clearly what is missing (:class:`PdfUnavailable`) when someone prints.

Rendering never goes to the network: only ``data:`` and ``file:`` URLs are fetched (images are
embedded as data URIs, see :func:`qr_svg_data_uri`).

Dates and times are written the Vietnamese way, in the local time zone: "ngày 05 tháng 02 năm
2026" (Decree 30/2020, Appendix I: a day below 10 and the months 1 and 2 take a leading zero) and
"14 giờ 30 phút".
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

#: The only URL schemes a document may load resources from.
ALLOWED_URL_SCHEMES = frozenset({"data", "file"})

# WeasyPrint logs every step of every rendering at INFO: noise in the server's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class PdfUnavailable(RuntimeError):
    """WeasyPrint or a system library it needs is not installed on this server."""


@dataclass(frozen=True)
class Heading:
    """The heading block of an official paper (Decree 30/2020/NĐ-CP, Appendix I).

    ``agency`` is the issuing agency (or its part, such as its one-stop counter) and
    ``parent_agency`` the body it belongs to, printed above it; ``place`` is the place name of the
    date line ("Thành Vinh, ngày …"); ``number`` the document's number and notation, if it has one.
    """

    agency: str
    parent_agency: str = ""
    place: str = ""
    issued_on: dt.date | None = None
    number: str = ""

    @property
    def date_line(self) -> str:
        """``"Thành Vinh, ngày 27 tháng 11 năm 2026"``; empty when there is no date."""
        if self.issued_on is None:
            return ""
        written = vietnamese_date(self.issued_on)
        if not self.place:
            return capfirst(written)
        return _("%(place)s, %(date)s") % {"place": self.place, "date": written}


def _local(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        raise ValueError("Vietnamese date formatting needs an aware datetime")
    return timezone.localtime(value)


def vietnamese_date(value: dt.date | dt.datetime) -> str:
    """``"ngày 05 tháng 02 năm 2026"``, ``"ngày 27 tháng 11 năm 2026"`` (local date)."""
    day = _local(value).date() if isinstance(value, dt.datetime) else value
    return _("ngày %(day)s tháng %(month)s năm %(year)d") % {
        "day": f"{day.day:02d}",
        "month": f"{day.month:02d}" if day.month < 3 else str(day.month),
        "year": day.year,
    }


def vietnamese_time(value: dt.datetime) -> str:
    """``"14 giờ 30 phút"``, ``"8 giờ 05 phút"`` (local time)."""
    local = _local(value)
    return _("%(hour)d giờ %(minute)02d phút") % {"hour": local.hour, "minute": local.minute}


def vietnamese_datetime(value: dt.datetime) -> str:
    """``"14 giờ 30 phút, ngày 27 tháng 11 năm 2026"`` (local time)."""
    return _("%(time)s, %(date)s") % {
        "time": vietnamese_time(value),
        "date": vietnamese_date(value),
    }


def qr_svg_data_uri(text: str) -> str:
    """A QR code of *text* as an SVG ``data:`` URI, for an ``<img>`` of a printed document.

    Error correction is at least level M (15 % of the symbol may be damaged), raised by the
    library when that costs no extra size; the quiet zone of four modules is part of the image.
    """
    code = segno.make(text, error="m", micro=False)
    return code.svg_data_uri(border=4, omitsize=True)


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise PdfUnavailable(
            _(
                "Không tạo được tệp PDF vì máy chủ chưa cài WeasyPrint hoặc thư viện Pango "
                "đi kèm (chạy scripts/install-system-deps.sh). Chi tiết: %(error)s"
            )
            % {"error": error}
        ) from error
    return weasyprint


def render_pdf(
    template_name: str, context: Mapping[str, Any], *, base_url: str | None = None
) -> bytes:
    """Render the Django template *template_name* with *context* and return the PDF's bytes.

    Relative URLs in the template resolve against *base_url* (a ``file:`` URL or a path). The
    document's title, language and author come from the HTML (``<title>``, ``lang``,
    ``<meta name="author">``); the PDF is tagged so screen readers can follow it.
    """
    weasyprint = _weasyprint()
    html = render_to_string(template_name, dict(context))
    fetcher = weasyprint.URLFetcher(allowed_protocols=ALLOWED_URL_SCHEMES)
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(pdf_tags=True)
    return pdf
