"""The demo catalogue and the import command."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from chinhquyenso.core.demo import DemoResult, _load_units
from chinhquyenso.core.models import AuditEntry
from chinhquyenso.procedures.demo import DEMO_FILE, DEMO_VALID_FROM, procedures_demo_load
from chinhquyenso.procedures.eforms import validate_form_data
from chinhquyenso.procedures.models import OnlineLevel, Procedure, ProcedureVersion
from chinhquyenso.units.models import UnitKind

from .conftest import as_json, procedure_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(db):
    _load_units(DemoResult())


def test_demo_catalogue_loads_once_and_is_realistic(units):
    report = procedures_demo_load()
    assert len(report.created) >= 25
    versions = ProcedureVersion.objects.select_related("handling_unit").prefetch_related(
        "steps", "fees"
    )
    assert {v.valid_from for v in versions} == {DEMO_VALID_FROM}
    levels = {v.online_level for v in versions}
    assert levels == set(OnlineLevel.values)
    # Some full-online procedures with fees (online payment), some handled by a department.
    assert any(v.online_level == OnlineLevel.FULL and v.fee_total > 0 for v in versions)
    departments = [v for v in versions if v.handling_unit is not None]
    assert departments and all(v.handling_unit.kind == UnitKind.DEPARTMENT for v in departments)
    assert any(set(v.unit_kinds) & {"commune", "ward"} for v in departments)
    for version in versions:
        assert sum(s.days for s in version.steps.all()) == Decimal(version.processing_days)
    assert Procedure.objects.filter(code="1.001193", name="Đăng ký khai sinh").exists()

    before = AuditEntry.objects.count()
    again = procedures_demo_load()
    assert again.created == again.versioned == []
    assert AuditEntry.objects.count() == before


def test_demo_e_forms_accept_a_filled_in_birth_registration(units):
    procedures_demo_load()
    schema = ProcedureVersion.objects.get(procedure__code="1.001193").form_schema
    data = {
        "ho_ten_nguoi_yeu_cau": "Trần Thị Dân",
        "so_dinh_danh_nguoi_yeu_cau": "040190000001",
        "dien_thoai": "0900000001",
        "ho_ten_tre": "Nguyễn Minh An",
        "gioi_tinh": "Nam",
        "ngay_sinh": "2026-03-15",
        "noi_sinh": "Bệnh viện Sản Nhi Nghệ An",
        "dan_toc": "Kinh",
        "que_quan": "Phường Thành Vinh, tỉnh Nghệ An",
        "ho_ten_me": "Trần Thị Dân",
        "quan_he": "Mẹ",
        "cam_doan": True,
    }
    assert validate_form_data(schema, data) == {}
    assert validate_form_data(schema, {**data, "so_dinh_danh_nguoi_yeu_cau": "12"}) == {
        "so_dinh_danh_nguoi_yeu_cau": ["Số định danh cá nhân của người yêu cầu gồm đúng 12 chữ số."]
    }


def test_demo_file_names_its_source():
    document = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    assert "dichvucong.gov.vn" in document["source"]
    assert all(item["source"] for item in document["procedures"])


def test_import_command(tmp_path, db):
    good = tmp_path / "thu-tuc.json"
    good.write_text(as_json(procedure_item()), encoding="utf-8")
    out = StringIO()
    call_command("import-procedures", str(good), "--valid-from", "2025-07-01", stdout=out)
    assert "Đã nhập: 1 thủ tục mới" in out.getvalue()
    assert ProcedureVersion.objects.get().valid_from == dt.date(2025, 7, 1)

    bad = tmp_path / "thu-tuc.txt"
    bad.write_text(as_json(procedure_item("2.000884", online_level="?")), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="Tệp có 1 lỗi; chưa ghi gì"):
        call_command("import-procedures", str(bad), "--format", "json", stderr=err)
    assert "Mức độ trực tuyến “?” không hợp lệ" in err.getvalue()
    with pytest.raises(CommandError, match="Không biết định dạng"):
        call_command("import-procedures", str(bad))
    with pytest.raises(CommandError, match="Ngày hiệu lực không hợp lệ"):
        call_command("import-procedures", str(good), "--valid-from", "hôm qua")
    assert Procedure.objects.count() == 1
