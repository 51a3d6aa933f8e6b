"""PDF documents: the national heading, Vietnamese text and dates, fonts, QR codes, no network."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chinhquyenso.core.pdf import (
    Heading,
    PdfUnavailable,
    qr_svg_data_uri,
    render_pdf,
    vietnamese_date,
    vietnamese_datetime,
    vietnamese_time,
)
from chinhquyenso.core.tests.pdf_reading import (
    pdf_fonts,
    pdf_info,
    pdf_layout_lines,
    pdf_qr_codes,
    pdf_text,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")

# Every Vietnamese vowel with every tone mark, capital and small, and đ/Đ.
VIETNAMESE_LETTERS = (
    "aàáảãạ ăằắẳẵặ âầấẩẫậ eèéẻẽẹ êềếểễệ iìíỉĩị oòóỏõọ ôồốổỗộ ơờớởỡợ uùúủũụ ưừứửữự yỳýỷỹỵ đ "
    "AÀÁẢÃẠ ĂẰẮẲẴẶ ÂẦẤẨẪẬ EÈÉẺẼẸ ÊỀẾỂỄỆ IÌÍỈĨỊ OÒÓỎÕỌ ÔỒỐỔỖỘ ƠỜỚỞỠỢ UÙÚỦŨỤ ƯỪỨỬỮỰ YỲÝỶỸỴ Đ"
)

SAMPLE = """{% extends "pdf/base.html" %}
{% block title %}Văn bản thử{% endblock %}
{% block content %}
<p>{{ text }}</p>
{% if qr %}<img src="{{ qr }}" alt="" style="width: 30mm">{% endif %}
{% if extra %}{{ extra|safe }}{% endif %}
{% endblock %}
"""


@pytest.fixture
def sample_template(settings, tmp_path: Path) -> str:
    """A document template extending the print base, found before the project's own."""
    (tmp_path / "sample.html").write_text(SAMPLE, encoding="utf-8")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]
    return "sample.html"


def heading(**changes: object) -> Heading:
    values: dict[str, object] = {
        "agency": "Bộ phận Một cửa",
        "parent_agency": "UBND phường Thành Vinh",
        "place": "Thành Vinh",
        "issued_on": dt.date(2026, 11, 27),
        **changes,
    }
    return Heading(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (dt.date(2026, 11, 27), "ngày 27 tháng 11 năm 2026"),
        # Decree 30/2020: a day below 10 and the months 1 and 2 take a leading zero.
        (dt.date(2026, 2, 5), "ngày 05 tháng 02 năm 2026"),
        (dt.date(2027, 1, 31), "ngày 31 tháng 01 năm 2027"),
        (dt.date(2026, 3, 9), "ngày 09 tháng 3 năm 2026"),
    ],
)
def test_dates_are_written_the_vietnamese_way(day: dt.date, written: str) -> None:
    assert vietnamese_date(day) == written


def test_times_are_written_in_local_time() -> None:
    assert vietnamese_time(dt.datetime(2026, 11, 27, 14, 30, tzinfo=VN)) == "14 giờ 30 phút"
    assert vietnamese_time(dt.datetime(2026, 11, 27, 8, 5, tzinfo=VN)) == "8 giờ 05 phút"
    # 23:30 UTC is 6:30 the next morning in Việt Nam: both the time and the date move.
    late_evening_utc = dt.datetime(2026, 11, 27, 23, 30, tzinfo=dt.UTC)
    assert vietnamese_datetime(late_evening_utc) == "6 giờ 30 phút, ngày 28 tháng 11 năm 2026"
    assert vietnamese_date(late_evening_utc) == "ngày 28 tháng 11 năm 2026"


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        vietnamese_datetime(dt.datetime(2026, 11, 27, 14, 30))


def test_the_date_line_names_the_place() -> None:
    assert heading().date_line == "Thành Vinh, ngày 27 tháng 11 năm 2026"
    assert heading(place="").date_line == "Ngày 27 tháng 11 năm 2026"
    assert heading(issued_on=None).date_line == ""


def test_a_document_has_the_national_heading_and_keeps_every_vietnamese_letter(
    sample_template: str,
) -> None:
    pdf = render_pdf(sample_template, {"heading": heading(), "text": VIETNAMESE_LETTERS})

    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    # The agency on the left, the national title and motto on the right, the date under them.
    assert pdf_layout_lines(pdf)[:3] == [
        "UBND PHƯỜNG THÀNH VINH  CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "BỘ PHẬN MỘT CỬA  Độc lập - Tự do - Hạnh phúc",
        "Thành Vinh, ngày 27 tháng 11 năm 2026",
    ]
    text = pdf_text(pdf)
    assert VIETNAMESE_LETTERS in text


def test_a_document_is_one_a4_page_in_an_embedded_serif_font(sample_template: str) -> None:
    pdf = render_pdf(sample_template, {"heading": heading(), "text": VIETNAMESE_LETTERS})

    info = pdf_info(pdf)
    assert info["Pages"] == "1"
    assert info["Page size"] == "595.276 x 841.89 pts (A4)"
    assert info["Title"] == "Văn bản thử"
    assert info["Author"] == "Bộ phận Một cửa"
    fonts = pdf_fonts(pdf)
    # One serif family for every letter: a glyph missing from the font would have pulled in
    # another one (a sans-serif fallback, say), and the text would look patched.
    families = {name.split("-")[0] for name, _ in fonts}
    assert len(families) == 1, fonts
    assert all("Serif" in name or "Times" in name for name, _ in fonts), fonts
    assert all(embedded for _, embedded in fonts), fonts


@pytest.mark.parametrize(
    "content", ["000.00.01.H40-261127-0001", "Hồ sơ của bà Nguyễn Thị Hương, mã 0001"]
)
def test_a_qr_code_prints_and_reads_back(sample_template: str, content: str) -> None:
    qr = qr_svg_data_uri(content)
    assert qr.startswith("data:image/svg+xml")

    pdf = render_pdf(sample_template, {"heading": heading(), "text": "Mã QR", "qr": qr})

    assert pdf_qr_codes(pdf) == [content]


def test_rendering_never_goes_to_the_network(
    sample_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("no network in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    remote = (
        '<img src="http://192.0.2.10/seal.png" alt="">'
        '<link rel="stylesheet" href="https://192.0.2.10/print.css">'
    )

    pdf = render_pdf(sample_template, {"heading": heading(), "text": "Nội dung", "extra": remote})

    assert "Nội dung" in pdf_text(pdf)
    assert attempts == []


def test_without_weasyprint_printing_fails_with_a_clear_message(
    sample_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # the next import raises ImportError

    with pytest.raises(PdfUnavailable, match=r"install-system-deps\.sh"):
        render_pdf(sample_template, {"heading": heading(), "text": "x"})


def test_weasyprint_is_loaded_only_when_a_pdf_is_made() -> None:
    # A server without Pango must still start: importing the PDF module loads no WeasyPrint.
    code = "import sys, chinhquyenso.core.pdf; print('weasyprint' in sys.modules)"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "chinhquyenso.settings"}
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment
    )
    assert result.stdout.strip() == "False"
