"""DOCX drafts to PDF with LibreOffice running headless, and page previews with poppler.

Drafts of outgoing documents are often written in Word. The platform keeps the DOCX as it was
uploaded and signs a PDF made from it by LibreOffice (Debian's ``libreoffice-writer-nogui``,
installed by ``scripts/install-system-deps.sh``). Each conversion runs in its own temporary
folder with its own LibreOffice user profile, so conversions run side by side and leave nothing
behind; a conversion that hangs is stopped after :data:`CONVERT_TIMEOUT_SECONDS`.

Previews of a page (for the signer to place the signature) are drawn by poppler's ``pdftoppm``.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

#: Longest a conversion may take; a document this slow to lay out is surely broken.
CONVERT_TIMEOUT_SECONDS = 120
#: Longest a page preview may take.
PREVIEW_TIMEOUT_SECONDS = 30
#: Largest DOCX accepted, and the most its parts may hold once unzipped (against zip bombs).
MAX_DOCX_MB = 20
MAX_DOCX_UNZIPPED_MB = 200
#: Resolution of page previews: 1 pixel is 72/PREVIEW_DPI points.
PREVIEW_DPI = 100

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97–2003 .doc
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def is_docx(data: bytes) -> bool:
    """Whether *data* looks like a DOCX (a ZIP holding ``word/document.xml``), by its content."""
    if not data.startswith(_ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "word/document.xml" in names and "[Content_Types].xml" in names


def check_docx(data: bytes, name: str) -> None:
    """Refuse what is not a DOCX we can convert, with a Vietnamese message."""
    if data.startswith(_OLE_MAGIC):
        raise ValidationError(
            _(
                "Tệp “%(name)s” là tệp Word 97–2003 (.doc). Xin mở tệp trong Word hoặc "
                "LibreOffice, lưu lại thành .docx (hoặc xuất PDF) rồi tải lên."
            ),
            code="doc_not_supported",
            params={"name": name},
        )
    if len(data) > MAX_DOCX_MB * 1024 * 1024:
        raise ValidationError(
            _("Tệp “%(name)s” lớn hơn %(limit)s MB."),
            code="file_too_large",
            params={"name": name, "limit": MAX_DOCX_MB},
        )
    if not is_docx(data):
        raise ValidationError(
            _("Tệp “%(name)s” không phải tệp PDF hoặc DOCX đọc được."),
            code="file_type",
            params={"name": name},
        )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unzipped = sum(info.file_size for info in archive.infolist())
        encrypted = any(info.flag_bits & 0x1 for info in archive.infolist())
    if encrypted:
        raise ValidationError(
            _("Tệp “%(name)s” được đặt mật khẩu; xin gửi bản không đặt mật khẩu."),
            code="encrypted",
            params={"name": name},
        )
    if unzipped > MAX_DOCX_UNZIPPED_MB * 1024 * 1024:
        raise ValidationError(
            _("Tệp “%(name)s” quá lớn khi giải nén; hệ thống không chuyển được tệp này."),
            code="file_too_large",
            params={"name": name},
        )


def soffice_path() -> str | None:
    """LibreOffice's program, or ``None`` when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _conversion_failed(name: str) -> ValidationError:
    return ValidationError(
        _(
            "Không chuyển được tệp “%(name)s” sang PDF. Xin mở tệp trong Word hoặc LibreOffice, "
            "kiểm tra tệp mở được bình thường, rồi tải lên lại hoặc tự xuất sang PDF."
        ),
        code="conversion_failed",
        params={"name": name},
    )


def _run(command: list[str], *, cwd: Path, timeout: int) -> tuple[int, str]:
    """Run *command* in its own process group; kill the whole group when time runs out.

    LibreOffice's launcher starts the office process as a child: stopping only the launcher
    would leave the office running.
    """
    environment = {**os.environ, "HOME": str(cwd), "TMPDIR": str(cwd)}
    process = subprocess.Popen(  # noqa: S603 - fixed programs, arguments we build
        command,
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _unused = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return process.returncode, output.decode("utf-8", "replace")


def docx_to_pdf(data: bytes, *, name: str = "van-ban.docx") -> bytes:
    """The PDF LibreOffice makes from the DOCX *data*; ``ValidationError`` in Vietnamese if not.

    *name* is only used in messages. Call :func:`check_docx` first.
    """
    program = soffice_path()
    if program is None:
        raise ValidationError(
            _(
                "Máy chủ chưa cài LibreOffice nên chưa chuyển được tệp DOCX sang PDF. Xin tải "
                "lên bản PDF, hoặc báo quản trị hệ thống chạy scripts/install-system-deps.sh."
            ),
            code="converter_missing",
        )
    with tempfile.TemporaryDirectory(prefix="cqs-docx-") as folder:
        work = Path(folder)
        source = work / "van-ban.docx"
        source.write_bytes(data)
        out = work / "out"
        out.mkdir()
        command = [
            program,
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nologo",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(out),
            str(source),
        ]
        try:
            code, output = _run(command, cwd=work, timeout=CONVERT_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            logger.warning("DOCX conversion of %r timed out", name)
            raise ValidationError(
                _(
                    "Chuyển tệp “%(name)s” sang PDF quá %(seconds)s giây nên đã dừng. Xin tự "
                    "xuất tệp sang PDF rồi tải lên."
                ),
                code="conversion_timeout",
                params={"name": name, "seconds": CONVERT_TIMEOUT_SECONDS},
            ) from None
        result = out / "van-ban.pdf"
        if code != 0 or not result.is_file():
            logger.warning("DOCX conversion of %r failed (%s): %s", name, code, output[-2000:])
            raise _conversion_failed(name)
        pdf = result.read_bytes()
    if not pdf.startswith(b"%PDF-"):
        raise _conversion_failed(name)
    return pdf


def render_page_png(pdf: bytes, page: int, *, dpi: int = PREVIEW_DPI) -> bytes:
    """Page *page* (from 1) of *pdf* drawn as a PNG at *dpi*, by poppler's ``pdftoppm``."""
    program = shutil.which("pdftoppm")
    if program is None:
        raise ValidationError(
            _(
                "Máy chủ chưa cài poppler-utils nên chưa xem trước được trang văn bản; xin báo "
                "quản trị hệ thống chạy scripts/install-system-deps.sh."
            ),
            code="preview_missing",
        )
    with tempfile.TemporaryDirectory(prefix="cqs-preview-") as folder:
        work = Path(folder)
        source = work / "van-ban.pdf"
        source.write_bytes(pdf)
        command = [
            program,
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-png",
            "-singlefile",
            str(source),
            str(work / "trang"),
        ]
        try:
            code, output = _run(command, cwd=work, timeout=PREVIEW_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            code, output = -1, "timeout"
        image = work / "trang.png"
        if code != 0 or not image.is_file():
            logger.warning("Page preview failed (%s): %s", code, output[-2000:])
            raise ValidationError(
                _("Không vẽ được trang %(page)s của văn bản."),
                code="preview_failed",
                params={"page": page},
            )
        return image.read_bytes()
