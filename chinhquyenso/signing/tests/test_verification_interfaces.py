"""The public verification page and ``POST /api/v1/signatures/verify``: no login, no key."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from chinhquyenso.accounts.models import User
from chinhquyenso.signing import services
from chinhquyenso.signing.appearance import VisibleSignature
from chinhquyenso.signing.models import SigningCredential
from chinhquyenso.signing.pdf import fill_fields
from chinhquyenso.signing.tests.conftest import (
    DOCUMENT_NUMBER,
    SIGNATURE_BOX,
    assert_pdfsig_all_valid,
)
from chinhquyenso.signing.tests.test_signing import encrypted_pdf, pdf_with_javascript

pytestmark = pytest.mark.django_db

API = "/api/v1/signatures/verify"


@pytest.fixture
def issued_pdf(
    draft: bytes,
    mayor: User,
    clerk: User,
    commune: object,
    mayor_key: SigningCredential,
    commune_key: SigningCredential,
    tmp_path: Path,
) -> bytes:
    """A decision signed by the chairman, numbered by the clerk, then sealed."""
    signed = services.sign_pdf(
        pdf=draft,
        signer=mayor_key,
        by=mayor,
        appearance=VisibleSignature.person(page=2, box=SIGNATURE_BOX),
        certify=True,
        reserve_seal_for=commune,  # type: ignore[arg-type]
    )
    filled = fill_fields(signed, {"so_ky_hieu": DOCUMENT_NUMBER})
    sealed = services.sign_pdf(
        pdf=filled, signer=commune_key, by=clerk, appearance=VisibleSignature.seal()
    )
    assert_pdfsig_all_valid(sealed, tmp_path, 2)
    return sealed


def _post(client: Client, data: bytes, name: str = "quyet-dinh.pdf") -> object:
    return client.post(API, {"file": SimpleUploadedFile(name, data)})


def test_api_reports_both_signatures_without_a_key(client: Client, issued_pdf: bytes) -> None:
    response = _post(client, issued_pdf)

    assert response.status_code == 200  # type: ignore[attr-defined]
    person, organisation = response.json()["signatures"]  # type: ignore[attr-defined]
    assert person["signer_name"] == "Nguyễn Văn Hùng"
    assert person["organization"] == "Phường Thành Vinh"
    assert person["signed_at"].endswith("+07:00")
    assert person["intact"] and person["valid"] and person["trusted"]
    assert person["modified_after_signing"] and person["modification_allowed"]
    assert person["revocation"] == "good"
    assert organisation["signer_name"] == "Ủy ban nhân dân phường Thành Vinh"
    assert organisation["valid"] and not organisation["modified_after_signing"]


def test_api_reports_a_document_changed_after_signing_as_invalid(
    client: Client, issued_pdf: bytes
) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(issued_pdf))
    writer.add_stream_to_page(
        1, writer.add_object(generic.StreamObject(stream_data=b"0 0 m 500 500 l S"))
    )
    out = io.BytesIO()
    writer.write(out)

    signatures = _post(client, out.getvalue()).json()["signatures"]  # type: ignore[attr-defined]
    assert all(not s["valid"] for s in signatures)
    assert all(
        s["modified_after_signing"] and s["modification_allowed"] is False for s in signatures
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n not a pdf", "không phải tệp PDF"),
        (b"", "không phải tệp PDF"),
    ],
)
def test_api_refuses_what_is_not_a_pdf_in_the_error_shape(
    client: Client, data: bytes, message: str
) -> None:
    response = _post(client, data, "anh.png")

    assert response.status_code == 400  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "validation_error"
    assert message in error["message"]
    assert error["details"][0]["field"] == "file"


def test_api_refuses_encrypted_and_javascript_pdfs_clearly(
    client: Client, raw_draft: bytes
) -> None:
    encrypted = _post(client, encrypted_pdf(raw_draft))
    scripted = _post(client, pdf_with_javascript(raw_draft))

    assert encrypted.status_code == scripted.status_code == 400  # type: ignore[attr-defined]
    assert "mã hóa" in encrypted.json()["error"]["message"]  # type: ignore[attr-defined]
    assert "JavaScript" in scripted.json()["error"]["message"]  # type: ignore[attr-defined]


def test_api_requires_the_file_field(client: Client) -> None:
    response = client.post(API, {})
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "file"


def test_verification_page_is_public_and_answers_in_vietnamese(
    client: Client, issued_pdf: bytes
) -> None:
    url = reverse("signing:verify")
    page = client.get(url)
    assert page.status_code == 200
    assert "Kiểm tra chữ ký số trên văn bản điện tử" in page.content.decode()

    answer = client.post(url, {"file": SimpleUploadedFile("qd.pdf", issued_pdf)})

    html = answer.content.decode()
    assert answer.status_code == 200
    assert "Văn bản có 2 chữ ký số." in html
    assert html.count("Chữ ký số hợp lệ.") == 2
    assert "Nguyễn Văn Hùng" in html and "Ủy ban nhân dân phường Thành Vinh" in html
    assert "thay đổi được phép" in html
    # The fields filled after the person signed, by what they hold, not by their PDF names.
    assert "chữ ký của cơ quan, tổ chức; số, ký hiệu" in html  # apart, though labels hold commas
    assert "so_ky_hieu" not in html
    assert "Chưa bị thu hồi" in html


def test_verification_page_explains_a_refused_file(client: Client, raw_draft: bytes) -> None:
    url = reverse("signing:verify")
    for data, text in (
        (b"hello", "không phải tệp PDF"),
        (encrypted_pdf(raw_draft), "mã hóa"),
    ):
        answer = client.post(url, {"file": SimpleUploadedFile("x.pdf", data)})
        assert answer.status_code == 400
        assert text in answer.content.decode()
    empty = client.post(url, {})
    assert "Xin chọn tệp PDF cần kiểm tra." in empty.content.decode()


def test_unsigned_pdf_has_no_signatures(client: Client, raw_draft: bytes) -> None:
    answer = client.post(
        reverse("signing:verify"), {"file": SimpleUploadedFile("x.pdf", raw_draft)}
    )
    assert "Tệp này không có chữ ký số nào." in answer.content.decode()


def test_demo_pki_serves_its_crl_and_ocsp(client: Client) -> None:
    crl = client.get("/ky-so/pki/ca.crl")
    assert crl.status_code == 200 and crl["Content-Type"] == "application/pkix-crl"
    assert client.get("/ky-so/pki/khong-co").status_code == 404
    ocsp = client.post("/ky-so/pki/ocsp", b"rac", content_type="application/ocsp-request")
    assert ocsp.status_code == 200 and ocsp["Content-Type"] == "application/ocsp-response"


def test_demo_command_is_idempotent(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("signing-demo-pki")
    call_command("signing-demo-pki")
    out = capsys.readouterr().out
    assert "Hạ tầng khóa công khai mô phỏng" in out
    assert "Không có chứng thư mới" in out


def test_demo_setup_gives_the_demo_leader_and_unit_working_keys(
    commune: object, draft: bytes, tmp_path: Path
) -> None:
    from chinhquyenso.accounts.models import Role
    from chinhquyenso.accounts.services import official_create
    from chinhquyenso.conftest import PASSWORD
    from chinhquyenso.signing.demo import signing_demo_setup
    from chinhquyenso.signing.softhsm import softhsm_available

    leader = official_create(
        full_name="Nguyễn Văn Hùng",
        unit=commune,  # type: ignore[arg-type]
        roles=[Role.UNIT_LEADER],
        email="chutich.thanhvinh@demo.example",
        password=PASSWORD,
        job_title="Chủ tịch UBND phường",
        by=None,
    )
    clerk = official_create(
        full_name="Đặng Thị Mai",
        unit=commune,  # type: ignore[arg-type]
        roles=[Role.CLERK],
        email="vanthu.thanhvinh@demo.example",
        password=PASSWORD,
        by=None,
    )

    first = signing_demo_setup()
    again = signing_demo_setup()

    assert len(first.credentials) == 2 and again.credentials == []
    person = SigningCredential.objects.get(official=leader)
    organisation = SigningCredential.objects.get(unit=commune)
    assert organisation.kind == ("pkcs11" if softhsm_available() else "pkcs12")
    signed = services.sign_pdf(
        pdf=draft,
        signer=person,
        by=leader,
        appearance=VisibleSignature.person(page=2, box=SIGNATURE_BOX),
    )
    sealed = services.sign_pdf(
        pdf=signed, signer=organisation, by=clerk, appearance=VisibleSignature.seal()
    )
    assert_pdfsig_all_valid(sealed, tmp_path, 2)
