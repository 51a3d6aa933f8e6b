"""Registers printed with the ten columns of Decree 30's Appendix IV, as PDF and XLSX, and the
registers page: who may print which register."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from chinhquyenso.accounts.models import User
from chinhquyenso.core import clock
from chinhquyenso.core.clock import clock_at
from chinhquyenso.documents import services
from chinhquyenso.documents.models import Direction, Document, Register, Status
from chinhquyenso.documents.numbering import notation_for, take_number
from chinhquyenso.documents.registers_print import (
    INCOMING_COLUMNS,
    OUTGOING_COLUMNS,
    printed_register,
    register_pdf,
    register_xlsx,
)
from chinhquyenso.documents.services import register_for
from chinhquyenso.documents.tests.conftest import Register as RegisterIncoming
from chinhquyenso.documents.tests.conftest import client_for, doc_type, local
from chinhquyenso.documents.textextract import pdf_text
from chinhquyenso.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def incoming_register(register_incoming: RegisterIncoming, chairman: User, alice: User) -> Register:
    with clock_at(local("20/11/2026 08:00")):
        first = register_incoming(issued_on=dt.date(2026, 11, 18))
        services.incoming_assign(document=first, by=chairman, lead=alice)
        register_incoming(
            number=7, notation="TB-UBND", sender_name="UBND tỉnh", issued_on=dt.date(2026, 11, 19)
        )
    assert first.register is not None
    return first.register


def test_the_incoming_register_has_the_ten_columns_and_a_row_per_arrival(
    incoming_register: Register, alice: User
) -> None:
    printed = printed_register(incoming_register, 2026)
    assert len(printed.columns) == len(INCOMING_COLUMNS) == 10
    assert printed.columns[:3] == ("Ngày đến", "Số đến", "Tác giả")
    assert printed.columns[-1] == "Ghi chú"
    first, second = printed.rows
    assert first == (
        "20/11/2026",
        "01",
        "Sở Văn hóa, Thể thao và Du lịch",
        "152/KH-SVHTTDL",
        "18/11/2026",
        "Kế hoạch: Tổ chức Tết Trung thu năm 2026 cho thiếu nhi",
        alice.full_name,
        "20/11/2026",
        "",
        "",
    )
    assert second[1] == "02" and second[3] == "07/TB-UBND"
    # Registered on paper by the clerk: no note on how it came, and the page says so.
    document = Document.objects.get(register=incoming_register, arrival_number=1)
    shown = client_for(alice).get(f"/can-bo/van-ban/den/{document.pk}/").content.decode()
    assert "Vào sổ tại đơn vị" in shown and "trục liên thông" not in shown
    assert (printed.first, printed.last) == ("01", "02")
    assert printed_register(incoming_register, 2025).rows == []


def test_the_outgoing_register_lists_numbered_documents(commune: Unit, clerk: User) -> None:
    register = register_for(commune, Direction.OUTGOING)
    decision = doc_type("quyet-dinh")
    for subject in ("Thành lập Ban chỉ đạo chuyển đổi số", "Phê duyệt kế hoạch năm 2027"):
        number = take_number(register, 2026)
        Document.objects.create(
            unit=commune,
            direction=Direction.OUTGOING,
            status=Status.ISSUED,
            register=register,
            document_type=decision,
            number=number,
            notation=notation_for(decision, commune),
            year=2026,
            issued_on=dt.date(2026, 11, 26),
            subject=subject,
            signer_name="Nguyễn Văn Hùng",
            drafted_by=clerk,
            drafting_unit_abbreviation="VP",
            created_at=clock.now(),
        )
    printed = printed_register(register, 2026)
    assert len(printed.columns) == len(OUTGOING_COLUMNS) == 10
    assert printed.columns[0] == "Số, ký hiệu văn bản" and printed.columns[3] == "Người ký"
    assert [row[0] for row in printed.rows] == ["01/QĐ-UBND", "02/QĐ-UBND"]
    assert printed.rows[0][2] == "Quyết định: Thành lập Ban chỉ đạo chuyển đổi số"
    assert printed.rows[0][5] == f"VP {clerk.full_name}"


def test_pdf_and_xlsx_hold_the_register(incoming_register: Register) -> None:
    pdf = register_pdf(incoming_register, 2026)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text
    assert "Từ số 01 đến số 02" in text
    # Narrow columns wrap their text over lines.
    joined = text.replace(" ", "")
    assert "152/KH-SVHTTDL" in joined and "Tênloạivàtríchyếunộidungvănbản" in joined
    book = load_workbook(io.BytesIO(register_xlsx(incoming_register, 2026)))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:2] == ("Ngày đến", "Số đến")
    assert rows[3][0] == "(1)" and rows[3][9] == "(10)"
    assert [r[1] for r in rows[4:]] == ["01", "02"]


def test_the_registers_page_and_downloads(
    incoming_register: Register, clerk: User, chairman: User, leader: User
) -> None:
    for user in (clerk, chairman, leader):
        page = client_for(user).get("/can-bo/van-ban/so/")
        assert page.status_code == 200
        assert "Sổ đăng ký văn bản đến" in page.content.decode()
        assert "Năm 2026: đến số 2" in page.content.decode()
    base = f"/can-bo/van-ban/so/{incoming_register.pk}/2026"
    pdf = client_for(clerk).get(f"{base}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(b"%PDF")
    xlsx = client_for(clerk).get(f"{base}.xlsx")
    assert xlsx.status_code == 200
    assert "attachment" in xlsx["Content-Disposition"] and ".xlsx" in xlsx["Content-Disposition"]
    assert client_for(clerk).get(f"{base}.doc").status_code == 404


def test_others_cannot_print_the_register(
    incoming_register: Register, alice: User, bob: User, other_clerk: User, charlie: User
) -> None:
    url = f"/can-bo/van-ban/so/{incoming_register.pk}/2026.pdf"
    for user in (alice, bob, other_clerk, charlie):
        assert client_for(user).get(url).status_code == 404
        listing = client_for(user).get("/can-bo/van-ban/so/")
        assert incoming_register.unit.name not in listing.content.decode()
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and "/dang-nhap/" in anonymous["Location"]
