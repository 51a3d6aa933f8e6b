"""API v1 of dossiers: scopes and units on every endpoint, submission in the kiosk's format,
validation, double submission, filters, the officials' actions and the files."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chinhquyenso.api.models import ApiScope
from chinhquyenso.core.clock import clock_at
from chinhquyenso.core.models import AuditEntry
from chinhquyenso.dossiers.models import Channel, Dossier, Status
from chinhquyenso.dossiers.services import dossier_accept, dossier_attach_result, dossier_forward
from chinhquyenso.dossiers.tests.conftest import at, build_version, pdf_file, png_file
from chinhquyenso.dossiers.tests.interfaces.conftest import (
    URL,
    assert_error,
    bearer,
    fields_of,
    multipart,
    submission,
)

pytestmark = pytest.mark.django_db


def text_file(name="ghi-chu.pdf"):
    return SimpleUploadedFile(name, b"khong phai PDF", content_type="application/pdf")


def post_json(client, path, payload, key):
    return client.post(path, json.dumps(payload), "application/json", **bearer(key))


def codes(response):
    assert response.status_code == 200, response.content
    return sorted(item["code"] for item in response.json()["items"])


@pytest.fixture
def received(register, counter_officer):
    """A counter dossier accepted at the ward on Monday 02/11/2026: now at the department."""
    dossier = register("02/11/2026 08:00")
    with clock_at(at("02/11/2026 08:30")):
        return dossier_accept(dossier=dossier, by=counter_officer)


# --- who may call what ------------------------------------------------------------------------


def test_every_endpoint_needs_a_key_and_its_scope(
    client, make_api_client, received, version, commune
):
    code = received.code
    reads = [f"{URL}", f"{URL}{code}", f"{URL}{code}/result", f"{URL}{code}/files/1"]
    for path in reads:
        assert_error(client.get(path), 401, "not_authenticated")
    assert_error(client.post(URL, {}), 401, "not_authenticated")
    assert_error(client.post(f"{URL}{code}/actions/accept", {}), 401, "not_authenticated")

    _, writer = make_api_client(scopes=[ApiScope.DOSSIERS_WRITE])
    for path in reads:
        error = assert_error(client.get(path, **bearer(writer)), 403, "forbidden")
        assert "dossiers:read" in error["message"]
    error = assert_error(
        post_json(client, f"{URL}{code}/actions/accept", {"official": "x"}, writer),
        403,
        "forbidden",
    )
    assert "dossiers:process" in error["message"]
    _, reader = make_api_client(scopes=[ApiScope.DOSSIERS_READ, ApiScope.FEEDBACK_WRITE])
    error = assert_error(post_json(client, URL, submission(), reader), 403, "forbidden")
    assert "dossiers:write" in error["message"]
    assert Dossier.objects.count() == 1


def test_a_key_of_another_unit_sees_nothing_of_this_one(
    client, make_api_client, received, other_commune, counter_officer
):
    _, elsewhere = make_api_client(units=[other_commune])
    code = received.code
    assert codes(client.get(URL, **bearer(elsewhere))) == []
    # Another unit's dossier is "not found", never "forbidden": its existence does not leak.
    for path in (f"{URL}{code}", f"{URL}{code}/result", f"{URL}{code}/files/1"):
        assert_error(client.get(path, **bearer(elsewhere)), 404, "not_found")
    action = post_json(
        client, f"{URL}{code}/actions/accept", {"official": counter_officer.email}, elsewhere
    )
    assert_error(action, 404, "not_found")
    # Nor can it submit at a unit outside its own.
    error = assert_error(
        client.post(URL, multipart(submission(), don=pdf_file()), **bearer(elsewhere)),
        400,
        "validation_error",
    )
    assert fields_of(error) == {"receiving_unit"}
    assert Dossier.objects.count() == 1


def test_the_ward_and_the_province_see_the_dossier(
    client, make_api_client, received, commune, department, province
):
    for units in ([commune], [department], [province], []):
        _, key = make_api_client(units=units)
        assert codes(client.get(URL, **bearer(key))) == [received.code]
        assert client.get(f"{URL}{received.code}", **bearer(key)).status_code == 200


# --- submission -------------------------------------------------------------------------------


def test_kiosk_submits_a_dossier_with_its_files(client, make_api_client, version, commune):
    _, key = make_api_client(units=[commune])
    scan = pdf_file("don-de-nghi.pdf")
    response = client.post(
        URL,
        multipart(submission(), don=scan, **{"ban-ve": png_file("ban-ve.png")}),
        **bearer(key),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"].startswith("000.00.01.H40-")
    assert body["status_code"] == Status.NEW == 1
    assert body["status"] == "Mới đăng ký"
    assert body["channel"] == Channel.ONLINE == 2
    assert body["procedure"]["code"] == "1.009994.000.00.00.H40"
    assert body["receiving_unit"]["agency_code"] == "000.00.01.H40"
    assert body["handling_unit"]["name"] == "Sở Xây dựng"
    assert body["applicant"]["id_number"] == "040090001234"
    assert body["form_data"]["ho_ten_tre"] == "Nguyễn Minh Khang"
    assert body["submitted_at"].endswith("+07:00")
    assert [h["action"] for h in body["history"]] == ["submit"]
    files = {f["component"]: f for f in body["files"]}
    assert files["don"]["content_type"] == "application/pdf"
    assert files["ban-ve"]["content_type"] == "image/png"
    download = client.get(files["don"]["url"], **bearer(key))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == scan.open("rb").read()
    # The audit log names the client system as the channel of the write.
    entry = AuditEntry.objects.filter(action="dossier.submit").get()
    assert entry.source.startswith("api Cổng dịch vụ công thử")


def test_a_counter_dossier_may_come_as_plain_json(client, make_api_client, version, commune):
    _, key = make_api_client()
    response = post_json(client, URL, submission(channel=1), key)
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == 1
    assert response.json()["files"] == []


def test_resending_the_same_submission_key_gives_one_dossier(
    client, make_api_client, version, commune
):
    _, key = make_api_client()
    _, other_system = make_api_client()
    payload = submission(submission_key="dvcqg-2026-000123")
    first = client.post(URL, multipart(payload, don=pdf_file()), **bearer(key))
    assert first.status_code == 201, first.content
    again = client.post(URL, multipart(payload, don=pdf_file()), **bearer(key))
    assert again.status_code == 200, again.content
    assert again.json()["code"] == first.json()["code"]
    assert again.json()["submission_key"] == "dvcqg-2026-000123"
    assert Dossier.objects.count() == 1
    # Keys belong to one system: another one sending the same key makes its own dossier.
    theirs = client.post(URL, multipart(payload, don=pdf_file()), **bearer(other_system))
    assert theirs.status_code == 201
    assert theirs.json()["code"] != first.json()["code"]
    assert Dossier.objects.count() == 2


def test_schema_failure_gives_400_with_a_detail_per_field(
    client, make_api_client, version, commune
):
    _, key = make_api_client()
    bad = submission(channel=7, applicant={"phone": "0912345678"}, extra="?")
    error = assert_error(
        client.post(URL, multipart(bad, don=pdf_file()), **bearer(key)), 400, "validation_error"
    )
    assert fields_of(error) == {"channel", "applicant.name", "extra"}
    messages = {d["field"]: d["message"] for d in error["details"]}
    assert messages["applicant.name"] == "Trường này là bắt buộc."
    assert messages["extra"] == "Trường này không được phép."
    # Not JSON at all, or no JSON part.
    not_json = client.post(URL, {"dossier": "{khong phai json"}, **bearer(key))
    assert_error(not_json, 400, "validation_error")
    error = assert_error(client.post(URL, {"x": "1"}, **bearer(key)), 400, "validation_error")
    assert fields_of(error) == {"dossier"}
    assert Dossier.objects.count() == 0


def test_the_e_form_and_the_applicant_are_checked_by_the_service(
    client, make_api_client, version, commune
):
    _, key = make_api_client()
    bad_form = submission(form_data={"ho_ten_tre": "K"})
    error = assert_error(
        client.post(URL, multipart(bad_form, don=pdf_file()), **bearer(key)),
        400,
        "validation_error",
    )
    assert fields_of(error) == {"form_data.ho_ten_tre", "form_data.ngay_sinh"}
    bad_id = submission(applicant={"name": "Lê Văn Tám", "id_number": "12345"})
    error = assert_error(
        client.post(URL, multipart(bad_id, don=pdf_file()), **bearer(key)),
        400,
        "validation_error",
    )
    assert error["details"] == [
        {"field": "applicant.id_number", "message": "Số định danh cá nhân gồm đúng 12 chữ số."}
    ]
    unknown = submission(procedure="9.999999")
    error = assert_error(post_json(client, URL, unknown, key), 400, "validation_error")
    assert fields_of(error) == {"procedure"}
    assert Dossier.objects.count() == 0


def test_files_are_checked_by_their_content(client, make_api_client, version, commune):
    _, key = make_api_client()
    error = assert_error(
        client.post(URL, multipart(submission(), don=text_file()), **bearer(key)),
        400,
        "validation_error",
    )
    assert fields_of(error) == {"component.don"}
    assert "ghi-chu.pdf" in error["message"]
    # A component the procedure does not have, or a part that is not a component.
    error = assert_error(
        client.post(URL, multipart(submission(), don=pdf_file(), khac=pdf_file()), **bearer(key)),
        400,
        "validation_error",
    )
    assert fields_of(error) == {"component.khac"}
    stray = {**multipart(submission(), don=pdf_file()), "tep": pdf_file()}
    error = assert_error(client.post(URL, stray, **bearer(key)), 400, "validation_error")
    assert fields_of(error) == {"tep"}
    # Online, every required component must come with the dossier.
    error = assert_error(
        client.post(URL, multipart(submission(), **{"ban-ve": pdf_file()}), **bearer(key)),
        400,
        "validation_error",
    )
    assert fields_of(error) == {"component.don"}
    assert Dossier.objects.count() == 0


# --- reading ----------------------------------------------------------------------------------


@pytest.fixture
def several(register, counter_officer, charlie):
    """Four counter dossiers at the ward: two accepted (one late), one new, one online."""
    late = register("02/11/2026 08:00", applicant_info=_person("Trần Thị Đào"))
    on_time = register("20/11/2026 08:00", applicant_info=_person("Nguyễn Văn Hùng"))
    new = register("25/11/2026 09:00", applicant_info=_person("Phạm Thị Lụa"))
    online = register(
        "26/11/2026 10:00", channel=Channel.ONLINE, applicant_info=_person("Đặng Văn Ánh")
    )
    with clock_at(at("02/11/2026 08:30")):
        dossier_accept(dossier=late, by=counter_officer)
    with clock_at(at("20/11/2026 08:30")):
        dossier_accept(dossier=on_time, by=counter_officer)
    return {"late": late, "on_time": on_time, "new": new, "online": online}


def _person(name):
    from chinhquyenso.dossiers.services import ApplicantInput

    return ApplicantInput(name=name, id_number="040090001234")


def test_filters(client, make_api_client, several, version, other_commune):
    _, key = make_api_client()
    code = {name: d.code for name, d in several.items()}

    def listed(**params):
        return codes(client.get(URL, params, **bearer(key)))

    assert len(listed()) == 4
    assert listed(status=2) == sorted([code["late"], code["on_time"]])
    assert listed(status=1) == sorted([code["new"], code["online"]])
    assert listed(channel=2) == [code["online"]]
    assert len(listed(procedure=version.procedure.code)) == 4
    assert listed(procedure="1.000000") == []
    # Received, handled or held by the unit: the department handles them all.
    assert len(listed(unit="000.00.05.H40")) == 4  # by its agency ID
    assert len(listed(unit="16681")) == 4
    assert listed(unit="17329") == []
    assert listed(received_from="2026-11-10") == [code["on_time"]]
    assert listed(received_to="2026-11-10") == [code["late"]]
    assert listed(due_before="2026-11-20") == [code["late"]]
    assert listed(late="true") == [code["late"]]
    assert code["late"] not in listed(late="false")
    # Diacritic-insensitive, in the applicant's name or the code.
    assert listed(q="tran thi dao") == [code["late"]]
    assert listed(q="ĐẶNG") == [code["online"]]
    assert listed(q=code["new"]) == [code["new"]]
    page = client.get(URL, {"limit": 1, "offset": 1}, **bearer(key)).json()
    assert page["count"] == 4 and len(page["items"]) == 1
    error = assert_error(client.get(URL, {"status": 11}, **bearer(key)), 400, "validation_error")
    assert fields_of(error) == {"status"}
    item = client.get(URL, {"q": "dao"}, **bearer(key)).json()["items"][0]
    assert item["status_code"] == 2 and item["is_late"] is True
    assert item["appointment_at"] == "2026-11-09T17:00:00+07:00"
    assert item["fee"] == {
        "amount": 150000,
        "due": 150000,
        "exempt_reason": "",
        "paid_at": None,
        "paid_online": False,
        "payment_reference": "",
    }


def test_list_queries_do_not_grow_with_the_rows(client, make_api_client, several, register):
    _, key = make_api_client()
    client.get(URL, **bearer(key))  # the first call records the key's use
    with CaptureQueriesContext(connection) as four:
        assert len(codes(client.get(URL, **bearer(key)))) == 4
    for n in range(5):
        register(f"2{n}/11/2026 14:00")
    with CaptureQueriesContext(connection) as nine:
        assert len(codes(client.get(URL, **bearer(key)))) == 9
    assert len(nine) == len(four)


def test_detail_has_the_history_and_the_hand_overs(
    client, make_api_client, received, dept_specialist
):
    with clock_at(at("03/11/2026 09:00")):
        dossier_forward(dossier=received, by=dept_specialist, note="Đủ điều kiện")
    _, key = make_api_client()
    body = client.get(f"{URL}{received.code.lower()}", **bearer(key)).json()
    assert body["status_code"] == 4 and body["status"] == "Đang xử lý"
    assert body["appointment_at"] == "2026-11-09T17:00:00+07:00"
    assert body["current_unit"]["name"] == "Sở Xây dựng"
    assert body["current_step"]["name"] == "Phê duyệt"
    assert [h["action"] for h in body["history"]] == ["register", "accept", "forward"]
    assert body["history"][2]["actor"] == "Võ Văn Sơn"
    steps = [(h["step"]["name"], h["unit"]["name"], h["on_time"]) for h in body["handovers"]]
    assert steps == [
        ("Tiếp nhận hồ sơ", "Phường Thành Vinh", True),
        ("Thẩm định", "Sở Xây dựng", True),
        ("Phê duyệt", "Sở Xây dựng", None),
    ]
    assert body["result_url"] is None
    assert body["submission_key"] is None


# --- actions ----------------------------------------------------------------------------------


def test_officials_act_through_the_api(
    client,
    make_api_client,
    register,
    commune,
    department,
    counter_officer,
    dept_specialist,
    dept_leader,
    bob,
):
    dossier = register()
    _, key = make_api_client(units=[commune, department])
    path = f"{URL}{dossier.code}/actions/"

    def act(action, data=None, **files):
        if files:
            return client.post(path + action, {**(data or {}), **files}, **bearer(key))
        return post_json(client, path + action, data or {}, key)

    error = assert_error(act("accept", {"official": bob.email}), 400, "validation_error")
    assert fields_of(error) == {"official"}
    error = assert_error(act("accept", {}), 400, "validation_error")
    assert fields_of(error) == {"official"}
    # The department's specialist is not the ward's counter.
    error = assert_error(
        act("accept", {"official": dept_specialist.email}), 400, "validation_error"
    )
    assert "không có quyền" in error["message"]
    accepted = act("accept", {"official": counter_officer.email})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status_code"] == 2
    assert accepted.json()["current_unit"]["name"] == "Sở Xây dựng"
    error = assert_error(
        act("accept", {"official": counter_officer.email}), 400, "validation_error"
    )
    assert "Đã tiếp nhận" in error["message"]
    assert_error(act("fly", {"official": counter_officer.email}), 404, "not_found")

    forwarded = act("forward", {"official": dept_specialist.email, "assignee": dept_leader.email})
    assert forwarded.status_code == 200, forwarded.content
    assert forwarded.json()["current_step"]["name"] == "Phê duyệt"
    # A result must be a PDF, checked by content; then the leader finishes.
    error = assert_error(
        act("attach_result", {"official": dept_leader.email}, result_file=png_file()),
        400,
        "validation_error",
    )
    assert fields_of(error) == {"result_file"}
    result = pdf_file("giay-phep.pdf")
    attached = act("attach_result", {"official": dept_leader.email}, result_file=result)
    assert attached.status_code == 200, attached.content
    assert attached.json()["result_url"] == f"{URL}{dossier.code}/result"
    finished = act("forward", {"official": dept_leader.email})
    assert finished.json()["status_code"] == 9
    returned = act("return_result", {"official": counter_officer.email})
    assert returned.json()["status_code"] == 10
    download = client.get(f"{URL}{dossier.code}/result", **bearer(key))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == result.open("rb").read()


def test_request_documents_and_apologise_through_the_api(
    client, make_api_client, received, department, province, dept_specialist, leader
):
    _, key = make_api_client(units=[province])
    path = f"{URL}{received.code}/actions/"
    error = assert_error(
        post_json(client, path + "request_documents", {"official": dept_specialist.email}, key),
        400,
        "validation_error",
    )
    assert fields_of(error) == {"items"}
    items = [{"name": "Bản vẽ mặt bằng", "reason": "Thiếu chữ ký"}, {"name": "Sổ đỏ"}]
    with clock_at(at("03/11/2026 08:00")):
        asked = post_json(
            client,
            path + "request_documents",
            {"official": dept_specialist.email, "items": items, "note": "Bổ sung một lần"},
            key,
        )
    assert asked.status_code == 200, asked.content
    body = asked.json()
    assert body["status_code"] == 5
    assert body["paused_since"] == "2026-11-03T08:00:00+07:00"
    assert [i["name"] for i in body["document_requests"][0]["items"]] == [
        "Bản vẽ mặt bằng",
        "Sổ đỏ",
    ]
    error = assert_error(
        post_json(
            client,
            path + "apologise",
            {"official": leader.email, "reason": "Chờ ý kiến", "new_due_at": "hôm qua"},
            key,
        ),
        400,
        "validation_error",
    )
    assert fields_of(error) == {"new_due_at"}
    with clock_at(at("04/11/2026 08:00")):
        apologised = post_json(
            client,
            path + "apologise",
            {
                "official": leader.email,
                "reason": "Chờ ý kiến của cơ quan phối hợp",
                "new_due_at": "2026-11-20T17:00:00+07:00",
            },
            key,
        )
    assert apologised.status_code == 200, apologised.content
    body = apologised.json()
    assert body["is_late"] is True
    assert body["apologies"][0]["new_appointment_at"] == "2026-11-20T17:00:00+07:00"
    assert body["appointment_at"] == "2026-11-20T17:00:00+07:00"


def test_the_result_is_404_until_attached(client, make_api_client, received, dept_specialist):
    _, key = make_api_client()
    assert_error(client.get(f"{URL}{received.code}/result", **bearer(key)), 404, "not_found")
    with clock_at(at("03/11/2026 09:00")):
        dossier_attach_result(dossier=received, by=dept_specialist, upload=pdf_file())
    assert client.get(f"{URL}{received.code}/result", **bearer(key)).status_code == 200
    assert_error(client.get(f"{URL}{received.code}/files/999999", **bearer(key)), 404, "not_found")


def test_the_endpoints_and_their_errors_are_documented(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    create = paths["/api/v1/dossiers/"]["post"]
    assert {"200", "201", "400", "401", "403", "404"} <= set(create["responses"])
    body = create["requestBody"]["content"]
    assert "dossier" in body["multipart/form-data"]["schema"]["properties"]
    assert "component.<mã thành phần>" in body["multipart/form-data"]["schema"]["properties"]
    assert body["application/json"]["schema"]["properties"]["applicant"]["required"] == ["name"]
    for path in (
        "/api/v1/dossiers/{code}",
        "/api/v1/dossiers/{code}/actions/{action}",
        "/api/v1/dossiers/{code}/result",
        "/api/v1/dossiers/{code}/files/{file_id}",
    ):
        for operation in paths[path].values():
            assert {"400", "401", "403", "404"} <= set(operation["responses"]), path
    listing = paths["/api/v1/dossiers/"]["get"]
    assert {"status", "channel", "late", "q", "due_before"} <= {
        p["name"] for p in listing["parameters"]
    }


def test_a_leader_only_procedure_finishes_straight_from_receipt(
    client, make_api_client, register, commune, counter_officer, commune_leader
):
    # A certification: received at the counter, signed by the leader, returned; no specialist.
    version = build_version(code="2.000815", handling_unit=None, processing_days=1)
    version.steps.filter(name="Thẩm định").delete()
    dossier = register(version=version)
    _, key = make_api_client(units=[commune])
    path = f"{URL}{dossier.code}/actions/"
    accepted = post_json(client, path + "accept", {"official": counter_officer.email}, key)
    assert accepted.json()["status_code"] == 2
    assert accepted.json()["current_step"]["name"] == "Phê duyệt"
    leader = {"official": commune_leader.email}
    attached = client.post(
        path + "attach_result", {**leader, "result_file": pdf_file()}, **bearer(key)
    )
    assert attached.status_code == 200, attached.content
    finished = post_json(client, path + "forward", leader, key)
    assert finished.status_code == 200, finished.content
    assert finished.json()["status_code"] == 9
