"""Signing with a PKCS#12 file and a PKCS#11 token, the issuing flow, refusals.

Every PDF signed here is also checked by poppler's ``pdfsig`` and by our verification (pyHanko's
validator with its difference analysis).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from chinhquyenso.accounts.models import User
from chinhquyenso.core.models import AuditEntry
from chinhquyenso.signing import services
from chinhquyenso.signing.appearance import VisibleSignature
from chinhquyenso.signing.errors import PdfRefused, SigningRefused
from chinhquyenso.signing.models import SigningCredential
from chinhquyenso.signing.pdf import SEAL_FIELD, fill_fields, signature_field_boxes
from chinhquyenso.signing.pki import DemoPki
from chinhquyenso.signing.tests.conftest import (
    DATE_BOX,
    DOCUMENT_NUMBER,
    ISSUE_DATE,
    NUMBER_BOX,
    SIGNATURE_BOX,
    assert_pdfsig_all_valid,
    count_pixels,
    pdf_text,
    person_credential,
    render_page,
)
from chinhquyenso.signing.verification import verify_pdf

pytestmark = pytest.mark.django_db


def _sign_as_person(draft: bytes, key: SigningCredential, mayor: User, **kwargs: object) -> bytes:
    return services.sign_pdf(
        pdf=draft,
        signer=key,
        by=mayor,
        appearance=VisibleSignature.person(page=2, box=SIGNATURE_BOX),
        reason="Ký ban hành quyết định",
        **kwargs,  # type: ignore[arg-type]
    )


def test_pkcs12_person_signature_is_pades_with_timestamp_and_revocation_data(
    draft: bytes, mayor: User, mayor_key: SigningCredential, tmp_path: Path
) -> None:
    signed = _sign_as_person(draft, mayor_key, mayor)

    assert_pdfsig_all_valid(signed, tmp_path, 1)
    [signature] = verify_pdf(signed).signatures
    assert signature.signer_name == "Nguyễn Văn Hùng"
    assert signature.organization == "Phường Thành Vinh"
    assert signature.intact and signature.valid and signature.trusted
    assert signature.timestamped and signature.signed_at_source == "timestamp"
    assert signature.signed_at and signature.signed_at.endswith("+07:00")
    assert signature.level == "B-LT"  # the CA's CRL and an OCSP answer are in the document
    assert signature.revocation == "good"
    assert not signature.modified_after_signing
    assert signature.summary == "Chữ ký số hợp lệ."
    # The blue signature image is drawn in the box the signer chose, on page 2.
    assert count_pixels(render_page(signed, tmp_path, 2), SIGNATURE_BOX, "blue") > 200
    assert AuditEntry.objects.filter(action="signing.sign", actor=mayor).exists()


def test_signature_image_goes_to_the_placeholder_text(
    draft: bytes, mayor: User, mayor_key: SigningCredential, tmp_path: Path
) -> None:
    signed = services.sign_pdf(
        pdf=draft,
        signer=mayor_key,
        by=mayor,
        appearance=VisibleSignature.person(placeholder="[[CHU_KY]]"),
    )

    assert_pdfsig_all_valid(signed, tmp_path, 1)
    [(_, page, box, is_signed)] = signature_field_boxes(PdfFileReader(io.BytesIO(signed)))
    assert page == 2 and is_signed
    assert count_pixels(render_page(signed, tmp_path, 2), box, "blue") > 200


def test_signature_with_title_and_name_drawn_around_the_image(
    draft: bytes, mayor: User, mayor_key: SigningCredential, tmp_path: Path
) -> None:
    box = (330.0, 300.0, 530.0, 420.0)
    signed = services.sign_pdf(
        pdf=draft,
        signer=mayor_key,
        by=mayor,
        appearance=VisibleSignature.person(
            page=2, box=box, title="KT. CHỦ TỊCH", name="Nguyễn Văn Hùng"
        ),
    )

    assert_pdfsig_all_valid(signed, tmp_path, 1)
    text = pdf_text(signed, tmp_path, page=2)
    assert "KT. CHỦ TỊCH" in text
    assert text.count("Nguyễn Văn Hùng") == 2  # the document's own line and the appearance's


def test_pkcs11_softhsm_organisation_stamps_a_copy_top_right(
    raw_draft: bytes, clerk: User, commune_token_key: SigningCredential, tmp_path: Path
) -> None:
    signed = services.sign_pdf(
        pdf=raw_draft,
        signer=commune_token_key,
        by=clerk,
        appearance=VisibleSignature.copy_stamp(document_number=DOCUMENT_NUMBER),
        reason="Sao y bản chính",
    )

    assert_pdfsig_all_valid(signed, tmp_path, 1)
    [signature] = verify_pdf(signed).signatures
    assert signature.signer_name == "Ủy ban nhân dân phường Thành Vinh"
    assert signature.valid and signature.trusted and signature.timestamped
    first_lines = pdf_text(signed, tmp_path).splitlines()[:4]
    stamp = "\n".join(first_lines)
    assert DOCUMENT_NUMBER in stamp
    # The stamp's time is the signing time, ISO 8601 in Vietnam's time zone, at the top right.
    stamp_time = next(line.split()[-1] for line in first_lines if "+07:00" in line)
    signed_at = dt.datetime.fromisoformat(signature.signed_at or "")
    assert abs((dt.datetime.fromisoformat(stamp_time) - signed_at).total_seconds()) < 5
    assert any(line.rstrip().endswith(DOCUMENT_NUMBER) for line in first_lines)
    # No image: nothing red or blue on the page.
    page = render_page(signed, tmp_path, 1)
    assert count_pixels(page, (0, 0, page.width, page.height), "red") == 0


def test_issuing_flow_person_certifies_clerk_fills_number_then_organisation_seals(
    draft: bytes,
    mayor: User,
    clerk: User,
    commune: object,
    mayor_key: SigningCredential,
    commune_key: SigningCredential,
    tmp_path: Path,
) -> None:
    signed = _sign_as_person(draft, mayor_key, mayor, certify=True, reserve_seal_for=commune)
    filled = fill_fields(
        signed, {"so_ky_hieu": f"Số: {DOCUMENT_NUMBER}", "ngay_ban_hanh": ISSUE_DATE}
    )

    # The number and date came after the signature, which stays valid: an allowed change.
    assert_pdfsig_all_valid(filled, tmp_path, 1)
    [person] = verify_pdf(filled).signatures
    assert person.certification
    assert person.intact and person.valid and person.trusted
    assert person.modified_after_signing and person.modification_allowed
    assert person.modification == "form_filling"
    assert {"so_ky_hieu", "ngay_ban_hanh"} <= set(person.changed_fields)
    # The filled values show on page 1, where the boxes were empty before.
    before, after = render_page(signed, tmp_path, 1), render_page(filled, tmp_path, 1)
    for box in (NUMBER_BOX, DATE_BOX):
        assert count_pixels(before, box, "dark") == 0
        assert count_pixels(after, box, "dark") > 50

    sealed = services.sign_pdf(
        pdf=filled, signer=commune_key, by=clerk, appearance=VisibleSignature.seal()
    )

    assert_pdfsig_all_valid(sealed, tmp_path, 2)
    person, organisation = verify_pdf(sealed).signatures
    assert person.valid and person.trusted and person.modification_allowed
    assert organisation.field_name == SEAL_FIELD
    assert organisation.signer_name == "Ủy ban nhân dân phường Thành Vinh"
    assert organisation.valid and organisation.trusted and not organisation.modified_after_signing
    # The red seal covers the left third of the signature box and reaches out to its left.
    page = render_page(sealed, tmp_path, 2)
    x1, y1, x2, y2 = SIGNATURE_BOX
    third = x1 + (x2 - x1) / 3
    assert count_pixels(page, (x1, y1, third, y2), "red") > 100
    assert count_pixels(page, (x1 - 60, y1, x1, y2), "red") > 100
    assert count_pixels(page, (third + 5, y1, x2, y2), "red") == 0


def test_organisation_signs_only_after_the_person(
    draft: bytes, clerk: User, commune_key: SigningCredential
) -> None:
    with pytest.raises(SigningRefused) as refused:
        services.sign_pdf(
            pdf=draft, signer=commune_key, by=clerk, appearance=VisibleSignature.seal()
        )
    assert "sau khi người có thẩm quyền đã ký" in refused.value.message


def test_nobody_signs_with_someone_elses_key(
    draft: bytes, bob: User, clerk: User, mayor_key: SigningCredential
) -> None:
    for intruder in (bob, clerk):
        with pytest.raises(SigningRefused) as refused:
            services.sign_pdf(pdf=draft, signer=mayor_key, by=intruder)
        assert refused.value.code == "credential_forbidden"


def test_change_after_signing_is_reported_invalid(
    draft: bytes, mayor: User, mayor_key: SigningCredential, tmp_path: Path
) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    signed = _sign_as_person(draft, mayor_key, mayor)
    # Someone adds text to page 1 in an incremental update: the signed bytes are still there.
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.add_stream_to_page(
        0, writer.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 100 Td (X) Tj ET"))
    )
    out = io.BytesIO()
    writer.write(out)

    [signature] = verify_pdf(out.getvalue()).signatures
    assert signature.intact  # what was signed is unchanged…
    assert signature.modified_after_signing and signature.modification_allowed is False
    assert not signature.valid  # …but the document shown is not what was signed
    assert "sửa đổi sau khi ký" in signature.summary

    # Changing a signed byte breaks the signature itself.
    tampered = bytearray(signed)
    index = tampered.index(b"Type /Catalog") if b"Type /Catalog" in tampered else 20
    tampered[index + 1] ^= 0x01
    [broken] = verify_pdf(bytes(tampered)).signatures
    assert not broken.intact and not broken.valid
    assert "Dữ liệu đã ký không còn nguyên vẹn." in broken.problems


def _credential_for(pki: DemoPki, official: User, name: str) -> SigningCredential:
    issued = pki.load(name)
    return SigningCredential.objects.create(
        official=official,
        kind="pkcs12",
        certificate_pem=issued.certificate.public_bytes(Encoding.PEM).decode(),
        subject_name=name,
        issuer_name="CA",
        serial_number="1",
        fingerprint_sha256="0" * 64,
        valid_from=issued.certificate.not_valid_before_utc,
        valid_to=issued.certificate.not_valid_after_utc,
        pkcs12_file=ContentFile(pki.pkcs12_path(name).read_bytes(), name="k.p12"),
        secret_ref=f"file:{pki.passphrase_path}",
    )


def _sign_bypassing_checks(pki: DemoPki, pdf: bytes, name: str) -> bytes:
    """What another tool would do: sign with pyHanko directly, without our refusals."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(
        str(pki.pkcs12_path(name)), passphrase=pki.passphrase().encode()
    )
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)),
        signers.PdfSignatureMetadata(field_name="chu_ky"),
        signer=signer,
    )
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "refusal", "problem"),
    [
        ("expired", "đã hết hạn", "hết hạn"),
        ("revoked", "đã bị thu hồi", "đã bị thu hồi"),
    ],
)
def test_expired_and_revoked_certificates_are_refused_and_reported(
    pki: DemoPki, draft: bytes, mayor: User, name: str, refusal: str, problem: str, tmp_path: Path
) -> None:
    credential = _credential_for(pki, mayor, name)
    with pytest.raises(SigningRefused) as refused:
        services.sign_pdf(pdf=draft, signer=credential, by=mayor)
    assert refusal in refused.value.message

    signed = _sign_bypassing_checks(pki, draft, name)
    assert_pdfsig_all_valid(signed, tmp_path, 1)  # mathematically fine…
    [signature] = verify_pdf(signed).signatures
    assert signature.intact and not signature.trusted  # …but not to be trusted
    assert any(problem in p for p in signature.problems), signature.problems
    if name == "revoked":
        assert signature.revocation == "revoked" and not signature.valid


def test_encrypted_and_javascript_pdfs_are_refused(
    raw_draft: bytes, mayor: User, mayor_key: SigningCredential
) -> None:
    for data, code in (
        (encrypted_pdf(raw_draft), "encrypted"),
        (pdf_with_javascript(raw_draft), "javascript"),
    ):
        with pytest.raises(PdfRefused) as refused:
            services.sign_pdf(pdf=data, signer=mayor_key, by=mayor)
        assert refused.value.code == code
        with pytest.raises(PdfRefused):
            verify_pdf(data)


def encrypted_pdf(pdf: bytes) -> bytes:
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(pdf)))
    writer.encrypt("chu-so-huu", "nguoi-doc")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_javascript(pdf: bytes) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root[generic.pdf_name("/OpenAction")] = generic.DictionaryObject(
        {
            generic.pdf_name("/S"): generic.pdf_name("/JavaScript"),
            generic.pdf_name("/JS"): generic.pdf_string("app.alert('x')"),
        }
    )
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_signature_and_seal_images_must_be_transparent_png(mayor: User, commune: object) -> None:
    opaque = Image.new("RGB", (300, 120), "white")
    buffer = io.BytesIO()
    opaque.save(buffer, "PNG")
    with pytest.raises(ValidationError) as refused:
        services.signature_image_upload(
            official=mayor, file=ContentFile(buffer.getvalue(), name="a.png"), by=mayor
        )
    assert "nền trong suốt" in str(refused.value)
    jpeg = io.BytesIO()
    opaque.save(jpeg, "JPEG")
    with pytest.raises(ValidationError) as refused:
        services.signature_image_upload(
            official=mayor, file=ContentFile(jpeg.getvalue(), name="a.png"), by=mayor
        )
    assert "PNG" in str(refused.value)


def test_second_person_key_is_independent(
    pki: DemoPki, draft: bytes, alice: User, tmp_path: Path
) -> None:
    """Any official's PKCS#12 credential signs invisibly (no image needed)."""
    credential = person_credential(pki, alice, "nguyen-thi-an")
    signed = services.sign_pdf(pdf=draft, signer=credential, by=alice)
    assert_pdfsig_all_valid(signed, tmp_path, 1)
    [signature] = verify_pdf(signed).signatures
    assert signature.signer_name == "Nguyễn Thị An" and signature.valid and signature.trusted
