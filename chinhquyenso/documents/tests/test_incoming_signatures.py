"""Signatures are checked when a document arrives, and the result is kept and shown in
Vietnamese: a valid signature of the demo PKI, and a document changed after signing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pyhanko.pdf_utils.generic import StreamObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from chinhquyenso.accounts.models import User
from chinhquyenso.documents.tests.conftest import Register, client_for, upload
from chinhquyenso.signing import services as signing
from chinhquyenso.signing.models import SigningCredential
from chinhquyenso.signing.tests.conftest import (
    assert_pdfsig_all_valid,
    mayor,
    mayor_key,
    pki,
    signing_settings,
)

__all__ = ["mayor", "mayor_key", "pki", "signing_settings"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_plan(
    plan_pdf: bytes, mayor: User, mayor_key: SigningCredential, tmp_path: Path
) -> bytes:
    signed = signing.sign_pdf(pdf=plan_pdf, signer=mayor_key, by=mayor)
    assert_pdfsig_all_valid(signed, tmp_path, 1)
    return signed


def _changed_after_signing(signed: bytes) -> bytes:
    """The signed PDF with a page's content replaced in a later revision."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page_ref, _resources = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    stream = writer.add_object(
        StreamObject(stream_data=b"BT /F1 24 Tf 72 400 Td (Sua noi dung) Tj ET")
    )
    page["/Contents"] = stream
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_valid_signature_is_recorded_and_shown(
    register_incoming: Register, signed_plan: bytes, clerk: User, mayor: User
) -> None:
    document = register_incoming(file=upload(signed_plan, "ke-hoach-da-ky.pdf"))
    report = document.files.get().verification
    assert report is not None
    [signature] = report["signatures"]
    assert signature["signer_name"] == mayor.full_name
    assert signature["valid"] and signature["trusted"]
    assert signature["summary"] == "Chữ ký số hợp lệ."
    page = client_for(clerk).get(f"/can-bo/van-ban/den/{document.pk}/")
    text = page.content.decode()
    assert "Kiểm tra chữ ký số khi nhận" in text
    assert f"Chữ ký 1: {mayor.full_name}" in text
    assert "Chữ ký số hợp lệ." in text


def test_a_document_changed_after_signing_is_registered_with_the_warning(
    register_incoming: Register, signed_plan: bytes, clerk: User
) -> None:
    document = register_incoming(file=upload(_changed_after_signing(signed_plan)))
    [signature] = document.files.get().verification["signatures"]  # type: ignore[index]
    assert not signature["valid"]
    assert "sửa đổi sau khi ký" in signature["summary"]
    text = client_for(clerk).get(f"/can-bo/van-ban/den/{document.pk}/").content.decode()
    assert "sửa đổi sau khi ký" in text
