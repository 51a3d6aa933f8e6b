"""Signature and seal images: checked by content (transparent PNG), and drawn for the demo."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw

from chinhquyenso.feedback.files import PNG, check_upload

#: Smallest and largest accepted side, in pixels.
MIN_SIDE = 60
MAX_SIDE = 4000
#: Share of fully transparent pixels below which the "transparent" background is not believed.
MIN_TRANSPARENT_SHARE = 0.2

SIGNATURE_BLUE = (22, 52, 170, 255)
SEAL_RED = (218, 30, 40, 255)


@dataclass(frozen=True)
class CheckedImage:
    image: Image.Image
    data: bytes
    width: int
    height: int


def check_transparent_png(f: File) -> CheckedImage:
    """Accept a PNG with a transparent background, decided by its content; else ValidationError."""
    checked = check_upload(f)  # size, decodes completely, type by content
    if checked.content_type != PNG:
        raise ValidationError(_("Ảnh phải là tệp PNG nền trong suốt."), code="not_png")
    f.seek(0)
    data = f.read()
    image = Image.open(io.BytesIO(data))
    image.load()
    width, height = image.size
    if min(width, height) < MIN_SIDE or max(width, height) > MAX_SIDE:
        raise ValidationError(
            _("Ảnh phải có cạnh từ %(min)s đến %(max)s điểm ảnh."),
            code="image_size",
            params={"min": MIN_SIDE, "max": MAX_SIDE},
        )
    rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A")
    transparent = alpha.histogram()[0]
    if transparent < MIN_TRANSPARENT_SHARE * width * height:
        raise ValidationError(
            _("Ảnh không có nền trong suốt. Xin tách nền (để trong suốt) rồi lưu lại dạng PNG."),
            code="not_transparent",
        )
    if transparent == width * height:
        raise ValidationError(_("Ảnh trống, không có nét nào."), code="empty_image")
    return CheckedImage(image=rgba, data=data, width=width, height=height)


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def draw_demo_signature(seed: str) -> Image.Image:
    """A blue handwriting-like stroke on a transparent background, different for each *seed*."""
    width, height = 600, 240
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    phase = sum(ord(c) for c in seed) % 17 / 5
    points = []
    for step in range(121):
        t = step / 120
        x = 40 + t * (width - 80)
        y = height / 2 + math.sin(t * 9 + phase) * 55 * (1 - t * 0.5) + math.cos(t * 23) * 12
        points.append((x, y))
    draw.line(points, fill=SIGNATURE_BLUE, width=7, joint="curve")
    draw.line([(60, height - 50), (width - 90, height - 70)], fill=SIGNATURE_BLUE, width=5)
    return image


def draw_demo_seal(text: str) -> Image.Image:
    """A red round seal: two rings, a star and *text* (the unit's short name) in the middle."""
    size = 600
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse([8, 8, size - 8, size - 8], outline=SEAL_RED, width=16)
    draw.ellipse([70, 70, size - 70, size - 70], outline=SEAL_RED, width=6)
    centre, outer, inner = size / 2, 95, 38
    star = []
    for corner in range(10):
        radius = outer if corner % 2 == 0 else inner
        angle = -math.pi / 2 + corner * math.pi / 5
        star.append((centre + radius * math.cos(angle), centre - 60 + radius * math.sin(angle)))
    draw.polygon(star, fill=SEAL_RED)
    label = text[:18]
    box = draw.textbbox((0, 0), label, font_size=44)
    draw.text((centre - (box[2] - box[0]) / 2, centre + 80), label, fill=SEAL_RED, font_size=44)
    return image
