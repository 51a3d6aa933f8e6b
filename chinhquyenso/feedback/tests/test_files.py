"""Upload checks by content and size, and the metadata-free public copies of photos."""

from __future__ import annotations

import io
import struct
import unicodedata
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import ExifTags, Image, ImageCms, ImageFile
from PIL.PngImagePlugin import PngInfo

from chinhquyenso.feedback.files import (
    CheckedFile,
    check_upload,
    check_upload_count,
    public_copy,
    sanitise_name,
)

RED = (255, 0, 0)
BLUE = (0, 0, 255)


def _gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Điện thoại"
    exif[ExifTags.Base.Model] = "Model X"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (18.0, 40.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (105.0, 41.0, 3.0)
    return exif


def _two_colour_image(width: int = 100, height: int = 50, mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, (width, height), RED)
    image.paste(BLUE, (width // 2, 0, width, height))
    return image


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _photo_with_gps(orientation: int = 1) -> bytes:
    return _encode(
        _two_colour_image(),
        "JPEG",
        exif=_gps_exif(orientation),
        xmp=b"<x:xmpmeta><rdf:Description>Nguyen Van An</rdf:Description></x:xmpmeta>",
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
    )


def _upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a size but holds (almost) no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def _message(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


# --- What is accepted ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "options", "content_type"),
    [
        ("JPEG", {}, "image/jpeg"),
        ("PNG", {}, "image/png"),
        ("WEBP", {}, "image/webp"),
        ("MPO", {}, "image/jpeg"),
    ],
)
def test_photos_are_accepted_by_content(fmt: str, options: dict, content_type: str) -> None:
    data = _encode(_two_colour_image(), fmt, **options)
    # The name and the browser's claim do not matter, the content does.
    checked = check_upload(_upload("ảnh chụp.bin", data, "application/octet-stream"))
    assert isinstance(checked, CheckedFile)
    assert checked.content_type == content_type
    assert checked.size == len(data)
    assert checked.original_name == "ảnh chụp.bin"
    assert checked.file.read() == data  # handed back rewound


def test_a_pdf_is_accepted_by_its_header() -> None:
    checked = check_upload(_upload("don.jpg", _pdf(), "image/jpeg"))
    assert checked.content_type == "application/pdf"


def test_a_photo_with_exif_is_accepted() -> None:
    assert check_upload(_upload("IMG_0001.JPG", _photo_with_gps(6))).content_type == "image/jpeg"


# --- What is refused ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("x.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200),
        ("virus.jpg", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200),
        ("ghi chú.txt", "Xin chào, đây là văn bản.".encode()),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("anh.gif", b""),  # filled below with a real GIF
        ("tai-lieu.docx", b"PK\x03\x04" + b"\x00" * 100),
    ],
)
def test_files_that_are_neither_photos_nor_pdf_are_refused(name: str, data: bytes) -> None:
    if name.endswith(".gif"):
        data = _encode(_two_colour_image(), "GIF")
    with pytest.raises(ValidationError) as error:
        check_upload(_upload(name, data))
    assert _message(error) == f"Tệp “{name}” không phải ảnh (JPEG, PNG, WebP) hoặc PDF."
    assert error.value.code == "file_type"


@pytest.mark.parametrize("weasyprint_loaded", [False, True])
def test_a_truncated_jpeg_is_refused(weasyprint_loaded: bool, monkeypatch) -> None:
    # Importing WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole process.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", weasyprint_loaded)
    data = _encode(_two_colour_image(800, 600), "JPEG")
    with pytest.raises(ValidationError) as error:
        check_upload(_upload("a.jpg", data[: len(data) // 2]))
    assert "“a.jpg” bị hỏng" in _message(error)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is weasyprint_loaded  # left as it was


def test_a_png_with_a_bad_checksum_is_refused() -> None:
    data = bytearray(_encode(_two_colour_image(), "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 10] ^= 0xFF
    with pytest.raises(ValidationError) as error:
        check_upload(_upload("a.png", bytes(data)))
    assert "bị hỏng" in _message(error)


def test_a_truncated_pdf_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        check_upload(_upload("don.pdf", _pdf()[:60], "application/pdf"))
    assert _message(error) == "Tệp “don.pdf” bị hỏng hoặc không đọc được, xin chọn lại tệp khác."


@pytest.mark.parametrize(("width", "height"), [(8000, 8000), (30000, 30000)])
def test_decompression_bombs_are_refused_without_decoding(width: int, height: int) -> None:
    with pytest.raises(ValidationError) as error:
        check_upload(_upload("bom.png", _png_header_only(width, height), "image/png"))
    assert _message(error) == "Ảnh “bom.png” quá lớn (hơn 50 triệu điểm ảnh), xin gửi ảnh nhỏ hơn."


@pytest.mark.parametrize("brand", [b"heic", b"mif1", b"avif"])
def test_heic_photos_are_refused_with_advice(brand: bytes) -> None:
    data = b"\x00\x00\x00\x18ftyp" + brand + b"\x00\x00\x00\x00mif1heic" + b"\x00" * 100
    with pytest.raises(ValidationError) as error:
        check_upload(_upload("IMG_1234.HEIC", data, "image/heic"))
    message = _message(error)
    assert message.startswith("Tệp “IMG_1234.HEIC” là ảnh HEIC/HEIF")
    assert "JPEG" in message


@override_settings(FEEDBACK_MAX_FILE_MB=1)
def test_files_over_the_size_limit_are_refused() -> None:
    data = _pdf() + b"\x00" * (1024 * 1024)
    with pytest.raises(ValidationError) as error:
        check_upload(_upload("a.jpg", data))
    assert _message(error) == "Tệp “a.jpg” lớn hơn 1 MB."
    assert error.value.code == "file_too_large"


@override_settings(FEEDBACK_MAX_FILE_MB=1)
def test_a_file_just_under_the_limit_is_accepted() -> None:
    body = _pdf()
    data = body[:9] + b"\x00" * (1024 * 1024 - len(body)) + body[9:]
    assert len(data) == 1024 * 1024
    assert check_upload(_upload("a.pdf", data)).size == 1024 * 1024


def test_the_default_limit_is_ten_mb() -> None:
    with pytest.raises(ValidationError) as error:
        check_upload(_upload("a.jpg", b"\xff" * (10 * 1024 * 1024 + 1)))
    assert _message(error) == "Tệp “a.jpg” lớn hơn 10 MB."


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        check_upload(_upload("rong.jpg", b""))
    assert _message(error) == "Tệp “rong.jpg” không có nội dung."


# --- Counting and names -------------------------------------------------------------------


def test_up_to_the_maximum_number_of_files_is_allowed() -> None:
    check_upload_count([object()] * 5)
    check_upload_count([])
    with pytest.raises(ValidationError) as error:
        check_upload_count([object()] * 6)
    assert _message(error) == "Chỉ gửi được tối đa 5 tệp, bạn đã chọn 6 tệp."


@override_settings(FEEDBACK_MAX_FILES=2)
def test_the_maximum_number_of_files_is_a_setting() -> None:
    with pytest.raises(ValidationError):
        check_upload_count(["a", "b", "c"])


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\An\\Ảnh\\IMG 1.jpg", "IMG 1.jpg"),
        (unicodedata.normalize("NFD", "ảnh đường.jpg"), "ảnh đường.jpg"),
        ("a\x00b\nc.jpg", "a_b_c.jpg"),
        ("  .hidden.png ", "hidden.png"),
        ("", "tệp"),
        ("ả" * 300 + ".jpeg", "ả" * 250 + ".jpeg"),
    ],
)
def test_names_are_sanitised(given: str, expected: str) -> None:
    assert sanitise_name(given) == expected
    assert unicodedata.is_normalized("NFC", sanitise_name(given))


def test_the_checked_file_carries_the_sanitised_name() -> None:
    data = _encode(_two_colour_image(), "PNG")
    name = unicodedata.normalize("NFD", "../ảnh hố ga.png")
    assert check_upload(_upload(name, data, "image/png")).original_name == "ảnh hố ga.png"


# --- Public copies ------------------------------------------------------------------------


def _open(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def test_the_public_copy_of_a_phone_photo_has_no_location_or_other_metadata() -> None:
    original = _photo_with_gps(orientation=1)
    assert _open(original).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test photo has GPS
    checked = check_upload(_upload("IMG_0001.jpg", original))
    copy = public_copy(checked.file, checked.content_type)
    assert copy is not None
    data = copy.read()
    image = _open(data)
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info and "xmp" not in image.info
    assert b"Exif" not in data and b"Nguyen Van An" not in data and b"xmpmeta" not in data
    assert b"18.0" not in data
    # The colour profile stays, so colours look the same.
    assert image.info.get("icc_profile")
    assert image.size == (100, 50)


def test_the_public_copy_is_turned_the_way_the_phone_meant() -> None:
    checked = check_upload(_upload("IMG_0002.jpg", _photo_with_gps(orientation=6)))
    copy = public_copy(checked.file, checked.content_type)
    assert copy is not None
    image = _open(copy.read()).convert("RGB")
    assert image.size == (50, 100)  # rotated a quarter turn
    red, _green, blue = image.getpixel((25, 10))  # type: ignore[misc]
    assert red > 200 and blue < 60  # the left (red) half is now on top
    red, _green, blue = image.getpixel((25, 90))  # type: ignore[misc]
    assert blue > 200 and red < 60


def test_big_photos_are_reduced_to_2048_pixels_on_the_long_side() -> None:
    data = _encode(_two_colour_image(4000, 3000), "JPEG", quality=50)
    copy = public_copy(_upload("to.jpg", data), "image/jpeg")
    assert copy is not None
    assert _open(copy.read()).size == (2048, 1536)


def test_small_photos_are_not_enlarged() -> None:
    data = _encode(_two_colour_image(640, 480), "WEBP", exif=_gps_exif())
    copy = public_copy(_upload("nho.webp", data, "image/webp"), "image/webp")
    assert copy is not None
    image = _open(copy.read())
    assert image.size == (640, 480)
    assert image.format == "JPEG"  # WebP copies become JPEG
    assert dict(image.getexif()) == {}


def test_png_stays_png_with_its_transparency_and_without_text_or_exif() -> None:
    image = _two_colour_image(120, 80, "RGBA")
    image.putpixel((0, 0), (0, 0, 0, 0))
    info = PngInfo()
    info.add_text("Author", "Nguyễn Văn An")
    data = _encode(image, "PNG", pnginfo=info, exif=_gps_exif())
    assert _open(data).getexif()  # the source has EXIF
    copy = public_copy(_upload("so-do.png", data, "image/png"), "image/png")
    assert copy is not None
    assert copy.name.endswith(".png")
    result = _open(copy.read())
    assert result.format == "PNG"
    assert result.mode == "RGBA"
    assert result.getpixel((0, 0))[3] == 0  # type: ignore[index]
    assert dict(result.getexif()) == {}
    assert "Author" not in result.info and "exif" not in result.info


def test_transparent_webp_is_flattened_on_white_for_jpeg() -> None:
    image = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    data = _encode(image, "WEBP", lossless=True)
    copy = public_copy(_upload("trong.webp", data, "image/webp"), "image/webp")
    assert copy is not None
    assert _open(copy.read()).convert("RGB").getpixel((20, 20)) == (255, 255, 255)


def test_palette_and_grey_photos_are_copied() -> None:
    palette = _two_colour_image().convert("P")
    grey = _two_colour_image().convert("L")
    for data, content_type in (
        (_encode(palette, "PNG"), "image/png"),
        (_encode(grey, "JPEG"), "image/jpeg"),
    ):
        copy = public_copy(_upload("x", data, content_type), content_type)
        assert copy is not None
        assert _open(copy.read()).size == (100, 50)


def test_public_copies_get_random_names_that_tell_nothing() -> None:
    data = _photo_with_gps()
    first = public_copy(_upload("Nguyen Van An CCCD.jpg", data), "image/jpeg")
    second = public_copy(_upload("Nguyen Van An CCCD.jpg", data), "image/jpeg")
    assert first is not None and second is not None
    assert first.name != second.name
    assert "Nguyen" not in str(first.name)
    assert str(first.name).endswith(".jpg")


def test_pdfs_are_never_published() -> None:
    assert public_copy(_upload("don.pdf", _pdf(), "application/pdf"), "application/pdf") is None


def test_a_public_copy_leaves_the_original_readable() -> None:
    original = _photo_with_gps()
    checked = check_upload(_upload("IMG.jpg", original))
    public_copy(checked.file, checked.content_type)
    checked.file.seek(0)
    assert checked.file.read() == original
