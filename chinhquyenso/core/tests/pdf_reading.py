"""Reading a PDF back the way a person would: its text, its fonts, its QR codes.

Uses poppler's command-line tools (package poppler-utils, installed by
``scripts/install-system-deps.sh``) and the zxing-cpp decoder.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import zxingcpp
from PIL import Image


@contextmanager
def _saved(pdf: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        yield path


def _poppler(*args: str) -> str:
    # Fixed poppler commands run on a file the test itself wrote.
    return subprocess.run(args, capture_output=True, check=True, text=True).stdout  # noqa: S603


def pdf_pages_text(pdf: bytes) -> list[str]:
    """The text of each page, runs of white space (line ends too) made single spaces."""
    with _saved(pdf) as path:
        text = _poppler("pdftotext", "-enc", "UTF-8", str(path), "-")
    assert unicodedata.is_normalized("NFC", text), "the PDF's text is not in NFC"
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def pdf_text(pdf: bytes) -> str:
    """The text of the whole document, white space made single spaces."""
    return " ".join(pdf_pages_text(pdf))


def pdf_layout_lines(pdf: bytes) -> list[str]:
    """The lines of text as laid out on the pages (columns side by side), inner runs of
    white space made two spaces so a test can tell columns apart."""
    with _saved(pdf) as path:
        text = _poppler("pdftotext", "-layout", "-enc", "UTF-8", str(path), "-")
    return [re.sub(r"\s{2,}", "  ", line.strip()) for line in text.splitlines() if line.strip()]


def pdf_info(pdf: bytes) -> dict[str, str]:
    """The document's information as ``pdfinfo`` prints it: ``Pages``, ``Page size``, ``Title``…"""
    with _saved(pdf) as path:
        listing = _poppler("pdfinfo", str(path))
    pairs = (line.split(":", 1) for line in listing.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def pdf_fonts(pdf: bytes) -> list[tuple[str, bool]]:
    """(font name without its subset prefix, embedded?) for every font the PDF uses."""
    with _saved(pdf) as path:
        listing = _poppler("pdffonts", str(path))
    fonts = []
    for line in listing.splitlines()[2:]:
        columns = line.split()
        # From the right: object number, generation, unicode map, subset, embedded.
        fonts.append((columns[0].split("+", 1)[-1], columns[-5] == "yes"))
    return fonts


def pdf_qr_codes(pdf: bytes, dpi: int = 150) -> list[str]:
    """The text of every QR code printed on the pages, read from the pages as images."""
    found: list[str] = []
    with _saved(pdf) as path:
        _poppler("pdftoppm", "-r", str(dpi), "-png", str(path), str(path.parent / "page"))
        for page in sorted(path.parent.glob("page*.png")):
            with Image.open(page) as image:
                codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
            found += [code.text for code in codes]
    return found
