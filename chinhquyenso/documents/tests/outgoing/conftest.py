"""The outgoing documents cast: the commune issues, the other commune receives.

Reuses the signing app's test PKI and keys (``signing/tests/conftest.py``): the commune's
chairman (the competent person, with a personal certificate and signature image) and its clerk
(with the commune's organisation certificate and seal). A specialist (alice) drafts. The other
commune gets a clerk, a chairman and keys of its own for the journey back.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from django.core.files.base import ContentFile
from weasyprint import HTML

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import official_create
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.documents import outgoing
from chinhquyenso.documents.models import Document, DocumentFile, DocumentType
from chinhquyenso.documents.selectors import current_file
from chinhquyenso.signing import services as signing
from chinhquyenso.signing.images import draw_demo_seal, draw_demo_signature, png_bytes
from chinhquyenso.signing.models import SigningCredential
from chinhquyenso.signing.pki import DemoPki
from chinhquyenso.signing.tests.conftest import (
    assert_pdfsig_all_valid,
    clerk,
    commune_key,
    commune_seal,
    mayor,
    mayor_key,
    pki,
    signing_settings,
)
from chinhquyenso.units.models import Unit
from chinhquyenso.units.services import unit_update

__all__ = [
    "assert_pdfsig_all_valid",
    "clerk",
    "commune_key",
    "commune_seal",
    "mayor",
    "mayor_key",
    "pki",
    "signing_settings",
]

OTHER_AGENCY_CODE = "000.00.02.H40"


def decision_html(*, placeholders: bool = True, subject: str = "Về việc thử nghiệm") -> str:
    """A one-page decision laid out as Decree 30 lays it out, with or without placeholders."""
    number = "[[SO_KY_HIEU]]" if placeholders else "&nbsp;"
    date = "[[NGAY_BAN_HANH]]" if placeholders else "&nbsp;"
    signature = "[[CHU_KY]]" if placeholders else "&nbsp;"
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 20mm 15mm 20mm 30mm; }}
body {{ font-family: "Liberation Serif", serif; font-size: 13pt; }}
table {{ width: 100%; }} td {{ text-align: center; vertical-align: top; width: 50%; }}
.right {{ text-align: right; }} .centre {{ text-align: center; }} .gap {{ height: 10mm; }}
</style></head><body>
<table><tr><td><b>ỦY BAN NHÂN DÂN<br>PHƯỜNG THÀNH VINH</b></td>
<td><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b>Độc lập - Tự do - Hạnh phúc</b></td></tr>
<tr><td>{number}</td><td><i>{date}</i></td></tr></table>
<p class="centre"><b>QUYẾT ĐỊNH</b><br><b>{escape(subject)}</b></p>
<p>Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;</p>
<p>Điều 1. Nội dung thử nghiệm ký số và phát hành văn bản điện tử.</p>
<p>Điều 2. Quyết định có hiệu lực kể từ ngày ký.</p>
<table><tr><td></td><td><b>TM. ỦY BAN NHÂN DÂN<br>CHỦ TỊCH</b>
<div class="gap"></div>{signature}<div class="gap"></div><b>Nguyễn Văn Hùng</b></td></tr></table>
</body></html>"""


def decision_pdf(**kwargs: Any) -> bytes:
    return HTML(string=decision_html(**kwargs)).write_pdf()


def _run(text: str, *, bold: bool = False) -> str:
    props = '<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman"/><w:sz w:val="26"/>'
    if bold:
        props += "<w:b/>"
    return f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _paragraph(text: str, *, align: str = "left", bold: bool = False) -> str:
    return f'<w:p><w:pPr><w:jc w:val="{align}"/></w:pPr>{_run(text, bold=bold)}</w:p>'


def docx_bytes(paragraphs: list[tuple[str, str, bool]]) -> bytes:
    """A minimal Word document: (text, alignment, bold) per paragraph, A4, Times New Roman."""
    body = "".join(_paragraph(text, align=align, bold=bold) for text, align, bold in paragraphs)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}"
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" '
        'w:bottom="1134" w:left="1701" w:header="0" w:footer="0" w:gutter="0"/></w:sectPr>'
        "</w:body></w:document>"
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
    return out.getvalue()


def reply_docx(subject: str = "V/v trả lời về việc thử nghiệm") -> bytes:
    return docx_bytes(
        [
            ("ỦY BAN NHÂN DÂN XÃ ANH SƠN", "left", True),
            ("[[SO_KY_HIEU]]", "left", False),
            ("[[NGAY_BAN_HANH]]", "right", False),
            (subject, "left", False),
            ("Kính gửi: Ủy ban nhân dân phường Thành Vinh.", "center", False),
            ("Ủy ban nhân dân xã Anh Sơn đã nhận được văn bản và trả lời như sau.", "both", False),
            ("TM. ỦY BAN NHÂN DÂN", "right", True),
            ("CHỦ TỊCH", "right", True),
            ("", "right", False),
            ("", "right", False),
            ("[[CHU_KY]]", "right", False),
            ("", "right", False),
            ("", "right", False),
            ("Phạm Văn Sơn", "right", True),
        ]
    )


def upload(data: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


@pytest.fixture
def decision_type(db: None) -> DocumentType:
    return DocumentType.objects.get(code="quyet-dinh")


@pytest.fixture
def letter_type(db: None) -> DocumentType:
    return DocumentType.objects.get(code="cong-van")


@pytest.fixture
def other_unit(other_commune: Unit) -> Unit:
    """The other commune, with the abbreviation and agency ID exchange needs."""
    return unit_update(
        unit=other_commune, by=None, short_name="UBND", agency_code=OTHER_AGENCY_CODE
    )


@pytest.fixture
def other_clerk(other_unit: Unit) -> User:
    return official_create(
        full_name="Hồ Thị Lan",
        unit=other_unit,
        roles=[Role.CLERK],
        email="vanthu.anhson@example.vn",
        password=PASSWORD,
        by=None,
    )


@pytest.fixture
def other_chair(other_unit: Unit) -> User:
    return official_create(
        full_name="Phạm Văn Sơn",
        unit=other_unit,
        roles=[Role.UNIT_LEADER],
        email="chutich.anhson@example.vn",
        password=PASSWORD,
        job_title="Chủ tịch",
        by=None,
    )


@pytest.fixture
def other_chair_key(pki: DemoPki, other_chair: User) -> SigningCredential:
    pki.issue("chu-tich-anh-son", common_name=other_chair.full_name, organisation="Xã Anh Sơn")
    credential = signing.credential_register_pkcs12(
        official=other_chair,
        pkcs12_data=pki.pkcs12_path("chu-tich-anh-son").read_bytes(),
        passphrase=pki.passphrase(),
        secret_ref=f"file:{pki.passphrase_path}",
        by=None,
    )
    image = ContentFile(png_bytes(draw_demo_signature(other_chair.full_name)), name="ck.png")
    signing.signature_image_upload(official=other_chair, file=image, by=other_chair)
    return credential


@pytest.fixture
def other_unit_key(pki: DemoPki, other_unit: Unit) -> SigningCredential:
    image = ContentFile(png_bytes(draw_demo_seal("UBND")), name="dau.png")
    signing.seal_image_upload(unit=other_unit, file=image, diameter_mm=Decimal("36"), by=None)
    pki.issue(
        "ubnd-anh-son",
        common_name="Ủy ban nhân dân xã Anh Sơn",
        organisation="Tỉnh Nghệ An",
        organisation_certificate=True,
    )
    return signing.credential_register_pkcs12(
        unit=other_unit,
        pkcs12_data=pki.pkcs12_path("ubnd-anh-son").read_bytes(),
        passphrase=pki.passphrase(),
        secret_ref=f"file:{pki.passphrase_path}",
        by=None,
    )


@pytest.fixture
def issuing(
    alice: User,
    mayor: User,
    clerk: User,
    mayor_key: SigningCredential,
    commune_key: SigningCredential,
    other_unit: Unit,
) -> dict[str, Any]:
    """Everyone the commune needs to issue a document to the other commune."""
    return {
        "drafter": alice,
        "signer": mayor,
        "clerk": clerk,
        "signer_key": mayor_key,
        "unit_key": commune_key,
        "recipient": other_unit,
    }


def draft(
    issuing: dict[str, Any],
    document_type: DocumentType,
    *,
    data: bytes | None = None,
    name: str = "quyet-dinh.pdf",
    **kwargs: Any,
) -> Document:
    arguments: dict[str, Any] = {
        "subject": "Quyết định về việc thử nghiệm ký số và phát hành văn bản điện tử",
        "recipient_units": [issuing["recipient"]],
        **kwargs,
    }
    return outgoing.outgoing_create(
        unit=issuing["drafter"].unit,
        by=issuing["drafter"],
        document_type=document_type,
        signer=issuing["signer"],
        upload=upload(decision_pdf() if data is None else data, name),
        **arguments,
    )


def approved(issuing: dict[str, Any], document: Document) -> DocumentFile:
    outgoing.outgoing_submit(document=document, by=issuing["drafter"])
    version = current_file(document)
    assert version is not None
    return outgoing.outgoing_approve(document=document, version=version, by=issuing["signer"])


def signed(issuing: dict[str, Any], document: Document, version: DocumentFile) -> DocumentFile:
    from chinhquyenso.signing.appearance import VisibleSignature

    return outgoing.outgoing_sign(
        document=document,
        version=version,
        by=issuing["signer"],
        appearance=VisibleSignature.person(placeholder=outgoing.SIGNATURE_PLACEHOLDER),
    )


def issued(issuing: dict[str, Any], document_type: DocumentType, **kwargs: Any) -> Document:
    """A document taken through the whole chain with the services."""
    document = draft(issuing, document_type, **kwargs)
    signed(issuing, document, approved(issuing, document))
    outgoing.outgoing_give_number(document=document, by=issuing["clerk"])
    return outgoing.outgoing_issue(document=document, by=issuing["clerk"])


def file_bytes(stored: DocumentFile) -> bytes:
    with stored.file.open("rb") as handle:
        return handle.read()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path
