"""The text of a PDF, for full-text search of documents (pdfminer.six).

Only text the PDF carries is found: a document made by a word processor or signed
electronically has it; a scan of paper has only pictures of pages, and gives no text (there is
no character recognition here). Extraction stops after ``MAX_PAGES`` pages and keeps at most
``MAX_CHARS`` characters, so a very long annex neither slows registration down nor bloats the
search column.
"""

from __future__ import annotations

import io
import logging

from pdfminer.high_level import extract_text
from pdfminer.layout import LAParams

from chinhquyenso.core.text import nfc

logger = logging.getLogger(__name__)

MAX_PAGES = 60
MAX_CHARS = 60_000


def pdf_text(data: bytes, *, max_pages: int = MAX_PAGES, max_chars: int = MAX_CHARS) -> str:
    """The words of *data* (a PDF) in reading order, whitespace collapsed, in NFC.

    An unreadable PDF gives an empty text rather than an error: search simply finds less.
    """
    try:
        raw = extract_text(io.BytesIO(data), maxpages=max_pages, laparams=LAParams())
    except Exception:  # pdfminer raises many kinds of errors on unusual files
        logger.warning("No text extracted from a PDF of %d bytes", len(data), exc_info=True)
        return ""
    text = nfc(" ".join(raw.split()))
    return text[:max_chars]
