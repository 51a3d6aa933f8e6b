"""The pages where an official keeps their signature image and a unit's clerk or leader keeps
its seal: who may open them, what a good upload changes, what a bad one says, and that the
images are served to those people only."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import official_create
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.core.audit import AuditEntry
from chinhquyenso.signing.images import draw_demo_seal, draw_demo_signature, png_bytes
from chinhquyenso.signing.models import SealImage, SignatureImage, SigningCredential
from chinhquyenso.units.models import Unit

pytestmark = pytest.mark.django_db

MINE = "/ky-so/chu-ky-cua-toi/"
SEAL = "/ky-so/con-dau/"


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def png(image: Image.Image, name: str = "anh.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(image), content_type="image/png")


def opaque_png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (300, 120), "white").save(out, "PNG")
    return SimpleUploadedFile("chu-ky.png", out.getvalue(), content_type="image/png")


def test_an_official_uploads_and_replaces_their_signature_image(
    client: Client, alice: User, mayor_key: SigningCredential
) -> None:
    login(client, alice)
    page = client.get(MINE)
    assert page.status_code == 200
    assert "Chưa có ảnh chữ ký" in page.content.decode()
    assert "Hệ thống chưa giữ chứng thư số nào" in page.content.decode()
    assert client.get(f"{MINE}anh.png").status_code == 404

    answer = client.post(MINE, {"image": png(draw_demo_signature("An"))}, follow=True)
    assert "Đã lưu ảnh chữ ký mới." in answer.content.decode()
    image = SignatureImage.objects.get(official=alice)
    assert (image.width_px, image.height_px) == (600, 240)
    served = client.get(f"{MINE}anh.png")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["Cache-Control"] == "private, no-store"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")
    assert AuditEntry.objects.filter(action="signing.signature_image_upload").exists()

    # The mayor sees his own certificate listed, and only his own image.
    login(client, mayor_key.official)  # type: ignore[arg-type]
    body = client.get(MINE).content.decode()
    assert mayor_key.subject_name in body and "Đang dùng" in body
    mine = b"".join(client.get(f"{MINE}anh.png").streaming_content)
    assert mine == mayor_key.official.signature_image.image.open("rb").read()  # type: ignore[union-attr]


def test_a_bad_signature_image_is_refused_and_the_old_one_kept(
    client: Client, mayor_key: SigningCredential
) -> None:
    mayor = mayor_key.official
    assert mayor is not None
    before = SignatureImage.objects.get(official=mayor).image.name
    login(client, mayor)
    refused = client.post(MINE, {"image": opaque_png()})
    assert refused.status_code == 400
    assert "không có nền trong suốt" in refused.content.decode()
    pdf = SimpleUploadedFile("chu-ky.png", b"%PDF-1.7\n%%EOF\n", content_type="image/png")
    assert "PNG nền trong suốt" in client.post(MINE, {"image": pdf}).content.decode()
    assert "Xin chọn tệp ảnh chữ ký." in client.post(MINE, {}).content.decode()
    assert SignatureImage.objects.get(official=mayor).image.name == before


def test_the_pages_need_an_official(client: Client, charlie: User) -> None:
    assert client.get(MINE).status_code == 302  # to the login page
    login(client, charlie)
    assert client.get(MINE).status_code == 404
    assert client.get(SEAL).status_code == 404


def test_the_clerk_keeps_the_units_seal(client: Client, clerk: User, commune: Unit) -> None:
    login(client, clerk)
    page = client.get(SEAL)
    assert page.status_code == 200
    assert "Con dấu của Phường Thành Vinh" in page.content.decode()
    answer = client.post(
        SEAL, {"image": png(draw_demo_seal("UBND")), "diameter_mm": "35,5"}, follow=True
    )
    assert "Đã lưu ảnh con dấu của Phường Thành Vinh." in answer.content.decode()
    seal = SealImage.objects.get(unit=commune)
    assert seal.diameter_mm == Decimal("35.5")
    assert "35,5 mm" in answer.content.decode()
    served = client.get(f"{SEAL}{commune.pk}/anh.png")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"


def test_a_bad_seal_keeps_the_old_one(client: Client, clerk: User, commune: Unit) -> None:
    login(client, clerk)
    client.post(SEAL, {"image": png(draw_demo_seal("UBND")), "diameter_mm": "36"})
    before = SealImage.objects.get(unit=commune).image.name
    too_big = client.post(SEAL, {"image": png(draw_demo_seal("UBND")), "diameter_mm": "90"})
    assert too_big.status_code == 400
    assert "Đường kính con dấu phải từ 20 đến 60 mm." in too_big.content.decode()
    not_a_number = client.post(SEAL, {"image": png(draw_demo_seal("UBND")), "diameter_mm": "ba"})
    assert "Đường kính phải là một số" in not_a_number.content.decode()
    assert (
        "không có nền trong suốt"
        in client.post(SEAL, {"image": opaque_png(), "diameter_mm": "36"}).content.decode()
    )
    seal = SealImage.objects.get(unit=commune)
    assert (seal.image.name, seal.diameter_mm) == (before, Decimal("36"))


def test_only_the_units_clerk_leader_or_an_administrator_reach_its_seal(
    client: Client, clerk: User, alice: User, bob: User, commune: Unit, other_commune: Unit
) -> None:
    login(client, clerk)
    client.post(SEAL, {"image": png(draw_demo_seal("UBND")), "diameter_mm": "36"})
    image_url = f"{SEAL}{commune.pk}/anh.png"
    # A specialist keeps no seal; another commune's clerk cannot reach this one.
    login(client, alice)
    assert client.get(SEAL).status_code == 404
    assert client.get(image_url).status_code == 404
    other_clerk = official_create(
        full_name="Hồ Thị Thu",
        unit=other_commune,
        roles=[Role.CLERK],
        email="vanthu.anhson@example.vn",
        password=PASSWORD,
        by=None,
    )
    login(client, other_clerk)
    assert client.get(SEAL).status_code == 200  # their own unit
    assert client.get(f"{SEAL}?don-vi={commune.pk}").status_code == 404
    assert client.get(image_url).status_code == 404
    assert (
        client.post(
            f"{SEAL}?don-vi={commune.pk}",
            {"image": png(draw_demo_seal("X")), "diameter_mm": "36"},
        ).status_code
        == 404
    )
    # The province's administrator chooses any unit below.
    admin = official_create(
        full_name="Quản Trị Viên",
        unit=commune.get_root(),
        roles=[Role.SYSTEM_ADMIN],
        email="quantri@example.vn",
        password=PASSWORD,
        by=None,
    )
    login(client, admin)
    page = client.get(f"{SEAL}?don-vi={commune.pk}")
    assert page.status_code == 200 and "Xã Anh Sơn" in page.content.decode()
    assert client.get(image_url).status_code == 200
    assert client.get(f"{SEAL}?don-vi=abc").status_code == 404


def test_the_workspace_links_to_the_pages(client: Client, clerk: User, alice: User) -> None:
    login(client, clerk)
    body = client.get("/can-bo/").content.decode()
    assert MINE in body and SEAL in body
    login(client, alice)
    body = client.get("/can-bo/").content.decode()
    assert MINE in body and SEAL not in body
