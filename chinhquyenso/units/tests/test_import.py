import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from chinhquyenso.core.models import AuditEntry
from chinhquyenso.units.importing import read_unit_file, units_import
from chinhquyenso.units.models import COMMUNE_LEVEL_KINDS, Unit, UnitKind
from chinhquyenso.units.selectors import commune_level_units

pytestmark = pytest.mark.django_db

GOOD_CSV = """code,name,kind,short_name,agency_code,parent_code,valid_from
40-SNV,Sở Nội vụ,department,SNV,000.00.02.H40,,
40-SNV-CCVT,Chi cục Văn thư - Lưu trữ,other,,,40-SNV,2025-03-01
16681,Phường Thành Vinh,ward,UBND,,,01/07/2025
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_import(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import-units", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts():
    return Unit.objects.count(), AuditEntry.objects.count()


def test_csv_import_builds_the_tree(province, tmp_path):
    out, _ = run_import(write(tmp_path, "units.csv", GOOD_CSV), "--parent-code", "40")
    assert "Đã nhập: 3 đơn vị mới, 0 cập nhật, 0 không đổi." in out
    office = Unit.objects.get(code="40-SNV-CCVT")  # fresh objects: treebeard caches parents
    assert office.get_parent().code == "40-SNV"
    assert office.valid_from.isoformat() == "2025-03-01"
    ward = Unit.objects.get(code="16681")
    assert ward.get_parent() == province
    assert ward.kind == UnitKind.WARD
    assert ward.valid_from.isoformat() == "2025-07-01"
    assert Unit.objects.get(code="40-SNV").agency_code == "000.00.02.H40"


def test_bad_rows_are_reported_by_line_and_nothing_is_written(province, tmp_path):
    text = (
        "code,name,kind,parent_code,valid_from\n"  # line 1
        "16681,Phường Thành Vinh,ward,40,\n"  # 2: fine
        "16690,,ward,40,\n"  # 3: no name
        "16702,Phường Vinh Phú,hamlet,40,\n"  # 4: unknown kind
        "16681,Phường Thành Vinh,ward,40,\n"  # 5: duplicate code
        "16708,Phường Vinh Lộc,ward,99,\n"  # 6: unknown parent
        "16732,Phường Cửa Lò,ward,40,31/02/2025\n"  # 7: impossible date
    )
    before = counts()
    with pytest.raises(CommandError, match="Tệp có 5 lỗi; chưa ghi gì"):
        run_import(write(tmp_path, "bad.csv", text))
    assert counts() == before
    with pytest.raises(ValidationError) as excinfo:
        units_import(rows=read_unit_file(tmp_path / "bad.csv"), by=None)
    assert excinfo.value.messages == [
        "Dòng 3: thiếu tên đơn vị (cột name).",
        "Dòng 4: loại đơn vị “hamlet” không hợp lệ (dùng một trong: "
        + ", ".join(UnitKind.values)
        + ").",
        "Dòng 5: mã đơn vị 16681 trùng với dòng 2.",
        "Dòng 6: không có đơn vị cấp trên mã 99 (trong tệp hay trong hệ thống).",
        "Dòng 7: ngày hiệu lực “31/02/2025” không đúng dạng YYYY-MM-DD hoặc DD/MM/YYYY.",
    ]
    assert counts() == before


def test_command_prints_each_bad_row_in_vietnamese(tmp_path, db):
    path = write(tmp_path, "bad.csv", "code,name,kind\n,Xã Không Mã,commune\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import-units", str(path), stderr=err)
    assert "Dòng 2: thiếu mã đơn vị (cột code)." in err.getvalue()
    assert (
        "Dòng 2: thiếu mã đơn vị cấp trên (cột parent_code hoặc --parent-code)." in err.getvalue()
    )


def test_json_rows_are_reported_by_the_line_their_object_starts_on(province, tmp_path):
    document = {
        "source": "test",
        "note": 'a note mentioning "units": [ in passing',
        "units": [
            {"code": "16681", "name": "Phường Thành Vinh", "kind": "ward", "parent_code": "40"},
            {"code": "16690", "name": "Phường Trường Vinh", "kind": "Phường", "parent_code": "4"},
        ],
    }
    path = write(tmp_path, "bad.json", json.dumps(document, ensure_ascii=False, indent=2))
    lines = path.read_text(encoding="utf-8").splitlines()
    second_row_line = [i for i, line in enumerate(lines, 1) if line.strip() == "{"][-1]
    with pytest.raises(ValidationError) as excinfo:
        units_import(rows=read_unit_file(path), by=None)
    assert excinfo.value.messages == [
        f"Dòng {second_row_line}: không có đơn vị cấp trên mã 4 (trong tệp hay trong hệ thống)."
    ]
    assert not Unit.objects.filter(code="16681").exists()


def test_unreadable_files_get_a_clear_message(tmp_path, db):
    with pytest.raises(ValidationError, match="Tệp JSON không đọc được \\(dòng 1"):
        read_unit_file(write(tmp_path, "broken.json", '{"units": [}'))
    with pytest.raises(ValidationError, match=r"Chỉ nhập được tệp \.json hoặc \.csv"):
        read_unit_file(write(tmp_path, "units.xlsx", ""))
    with pytest.raises(ValidationError, match="Không tìm thấy tệp"):
        read_unit_file(tmp_path / "missing.csv")
    with pytest.raises(ValidationError, match="thiếu cột kind; cột không biết: loai"):
        read_unit_file(write(tmp_path, "units.csv", "code,name,loai\n1,A,commune\n"))
    with pytest.raises(ValidationError, match="Dòng 1: cột không biết: division_type"):
        read_unit_file(write(tmp_path, "units.json", '[{"code": "1", "division_type": "xã"}]'))


def test_reimport_is_idempotent_and_updates_in_place(province, tmp_path):
    path = write(tmp_path, "units.csv", GOOD_CSV)
    run_import(path, "--parent-code", "40")
    before = counts()
    out, _ = run_import(path, "--parent-code", "40")
    assert "Đã nhập: 0 đơn vị mới, 0 cập nhật, 3 không đổi." in out
    assert counts() == before

    changed = GOOD_CSV.replace("Sở Nội vụ,department,SNV", "Sở Nội vụ tỉnh,department,SNV")
    out, _ = run_import(write(tmp_path, "units.csv", changed), "--parent-code", "40")
    assert "Đã nhập: 0 đơn vị mới, 1 cập nhật, 2 không đổi." in out
    assert Unit.objects.count() == before[0]
    assert AuditEntry.objects.count() == before[1] + 1
    assert Unit.objects.get(code="40-SNV").name == "Sở Nội vụ tỉnh"


def test_reimport_moves_a_unit_to_its_new_parent(province, commune, other_commune, tmp_path):
    path = write(
        tmp_path, "move.csv", "code,name,kind,parent_code\n16681,Phường Thành Vinh,ward,17329\n"
    )
    out, _ = run_import(path)
    assert "1 cập nhật" in out
    assert Unit.objects.get(code="16681").get_parent() == other_commune
    # Without a parent code the unit stays where it is.
    run_import(write(tmp_path, "stay.csv", "code,name,kind\n16681,Phường Thành Vinh,ward\n"))
    assert Unit.objects.get(code="16681").get_parent() == other_commune


def test_empty_optional_cells_keep_stored_values(commune, tmp_path):
    path = write(tmp_path, "u.csv", "code,name,kind,agency_code\n16681,Phường Thành Vinh,ward,\n")
    run_import(path)
    commune.refresh_from_db()
    assert commune.agency_code == "000.00.01.H40"


def test_dry_run_reports_but_writes_nothing(province, tmp_path):
    before = counts()
    out, _ = run_import(write(tmp_path, "units.csv", GOOD_CSV), "--parent-code", "40", "--dry-run")
    assert "Chạy thử, chưa ghi gì: 3 đơn vị sẽ thêm mới, 0 sẽ cập nhật, 0 không đổi." in out
    assert counts() == before


def test_unknown_parent_code_option_is_reported(tmp_path, db):
    with pytest.raises(ValidationError, match="Không có đơn vị cấp trên mã 77 \\(tham số"):
        units_import(
            rows=read_unit_file(write(tmp_path, "u.csv", GOOD_CSV)), parent_code="77", by=None
        )


def test_children_may_come_before_their_parent_and_cycles_are_caught(province, tmp_path):
    text = (
        "code,name,kind,parent_code\nC,Phòng C,other,B\nB,Phòng B,other,A\nA,Sở A,department,40\n"
    )
    run_import(write(tmp_path, "order.csv", text))
    assert Unit.objects.get(code="C").get_parent().get_parent().code == "A"
    cycle = "code,name,kind,parent_code\nX,Phòng X,other,Y\nY,Phòng Y,other,X\n"
    with pytest.raises(ValidationError, match="vòng lặp: X → Y → X"):
        units_import(rows=read_unit_file(write(tmp_path, "cycle.csv", cycle)), by=None)


def test_semicolon_csv_with_bom_from_a_spreadsheet(province, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "\ufeffcode;name;kind;parent_code\n16681;Phường Thành Vinh;Phường;40\n".encode()
    )
    run_import(path)
    assert Unit.objects.get(code="16681").kind == UnitKind.WARD


def test_shipped_nghe_an_lists_give_130_communes_and_the_agencies(db):
    from chinhquyenso.core.demo import AGENCIES_FILE, COMMUNES_FILE

    run_import(COMMUNES_FILE)
    run_import(AGENCIES_FILE)
    province = Unit.objects.get(code="40")
    communes = commune_level_units(province)
    assert communes.count() == 130
    assert communes.filter(kind=UnitKind.WARD).count() == 11
    assert Unit.objects.filter(kind__in=COMMUNE_LEVEL_KINDS).count() == 130
    agencies = Unit.objects.filter(code__startswith="40-")
    assert agencies.count() == 17
    assert all(a.get_parent() == province and a.agency_code.endswith(".H40") for a in agencies)
    assert Unit.objects.get(short_name="SGDĐT").name == "Sở Giáo dục và Đào tạo"
