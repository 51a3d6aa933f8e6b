"""The signing cast: a demo PKI for the whole run, the commune's chairman and clerk with their
keys, signature image and seal, a two-page draft, and checks with poppler's ``pdfsig``.

The PKI (root, CA, TSA, OCSP responder) is made once per run in a temporary folder; the time-
stamps come from its TSA in-process and revocation data from its CRL and OCSP answers, so
nothing goes to the network. SoftHSM2 keeps the organisation's key for the PKCS#11 tests.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.files.base import ContentFile
from weasyprint import HTML

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import official_create
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.signing import services, softhsm
from chinhquyenso.signing.images import draw_demo_seal, draw_demo_signature, png_bytes
from chinhquyenso.signing.models import SigningCredential
from chinhquyenso.signing.pdf import TextFieldSpec, prepare_fields
from chinhquyenso.signing.pki import DemoPki, ensure_demo_pki
from chinhquyenso.units.models import Unit

BASE_URL = "http://testserver"
#: The signature box the chairman chose on page 2 (between title and name).
SIGNATURE_BOX = (400.0, 592.0, 540.0, 680.0)
DOCUMENT_NUMBER = "15/QĐ-UBND"
ISSUE_DATE = "Thành Vinh, ngày 27 tháng 11 năm 2026"


#: The one test PKI of the process. Other apps' tests import this module's fixtures, which
#: makes pytest register ``pki`` once per importing conftest; all of them must share one PKI,
#: because the PKCS#11 library reads its token folder (and the token's PIN) once per process.
_PROCESS_PKI: list[DemoPki] = []


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    if not _PROCESS_PKI:
        _PROCESS_PKI.append(_make_pki(tmp_path_factory))
    return _PROCESS_PKI[0]


def _make_pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    directory = tmp_path_factory.mktemp("signing-pki")
    # The PKCS#11 library reads this once per process: point it at our token before first use.
    os.environ["SOFTHSM2_CONF"] = str(softhsm.conf_path(DemoPki(directory, BASE_URL)))
    created = ensure_demo_pki(directory, base_url=BASE_URL)
    now = dt.datetime.now(dt.UTC)
    created.issue(
        "expired",
        common_name="Trần Hết Hạn",
        organisation="Phường Thành Vinh",
        not_before=now - dt.timedelta(days=400),
        not_after=now - dt.timedelta(days=30),
    )
    created.issue("revoked", common_name="Lê Bị Thu Hồi", organisation="Phường Thành Vinh")
    created.revoke("revoked", at=now - dt.timedelta(days=1))
    return created


@pytest.fixture(autouse=True)
def signing_settings(settings: Any, pki: DemoPki, tmp_path: Path) -> None:
    settings.SIGNING_PKI_DIR = pki.directory
    settings.SITE_URL = BASE_URL
    settings.SIGNING_TRUST_ROOTS = []
    settings.SIGNING_EXTRA_CERTS = []
    settings.SIGNING_TRUST_DEMO_ROOT = True
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_DEMO_TSA = True
    settings.SIGNING_FETCH_REVOCATION = False
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def mayor(commune: Unit) -> User:
    """The commune's chairman: the competent person who signs."""
    return official_create(
        full_name="Nguyễn Văn Hùng",
        unit=commune,
        roles=[Role.UNIT_LEADER],
        email="chutich@example.vn",
        password=PASSWORD,
        job_title="Chủ tịch",
        by=None,
    )


@pytest.fixture
def clerk(commune: Unit) -> User:
    """The commune's clerk, who signs for the organisation."""
    return official_create(
        full_name="Đặng Thị Mai",
        unit=commune,
        roles=[Role.CLERK],
        email="vanthu@example.vn",
        password=PASSWORD,
        by=None,
    )


def person_credential(pki: DemoPki, official: User, name: str) -> SigningCredential:
    pki.issue(name, common_name=official.full_name, organisation="Phường Thành Vinh")
    return services.credential_register_pkcs12(
        official=official,
        pkcs12_data=pki.pkcs12_path(name).read_bytes(),
        passphrase=pki.passphrase(),
        secret_ref=f"file:{pki.passphrase_path}",
        by=None,
    )


@pytest.fixture
def mayor_key(pki: DemoPki, mayor: User) -> SigningCredential:
    credential = person_credential(pki, mayor, "chu-tich-thanh-vinh")
    image = ContentFile(png_bytes(draw_demo_signature(mayor.full_name)), name="chu-ky.png")
    services.signature_image_upload(official=mayor, file=image, by=mayor)
    return credential


@pytest.fixture
def commune_seal(commune: Unit, clerk: User) -> None:
    image = ContentFile(png_bytes(draw_demo_seal("UBND")), name="dau.png")
    services.seal_image_upload(unit=commune, file=image, diameter_mm=Decimal("36"), by=clerk)


@pytest.fixture
def commune_key(pki: DemoPki, commune: Unit, commune_seal: None) -> SigningCredential:
    """The organisation's key as a PKCS#12 file."""
    pki.issue(
        "ubnd-thanh-vinh",
        common_name="Ủy ban nhân dân phường Thành Vinh",
        organisation="Tỉnh Nghệ An",
        organisation_certificate=True,
    )
    return services.credential_register_pkcs12(
        unit=commune,
        pkcs12_data=pki.pkcs12_path("ubnd-thanh-vinh").read_bytes(),
        passphrase=pki.passphrase(),
        secret_ref=f"file:{pki.passphrase_path}",
        by=None,
    )


@pytest.fixture
def commune_token_key(pki: DemoPki, commune: Unit, commune_seal: None) -> SigningCredential:
    """The organisation's key on the SoftHSM2 token (PKCS#11)."""
    if not softhsm.softhsm_available():
        pytest.skip("SoftHSM2 is not installed (scripts/install-system-deps.sh installs it)")
    issued = pki.issue(
        "ubnd-thanh-vinh-hsm",
        common_name="Ủy ban nhân dân phường Thành Vinh",
        organisation="Tỉnh Nghệ An",
        organisation_certificate=True,
    )
    token = softhsm.load_demo_token(pki, [issued.name])
    return services.credential_register_pkcs11(
        unit=commune,
        certificate_pem=issued.certificate.public_bytes(Encoding.PEM).decode(),
        token_label=token,
        key_label=issued.name,
        secret_ref=f"file:{pki.passphrase_path}",
        by=None,
    )


_DRAFT = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 20mm 20mm 20mm 30mm; }
body { font-family: "Liberation Serif", serif; font-size: 14pt; }
.right { text-align: right; } .centre { text-align: center; } .gap { height: 25mm; }
</style></head><body>
<p class="centre"><b>ỦY BAN NHÂN DÂN PHƯỜNG THÀNH VINH</b></p>
<p class="centre"><b>QUYẾT ĐỊNH</b><br>Về việc thử nghiệm ký số văn bản</p>
<p>Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;</p>
<p style="page-break-after: always">Điều 1. Nội dung thử nghiệm.</p>
<p>Điều 2. Quyết định có hiệu lực kể từ ngày ký.</p>
<p class="right">TM. ỦY BAN NHÂN DÂN<br>CHỦ TỊCH</p>
<p class="right">[[CHU_KY]]</p>
<div class="gap"></div>
<p class="right"><b>Nguyễn Văn Hùng</b></p>
</body></html>"""


@pytest.fixture(scope="session")
def raw_draft() -> bytes:
    """A two-page decision as the documents app would render it (WeasyPrint)."""
    return HTML(string=_DRAFT).write_pdf()


NUMBER_BOX = (85.0, 560.0, 300.0, 580.0)
DATE_BOX = (300.0, 560.0, 565.0, 580.0)


@pytest.fixture(scope="session")
def draft(raw_draft: bytes) -> bytes:
    """The draft with the empty number and date fields the clerk fills after signing."""
    return prepare_fields(
        raw_draft,
        text_fields=[
            TextFieldSpec("so_ky_hieu", 1, NUMBER_BOX),
            TextFieldSpec("ngay_ban_hanh", 1, DATE_BOX),
        ],
    )


# --- independent checks ---------------------------------------------------------------------


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run one of poppler's tools (installed by scripts/install-system-deps.sh)."""
    program = shutil.which(tool)
    if program is None:
        pytest.fail(f"{tool} is missing: run scripts/install-system-deps.sh (poppler-utils)")
    return subprocess.run(  # noqa: S603 - poppler's tools on files we wrote
        [program, *args], capture_output=True, text=True, check=False, timeout=60
    )


def pdfsig(data: bytes, tmp_path: Path) -> str:
    """poppler's report on the signatures of *data*."""
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    return _run("pdfsig", str(path)).stdout


def assert_pdfsig_all_valid(data: bytes, tmp_path: Path, count: int) -> None:
    """poppler finds *count* signatures and every one checks out."""
    report = pdfsig(data, tmp_path)
    assert report.count("Signature Validation: Signature is Valid.") == count, report
    assert "Signature is Invalid" not in report, report


def pdf_text(data: bytes, tmp_path: Path, page: int = 1) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(data)
    return _run("pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-").stdout


def render_page(data: bytes, tmp_path: Path, page: int) -> Any:
    """The page drawn at 72 dpi (1 pixel = 1 point) as a Pillow RGB image."""
    from PIL import Image

    path = tmp_path / "render.pdf"
    path.write_bytes(data)
    out = tmp_path / "page"
    _run(
        "pdftoppm",
        "-r",
        "72",
        "-f",
        str(page),
        "-l",
        str(page),
        "-png",
        "-singlefile",
        str(path),
        str(out),
    )
    return Image.open(f"{out}.png").convert("RGB")


def count_pixels(image: Any, box: tuple[float, float, float, float], colour: str) -> int:
    """Pixels that look blue, red or dark (text) in *box* (PDF points, origin bottom-left)."""
    x1, y1, x2, y2 = box
    height = image.height
    crop = image.crop((int(x1), int(height - y2), int(x2), int(height - y1)))
    matches = {
        "blue": lambda r, g, b: b > 120 and b > r + 50 and b > g + 30,
        "red": lambda r, g, b: r > 150 and r > g + 80 and r > b + 80,
        "dark": lambda r, g, b: max(r, g, b) < 110,
    }[colour]
    return sum(1 for r, g, b in crop.get_flattened_data() if matches(r, g, b))


@pytest.fixture
def upload() -> Iterator[Any]:
    def make(data: bytes, name: str = "van-ban.pdf") -> io.BytesIO:
        handle = io.BytesIO(data)
        handle.name = name
        return handle

    yield make
