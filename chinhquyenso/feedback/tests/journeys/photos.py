"""Photos as a phone camera makes them: a JPEG with the place it was taken in its EXIF."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import ExifTags, Image

#: Phường Thành Vinh, as a camera writes it: degrees, minutes, seconds.
GPS_LATITUDE = (18.0, 40.0, 46.5)
GPS_LONGITUDE = (105.0, 40.0, 52.8)


def save_photo_with_position(path: Path) -> Path:
    """Write a small JPEG to *path* whose EXIF names the camera and the GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "JourneyCam"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: GPS_LATITUDE,
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: GPS_LONGITUDE,
        }
    )
    Image.new("RGB", (96, 72), (110, 100, 90)).save(path, "JPEG", exif=exif)
    return path


def gps_tags(jpeg: bytes) -> dict[int, object]:
    """The GPS tags in *jpeg*'s EXIF (empty when it has none)."""
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.format == "JPEG"
        return dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))
