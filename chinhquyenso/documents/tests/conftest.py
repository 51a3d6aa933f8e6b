"""The documents cast, on top of the standard one: the ward's clerk and chairman, the other
commune's clerk, a PDF with text, and documents sent through the platform.

The ward (``commune``) keeps the incoming register; ``alice`` is its specialist. Documents sent
to it through the platform are made as the outgoing side's issuing leaves them: an issued
outgoing document of the sender, its signed PDF, and a delivery "arrived" at the recipient.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from weasyprint import HTML

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import official_create
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.core import clock
from chinhquyenso.documents.doctypes import load_document_types
from chinhquyenso.documents.models import (
    Delivery,
    DeliveryStatus,
    Direction,
    Document,
    DocumentFile,
    DocumentType,
    Status,
)
from chinhquyenso.documents.services import document_file_add, document_search_text
from chinhquyenso.units.models import Unit
from chinhquyenso.units.services import unit_update

PLAN_TEXT = "Kế hoạch tổ chức Tết Trung thu năm 2026 cho thiếu nhi trên địa bàn phường"

_PDF_HTML = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
body {{ font-family: "Liberation Serif", serif; font-size: 13pt; }}
</style></head><body><p><b>{agency}</b></p><p>{text}</p>
<p>Đề nghị các đơn vị phối hợp thực hiện đúng thời hạn.</p></body></html>"""


def make_pdf(text: str = PLAN_TEXT, agency: str = "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH") -> bytes:
    return bytes(HTML(string=_PDF_HTML.format(agency=agency, text=text)).write_pdf())


@pytest.fixture(scope="session")
def plan_pdf() -> bytes:
    """A one-page PDF whose text says :data:`PLAN_TEXT`."""
    return make_pdf()


def upload(data: bytes, name: str = "ke-hoach.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def doc_type(code: str) -> DocumentType:
    return DocumentType.objects.get(code=code)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def local(text: str) -> dt.datetime:
    """``"27/11/2026 09:00"`` as an aware local time."""
    return timezone.make_aware(dt.datetime.strptime(text, "%d/%m/%Y %H:%M"))


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def _official(unit: Unit, email: str, name: str, role: str, job: str = "") -> User:
    return official_create(
        full_name=name,
        unit=unit,
        roles=[role],
        email=email,
        password=PASSWORD,
        job_title=job,
        by=None,
    )


@pytest.fixture
def clerk(commune: Unit) -> User:
    """The ward's clerk (văn thư), who keeps its registers."""
    return _official(commune, "vanthu@example.vn", "Đặng Thị Mai", Role.CLERK, "Văn thư")


@pytest.fixture
def chairman(commune: Unit) -> User:
    """The ward's chairman, who assigns incoming documents."""
    return _official(commune, "chutich@example.vn", "Nguyễn Văn Hùng", Role.UNIT_LEADER, "Chủ tịch")


@pytest.fixture
def colleague(commune: Unit) -> User:
    """Another specialist of the ward."""
    return _official(commune, "congchuc@example.vn", "Võ Thị Lan", Role.SPECIALIST, "Công chức")


@pytest.fixture
def other_clerk(other_commune: Unit) -> User:
    return _official(other_commune, "vanthu.anhson@example.vn", "Hồ Văn Sơn", Role.CLERK)


@pytest.fixture
def sender(other_commune: Unit) -> Unit:
    """The other commune, with the abbreviation its notations use."""
    return unit_update(unit=other_commune, short_name="UBND", by=None)


Register = Callable[..., Document]


@pytest.fixture
def register_incoming(clerk: User, commune: Unit, plan_pdf: bytes) -> Register:
    """Register a paper document at the ward through the service (its scan is ``plan_pdf``)."""
    from chinhquyenso.documents.services import incoming_register

    def make(**kwargs: Any) -> Document:
        kwargs.setdefault("unit", commune)
        kwargs.setdefault("by", clerk)
        kwargs.setdefault("document_type", doc_type("ke-hoach"))
        kwargs.setdefault("number", 152)
        kwargs.setdefault("notation", "KH-SVHTTDL")
        kwargs.setdefault("issued_on", dt.date(2026, 11, 20))
        kwargs.setdefault("sender_name", "Sở Văn hóa, Thể thao và Du lịch")
        kwargs.setdefault("subject", "Tổ chức Tết Trung thu năm 2026 cho thiếu nhi")
        if "file" not in kwargs:
            kwargs["file"] = upload(plan_pdf)
        return incoming_register(**kwargs)

    return make


def send_through_platform(
    *, sender: Unit, recipient: Unit, pdf: bytes, by: User | None = None, **fields: Any
) -> Delivery:
    """An issued outgoing document of *sender* delivered to *recipient* (status 01 arrived),
    as the outgoing side's issuing leaves it."""
    now = clock.now()
    values: dict[str, Any] = {
        "document_type": doc_type("cong-van"),
        "number": 45,
        "notation": "UBND-VP",
        "year": 2026,
        "issued_on": dt.date(2026, 11, 25),
        "subject": "Đề nghị phối hợp kiểm tra an toàn thực phẩm dịp cuối năm",
        "signer_name": "Trần Văn Bình",
        "signer_title": "Chủ tịch",
    }
    values.update(fields)
    document = Document(
        unit=sender,
        direction=Direction.OUTGOING,
        status=Status.ISSUED,
        created_at=now,
        **values,
    )
    document.search_text = document_search_text(document)
    document.save()
    document_file_add(
        document=document,
        kind=DocumentFile.Kind.ISSUED,
        data=pdf,
        original_name="cong-van-45.pdf",
        by=by,
        at=now,
    )
    delivery = Delivery.objects.create(
        document=document,
        recipient_unit=recipient,
        status=DeliveryStatus.ARRIVED,
        sent_at=now,
        updated_at=now,
    )
    return delivery


@pytest.fixture(scope="session")
def letter_pdf() -> bytes:
    return make_pdf(
        "Đề nghị phối hợp kiểm tra an toàn thực phẩm tại các chợ dịp cuối năm.",
        agency="ỦY BAN NHÂN DÂN XÃ ANH SƠN",
    )


@pytest.fixture
def arrived(sender: Unit, commune: Unit, letter_pdf: bytes) -> Delivery:
    """A công văn of the other commune, sent to the ward through the platform."""
    return send_through_platform(sender=sender, recipient=commune, pdf=letter_pdf)


@pytest.fixture(autouse=True)
def document_types(request: pytest.FixtureRequest) -> None:
    """The types table as migration 0002 loads it: tests that empty the tables after them
    (``transaction=True``) take it away from the tests that follow."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    if not DocumentType.objects.exists():
        load_document_types(DocumentType)
