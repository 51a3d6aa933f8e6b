"""Administration: only system administrators import; errors listed, nothing imported then."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chinhquyenso.accounts.models import User
from chinhquyenso.core.models import AuditEntry
from chinhquyenso.portal.tests.test_pages import logged_in, text_of
from chinhquyenso.procedures.models import Field, Procedure, ProcedureVersion

from .conftest import as_json, procedure_item

pytestmark = pytest.mark.django_db

IMPORT_URL = "/quan-tri/procedures/procedure/import/"


def upload(content: str, name: str = "thu-tuc.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="application/octet-stream")


def test_system_admin_imports_a_file(sysadmin):
    client = logged_in(sysadmin)
    assert client.get(IMPORT_URL).status_code == 200
    response = client.post(
        IMPORT_URL, {"file": upload(as_json(procedure_item())), "valid_from": "01/07/2025"}
    )
    assert response.status_code == 302
    version = ProcedureVersion.objects.get()
    assert version.valid_from == dt.date(2025, 7, 1)
    entry = AuditEntry.objects.get(action="procedures.procedure_create")
    assert entry.actor == sysadmin
    changelist = client.get(response["Location"])
    assert "Đã nhập: 1 thủ tục mới" in text_of(changelist)
    assert "Nhập từ tệp JSON/CSV" in text_of(changelist)


def test_errors_are_listed_with_lines_and_nothing_is_imported(sysadmin):
    bad = as_json(procedure_item(), procedure_item("2.000884", online_level="level4"))
    response = logged_in(sysadmin).post(IMPORT_URL, {"file": upload(bad)})
    assert response.status_code == 200
    text = text_of(response)
    assert "Tệp có 1 lỗi, chưa ghi gì" in text
    assert "Mục 2 (dòng" in text and "Mức độ trực tuyến “level4” không hợp lệ" in text
    assert Procedure.objects.count() == Field.objects.count() == 0


def test_dry_run_and_wrong_file_types(sysadmin):
    client = logged_in(sysadmin)
    response = client.post(IMPORT_URL, {"file": upload(as_json(procedure_item())), "dry_run": "on"})
    assert "Kiểm tra xong, chưa ghi gì" in text_of(response)
    assert Procedure.objects.count() == 0
    response = client.post(IMPORT_URL, {"file": upload("x", "thu-tuc.xlsx")})
    assert "Chỉ nhập được tệp .json hoặc .csv." in text_of(response)


def test_only_system_admins_may_import(alice, client):
    file = as_json(procedure_item())
    # An official without the admin role does not get into the admin at all.
    assert "/quan-tri/login/" in logged_in(alice).get(IMPORT_URL)["Location"]
    anonymous = client.get(IMPORT_URL)
    assert anonymous.status_code == 302 and "/quan-tri/login/" in anonymous["Location"]
    # Staff status alone (set outside the services, e.g. by hand in the database) is not enough.
    User.objects.filter(pk=alice.pk).update(is_staff=True)
    staff = logged_in(User.objects.get(pk=alice.pk))
    assert staff.get(IMPORT_URL).status_code == 403
    assert staff.post(IMPORT_URL, {"file": upload(file)}).status_code == 403
    assert "Nhập từ tệp" not in staff.get("/quan-tri/procedures/procedure/").content.decode()
    assert Procedure.objects.count() == 0
    # A superuser made on the command line may, like a system administrator.
    root = User.objects.create_superuser(email="root@example.vn", password="x-1234567")
    assert logged_in(root).post(IMPORT_URL, {"file": upload(file)}).status_code == 302
    assert Procedure.objects.count() == 1


def test_versions_are_read_only_and_shown_with_their_contents(sysadmin, import_items):
    import_items(procedure_item())
    client = logged_in(sysadmin)
    version = ProcedureVersion.objects.get()
    page = client.get(f"/quan-tri/procedures/procedureversion/{version.pk}/change/")
    assert page.status_code == 200
    text = text_of(page)
    assert "Tờ khai đăng ký khai sinh" in text and "Lệ phí đăng ký khai sinh" in text
    assert 'name="_save"' not in page.content.decode()
    procedure = Procedure.objects.get()
    page = client.get(f"/quan-tri/procedures/procedure/{procedure.pk}/change/")
    assert page.status_code == 200
    assert client.get("/quan-tri/procedures/procedure/add/").status_code == 403


def test_admin_edits_go_through_the_services(sysadmin, import_items):
    import_items(procedure_item())
    client = logged_in(sysadmin)
    procedure = Procedure.objects.get()
    field = Field.objects.get()
    response = client.post(
        f"/quan-tri/procedures/procedure/{procedure.pk}/change/",
        {
            "field": field.pk,
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    procedure.refresh_from_db()
    assert procedure.is_active is False
    assert AuditEntry.objects.filter(action="procedures.procedure_update").count() == 1
    response = client.post(
        f"/quan-tri/procedures/field/{field.pk}/change/", {"name": "Tư pháp - Hộ tịch"}
    )
    assert response.status_code == 302
    assert "tu phap" in Procedure.objects.get().search_text
    response = client.post("/quan-tri/procedures/field/add/", {"code": "ho-tich", "name": "Trùng"})
    assert "Lĩnh vực mã “ho-tich” đã có." in text_of(response)
    response = client.get("/quan-tri/procedures/procedure/", {"q": "khai sinh"})
    assert "1.001193" in text_of(response)
