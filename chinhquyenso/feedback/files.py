"""Checks on files people upload with feedback, and the metadata-free copies we publish.

A file's type is decided by its content, never by its name or the browser's claim: photos
(JPEG, PNG, WebP) must decode completely with Pillow, PDFs must start with the PDF header and
end with its end-of-file marker. Photos taken on phones carry EXIF data, often with the GPS
position of the reporter's home; :func:`public_copy` makes the copy that may be shown publicly,
with every piece of metadata dropped (the colour profile alone is kept), the orientation
applied and the size reduced.
"""

from __future__ import annotations

import io
import re
import uuid
import warnings
from collections.abc import Sized
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps

from chinhquyenso.core.text import nfc

#: Largest photo accepted, in pixels (width × height): 50 megapixels is above what phone
#: cameras save by default; larger "images" are most often decompression bombs.
MAX_IMAGE_PIXELS = 50_000_000
#: Long side of the public copy of a photo, in pixels.
PUBLIC_MAX_SIDE = 2048
PUBLIC_JPEG_QUALITY = 85

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
#: Pillow format name → content type. MPO is the multi-picture JPEG some phones save.
_IMAGE_TYPES = {"JPEG": JPEG, "MPO": JPEG, "PNG": PNG, "WEBP": WEBP}
ACCEPTED_TYPES = frozenset({JPEG, PNG, WEBP, PDF})

# ISO base media "ftyp" brands of HEIC/HEIF (iPhone photos) and AVIF, which we cannot take yet.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}
_NAME_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_MAX_NAME_LENGTH = 255


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed :func:`check_upload`, with what we know about it."""

    original_name: str  # sanitised, NFC, no folders; shown to people, never used as a path
    content_type: str  # one of ACCEPTED_TYPES, decided by the content
    size: int  # bytes
    file: File  # the upload itself, rewound


def sanitise_name(name: str) -> str:
    """A file name safe to show and store: NFC, no folders or control characters, ≤ 255."""
    name = nfc(name or "").replace("\\", "/")
    name = PurePosixPath(name).name if "/" in name else name
    name = _NAME_FORBIDDEN.sub("_", name)
    name = " ".join(name.split()).lstrip(". ")
    if not name:
        return _("tệp")
    if len(name) > _MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: _MAX_NAME_LENGTH - len(ext) - 1] + "." + ext
        else:
            name = name[:_MAX_NAME_LENGTH]
    return name


def check_upload_count(files: Sized) -> None:
    """Refuse more files than ``FEEDBACK_MAX_FILES`` in one report or answer."""
    limit = settings.FEEDBACK_MAX_FILES
    if len(files) > limit:
        raise ValidationError(
            _("Chỉ gửi được tối đa %(limit)s tệp, bạn đã chọn %(count)s tệp."),
            code="too_many_files",
            params={"limit": limit, "count": len(files)},
        )


def check_upload(f: File) -> CheckedFile:
    """Check one uploaded file by its content and size; raise ``ValidationError`` if refused."""
    name = sanitise_name(f.name or "")
    size = f.size or 0
    limit_mb = settings.FEEDBACK_MAX_FILE_MB
    if size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("Tệp “%(name)s” lớn hơn %(limit)s MB."),
            code="file_too_large",
            params={"name": name, "limit": limit_mb},
        )
    if size == 0:
        raise ValidationError(
            _("Tệp “%(name)s” không có nội dung."), code="empty_file", params={"name": name}
        )
    f.seek(0)
    head = f.read(16)
    if head.startswith(b"%PDF-"):
        _check_pdf(f, name, size)
        content_type = PDF
    elif len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        raise ValidationError(
            _(
                "Tệp “%(name)s” là ảnh HEIC/HEIF (ảnh iPhone), hệ thống chưa đọc được loại "
                "này. Xin gửi lại ảnh ở dạng JPEG: trên iPhone, vào Cài đặt › Camera › Định "
                "dạng, chọn “Tương thích nhất”, hoặc gửi ảnh chụp màn hình của ảnh."
            ),
            code="heic_not_supported",
            params={"name": name},
        )
    else:
        content_type = _check_image(f, name)
    f.seek(0)
    return CheckedFile(original_name=name, content_type=content_type, size=size, file=f)


def _not_accepted(name: str) -> ValidationError:
    return ValidationError(
        _("Tệp “%(name)s” không phải ảnh (JPEG, PNG, WebP) hoặc PDF."),
        code="file_type",
        params={"name": name},
    )


def _broken(name: str) -> ValidationError:
    return ValidationError(
        _("Tệp “%(name)s” bị hỏng hoặc không đọc được, xin chọn lại tệp khác."),
        code="file_broken",
        params={"name": name},
    )


def _check_pdf(f: File, name: str, size: int) -> None:
    # A PDF ends with "%%EOF" (perhaps followed by a few bytes of padding); a missing marker
    # means the upload was cut off.
    f.seek(max(0, size - 2048))
    if b"%%EOF" not in f.read():
        raise _broken(name)


def _open_image(f: IO[bytes] | File, name: str) -> Image.Image:
    """Open a photo of an accepted format, refusing others and oversized ones (not decoded)."""
    f.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(f, formats=["JPEG", "PNG", "WEBP"])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(name) from None
        except (OSError, SyntaxError, ValueError):
            raise _not_accepted(name) from None
    if image.format not in _IMAGE_TYPES:
        raise _not_accepted(name)
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels(name)
    return image


def _too_many_pixels(name: str) -> ValidationError:
    return ValidationError(
        _("Ảnh “%(name)s” quá lớn (hơn %(limit)s triệu điểm ảnh), xin gửi ảnh nhỏ hơn."),
        code="image_too_large",
        params={"name": name, "limit": MAX_IMAGE_PIXELS // 1_000_000},
    )


def _check_image(f: File, name: str) -> str:
    image = _open_image(f, name)
    content_type = _IMAGE_TYPES[str(image.format)]
    # WeasyPrint (PDF slips) sets Pillow's process-wide LOAD_TRUNCATED_IMAGES when it is
    # imported, which makes load() accept a photo cut in half: refuse those here all the same.
    truncated_allowed = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image.verify()  # structure and checksums (PNG)
        image = _open_image(f, name)
        image.load()  # every pixel: catches truncated files
    except ValidationError:
        raise
    except Exception:  # Pillow raises many kinds of errors on bad data
        raise _broken(name) from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated_allowed
    return content_type


def public_copy(f: File, content_type: str) -> ContentFile[bytes] | None:
    """The copy of a photo that may be published, or ``None`` for files never published (PDF).

    The copy is re-encoded from the pixels alone, so it carries no EXIF (no GPS position, no
    camera serial number), no XMP and no text chunks; the ICC colour profile is kept when the
    colours are unchanged. The EXIF orientation is applied first, the long side is reduced to
    ``PUBLIC_MAX_SIDE`` pixels; PNG stays PNG, other photos become JPEG (quality 85). The name
    is random so that it tells nothing about the reporter.
    """
    if content_type not in _IMAGE_TYPES.values():
        return None
    name = sanitise_name(getattr(f, "name", "") or "")
    try:
        source = _open_image(f, name)
        source.load()
        image = ImageOps.exif_transpose(source)
    except ValidationError:
        raise
    except Exception:
        raise _broken(name) from None
    as_png = content_type == PNG
    pixels = _public_mode(image, as_png)
    pixels.thumbnail((PUBLIC_MAX_SIDE, PUBLIC_MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image holds the pixels only: nothing of ``info`` (EXIF, XMP, comments) follows.
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    options: dict[str, Any] = {}
    icc = source.info.get("icc_profile")
    if icc and _colour_space(source.mode) == _colour_space(clean.mode):
        options["icc_profile"] = icc
    out = io.BytesIO()
    if as_png:
        clean.save(out, "PNG", optimize=True, **options)
        extension = "png"
    else:
        clean.save(out, "JPEG", quality=PUBLIC_JPEG_QUALITY, optimize=True, **options)
        extension = "jpg"
    f.seek(0)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info


def _public_mode(image: Image.Image, as_png: bool) -> Image.Image:
    """*image* in a mode the public format stores (alpha flattened on white for JPEG)."""
    if as_png:
        if _has_alpha(image):
            return image.convert("RGBA")
        return image if image.mode in {"RGB", "L"} else image.convert("RGB")
    if _has_alpha(image):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image if image.mode in {"RGB", "L"} else image.convert("RGB")


def _colour_space(mode: str) -> str:
    if mode in {"RGB", "RGBA", "RGBX", "P", "PA"}:
        return "RGB"
    if mode in {"L", "LA"}:
        return "L"
    return mode
