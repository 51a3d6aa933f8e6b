"""Importing procedures: all or nothing, every problem with its line, versions on change."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from chinhquyenso.core.models import AuditEntry
from chinhquyenso.procedures.eforms import ordered_fields, schema_to_form
from chinhquyenso.procedures.models import Component, Fee, Field, Procedure, ProcedureVersion, Step
from chinhquyenso.procedures.selectors import version_in_force
from chinhquyenso.procedures.services import procedures_import

from .conftest import as_json, procedure_item

pytestmark = pytest.mark.django_db

CSV_HEADER = (
    "code,name,field_code,field_name,online_level,unit_kinds,handling_unit,processing_days,"
    "result_type,result_name,legal_basis,fees,components,steps,form_schema\n"
)
CSV_ROW = (
    "2.000815,Chứng thực bản sao từ bản chính,chung-thuc,Chứng thực,partial,commune|ward,,1,"
    "both,Bản sao được chứng thực,Nghị định 23/2015/NĐ-CP|Thông tư 226/2016/TT-BTC,"
    '"Phí chứng thực::2000::Từ trang thứ ba 1.000 đồng/trang",'
    '"ban-chinh::Bản chính giấy tờ::original_for_check::1::có|ban-sao::Bản sao::copy::1::có",'
    '"Tiếp nhận::receiving::one_stop_officer::0.5|Ký::handling::unit_leader::0.5",'
    '"{""type"": ""object"", ""properties"": {""so_ban"": {""type"": ""integer"", '
    '""title"": ""Số bản""}}}"\n'
)


def test_a_good_json_file_creates_fields_procedures_and_first_versions(import_items):
    report = import_items(
        procedure_item(),
        procedure_item("1.000656", name="Đăng ký khai tử"),
        valid_from=dt.date(2026, 1, 1),
    )
    assert report.created == ["1.001193", "1.000656"]
    assert Field.objects.get(code="ho-tich").name == "Hộ tịch"
    version = version_in_force(Procedure.objects.get(code="1.001193"), dt.date(2026, 1, 1))
    assert version is not None
    assert (version.number, version.valid_from, version.valid_to) == (1, dt.date(2026, 1, 1), None)
    assert version.legal_basis == "Luật Hộ tịch số 60/2014/QH13\nNghị định số 123/2015/NĐ-CP"
    assert [c.code for c in version.components.all()] == ["to-khai", "giay-chung-sinh"]
    assert [s.days for s in version.steps.all()] == [0.25, 0.5, 0.25]
    assert version.fees.get().exemption == "Miễn lệ phí"
    assert AuditEntry.objects.filter(action="procedures.procedure_create").count() == 2
    assert AuditEntry.objects.filter(action="procedures.field_create").count() == 1


def test_a_good_csv_file_imports_the_same_shapes(db):
    report = procedures_import(source=(CSV_HEADER + CSV_ROW).encode(), fmt="csv", by=None)
    assert report.ok, report.errors
    version = ProcedureVersion.objects.get(procedure__code="2.000815")
    assert version.unit_kinds == ["commune", "ward"]
    assert version.legal_basis == "Nghị định 23/2015/NĐ-CP\nThông tư 226/2016/TT-BTC"
    assert [(f.name, f.amount) for f in version.fees.all()] == [("Phí chứng thực", 2000)]
    assert [(c.code, c.form, c.is_required) for c in version.components.all()] == [
        ("ban-chinh", "original_for_check", True),
        ("ban-sao", "copy", True),
    ]
    assert [(s.actor, s.role) for s in version.steps.all()] == [
        ("receiving", "one_stop_officer"),
        ("handling", "unit_leader"),
    ]
    assert version.form_schema["properties"]["so_ban"]["title"] == "Số bản"


def test_a_bad_json_file_lists_every_problem_with_its_line_and_writes_nothing(import_items):
    good = procedure_item("1.000894", name="Đăng ký kết hôn")
    bad_steps = procedure_item(
        "1.000656",
        steps=[{"name": "Tiếp nhận", "actor": "receiving", "role": "one_stop_officer", "days": 2}],
    )
    bad_enum = procedure_item("1.004873", online_level="level4", unit_kinds=["xa"])
    bad_schema = procedure_item(
        "2.000635", form_schema={"type": "object", "properties": {"x": {"type": "strin"}}}
    )
    text = as_json(good, bad_steps, bad_enum, bad_schema, {"name": "Không có mã"})
    before = AuditEntry.objects.count()

    report = procedures_import(source=text, fmt="json", by=None)

    assert not report.ok
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if line == "    {"]
    messages = "\n".join(report.errors)
    assert (
        f"Mục 2 (dòng {lines[1]}, mã 1.000656): Tổng thời gian các bước (2 ngày) phải bằng "
        "thời hạn giải quyết (1 ngày làm việc)." in report.errors
    )
    assert (
        f"Mục 3 (dòng {lines[2]}, mã 1.004873): Mức độ trực tuyến “level4” không hợp lệ" in messages
    )
    assert f"Mục 3 (dòng {lines[2]}, mã 1.004873): Cấp tiếp nhận không hợp lệ: xa" in messages
    assert (
        f"Mục 4 (dòng {lines[3]}, mã 2.000635): Biểu mẫu điện tử không phải JSON Schema" in messages
    )
    assert f"Mục 5 (dòng {lines[4]}): thiếu mã thủ tục (code)." in report.errors
    assert "Mục 1" not in messages
    # Nothing was written, not even the good item or its field.
    assert Procedure.objects.count() == Field.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_a_bad_csv_file_reports_rows_by_line(db):
    rows = CSV_ROW + CSV_ROW.replace("2.000815", "2.000884").replace(",1,both", ",một,both")
    rows += '2.000942,Cấp bản sao,chung-thuc,,full,commune,Sở Không Có,1,both,,,,,"Ký::handling",\n'
    report = procedures_import(source=CSV_HEADER + rows, fmt="csv", by=None)
    assert report.errors[0] == (
        "Dòng 3 (mã 2.000884): “thời hạn giải quyết” phải là số nguyên, không phải “một”."
    )
    messages = "\n".join(report.errors)
    assert "Dòng 4 (mã 2.000942): cột steps, mục 1: cần 4 đến 4 phần" in messages
    assert (
        "Dòng 4 (mã 2.000942): không tìm thấy cơ quan giải quyết “Sở Không Có” "
        "(mã định danh, mã hoặc tên)." in messages
    )
    assert Procedure.objects.count() == 0


def test_unreadable_files_are_refused_with_a_clear_message(db):
    assert procedures_import(source="[{", fmt="json", by=None).errors == [
        "Dòng 1, cột 3: JSON không hợp lệ (Expecting property name enclosed in double quotes)."
    ]
    assert procedures_import(source=b"\xff\xfe", fmt="csv", by=None).errors == [
        "Tệp không đọc được: cần mã hóa UTF-8."
    ]
    assert procedures_import(source='{"x": []}', fmt="json", by=None).errors == [
        "Tệp JSON phải là một danh sách thủ tục, hoặc có khóa “procedures”."
    ]
    assert (
        procedures_import(source="code,ten\n", fmt="csv", by=None)
        .errors[0]
        .startswith("Dòng 1 (tiêu đề): thiếu cột name, field_code")
    )
    assert procedures_import(source="[]", fmt="xml", by=None).errors == [
        "Định dạng “xml” không hỗ trợ; dùng json hoặc csv."
    ]


def test_repeated_codes_and_unknown_keys_are_problems(db):
    item = procedure_item(ten="x")
    report = procedures_import(source=as_json(item, procedure_item()), fmt="json", by=None)
    assert any("khóa không biết: ten" in e for e in report.errors)
    assert any("mã 1.001193 đã có ở Mục 1" in e for e in report.errors)


def test_the_handling_unit_is_found_by_agency_code_code_or_name(import_items, department):
    for reference in ("000.00.11.H40", "40-STP", "Sở Tư pháp"):
        report = procedures_import(
            source=as_json(procedure_item(handling_unit=reference)),
            fmt="json",
            by=None,
            dry_run=True,
        )
        assert report.ok, report.errors
    import_items(procedure_item(handling_unit="000.00.11.H40"))
    assert ProcedureVersion.objects.get().handling_unit == department


def test_same_content_again_changes_nothing_and_audits_nothing(import_items):
    import_items(procedure_item(), valid_from=dt.date(2026, 1, 1))
    before = AuditEntry.objects.count()
    report = import_items(procedure_item(), valid_from=dt.date(2026, 6, 1))
    assert report.unchanged == ["1.001193"]
    assert ProcedureVersion.objects.count() == 1
    assert AuditEntry.objects.count() == before


def test_dry_run_reports_what_would_happen_and_writes_nothing(import_items):
    import_items(procedure_item(), valid_from=dt.date(2026, 1, 1))
    report = procedures_import(
        source=as_json(
            procedure_item(
                processing_days=2,
                steps=[
                    {
                        "name": "Tiếp nhận",
                        "actor": "receiving",
                        "role": "one_stop_officer",
                        "days": 2,
                    }
                ],
            ),
            procedure_item("1.000656"),
        ),
        fmt="json",
        by=None,
        dry_run=True,
    )
    assert (report.versioned, report.created, report.dry_run) == (["1.001193"], ["1.000656"], True)
    assert ProcedureVersion.objects.count() == 1


def test_moving_a_procedure_to_another_field_is_not_a_new_version(import_items):
    import_items(procedure_item(), valid_from=dt.date(2026, 1, 1))
    report = import_items(procedure_item(field={"code": "khai-sinh", "name": "Khai sinh"}))
    assert report.updated == ["1.001193"]
    procedure = Procedure.objects.get()
    assert procedure.field.code == "khai-sinh"
    assert procedure.versions.count() == 1


def test_renaming_a_field_is_found_by_the_new_name(import_items):
    import_items(procedure_item())
    import_items(procedure_item(field={"code": "ho-tich", "name": "Tư pháp - Hộ tịch"}))
    assert "tu phap" in Procedure.objects.get().search_text


def test_a_new_field_needs_a_name(db):
    report = procedures_import(
        source=json.dumps([procedure_item(field="moi")]), fmt="json", by=None
    )
    assert report.errors == ["Mục 1 (dòng 1, mã 1.001193): lĩnh vực mới “moi” cần có tên."]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"online_level": "full", "form_schema": {}},
            "Thủ tục nộp trực tuyến cần có biểu mẫu điện tử",
        ),
        ({"fees": [{"name": "Lệ phí", "amount": -5}]}, "Phí, lệ phí 1: mức thu phải là số đồng"),
        (
            {"components": [{"code": "a", "name": "A"}, {"code": "a", "name": "B"}]},
            "Thành phần hồ sơ 2: mã “a” bị trùng.",
        ),
        (
            {"components": [{"code": "a", "name": "A", "form": "scan"}]},
            "hình thức “scan” không hợp lệ",
        ),
        ({"steps": []}, "Cần ít nhất một bước xử lý."),
        (
            {"steps": [{"name": "X", "actor": "receiving", "role": "boss", "days": 1}]},
            "Bước 1: vai trò “boss” không hợp lệ",
        ),
        ({"unit_kinds": []}, "Cần ít nhất một cấp tiếp nhận (unit_kinds)."),
        (
            {"components": [{"code": "a", "name": "A", "template": "khong/co.pdf"}]},
            "không có tệp mẫu “khong/co.pdf” trong kho tệp.",
        ),
    ],
)
def test_content_rules(db, changes, message):
    report = procedures_import(source=as_json(procedure_item(**changes)), fmt="json", by=None)
    assert any(message in error for error in report.errors), report.errors


def test_the_failed_import_leaves_existing_rows_as_they_were(import_items):
    import_items(procedure_item(), valid_from=dt.date(2026, 1, 1))
    changed = procedure_item(name="Đăng ký khai sinh (mới)")
    report = procedures_import(
        source=as_json(changed, procedure_item("x", online_level="?")),
        fmt="json",
        by=None,
        valid_from=dt.date(2026, 6, 1),
    )
    assert not report.ok
    assert ProcedureVersion.objects.count() == 1
    assert ProcedureVersion.objects.get().valid_to is None
    assert Procedure.objects.get().name == "Đăng ký khai sinh"
    assert (Fee.objects.count(), Component.objects.count(), Step.objects.count()) == (1, 2, 3)


def test_the_documented_examples_import(db, settings):
    doc = (settings.BASE_DIR / "docs" / "procedures-import.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(json|)\n(.*?)```", doc, flags=re.S)
    json_example = next(body for kind, body in blocks if kind == "json" and "procedures" in body)
    csv_example = next(body for kind, body in blocks if body.startswith("code,"))
    for source, fmt in ((json_example, "json"), (csv_example, "csv")):
        report = procedures_import(source=source, fmt=fmt, by=None, dry_run=True)
        assert report.ok, report.errors
        assert len(report.created) == 1


def test_the_e_form_keeps_its_field_order_after_storage(import_items):
    # PostgreSQL's jsonb reorders object keys; the written order must survive the round trip.
    item = procedure_item()
    names = ["zeta_ten", "alpha_ngay", "mu_so"]
    item["form_schema"] = {
        "type": "object",
        "properties": {name: {"type": "string", "title": name.upper()} for name in names},
    }
    import_items(item)
    version = ProcedureVersion.objects.get()
    version.refresh_from_db()
    assert list(ordered_fields(version.form_schema)) == names
    assert list(schema_to_form(version.form_schema).fields) == names
