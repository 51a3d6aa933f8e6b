"""The incoming pages as officials use them: queues, registration (with its errors beside the
fields), documents arrived through the platform, one document with its actions, the follow-up
list; and who may open what."""

from __future__ import annotations

import datetime as dt

import pytest

from chinhquyenso.accounts.models import User
from chinhquyenso.core.clock import clock_at
from chinhquyenso.documents import services
from chinhquyenso.documents.models import Delivery, DeliveryStatus, Document, Secrecy, Status
from chinhquyenso.documents.tests.conftest import (
    Register,
    client_for,
    doc_type,
    local,
    upload,
)
from chinhquyenso.signing.tests.test_signing import encrypted_pdf

pytestmark = pytest.mark.django_db

QUEUE = "/can-bo/van-ban/den/"
REGISTER = "/can-bo/van-ban/den/vao-so/"


def text(response) -> str:
    return response.content.decode()


def detail(document: Document) -> str:
    return f"/can-bo/van-ban/den/{document.pk}/"


def act(document: Document, action: str) -> str:
    return f"{detail(document)}thao-tac/{action}/"


def registration(plan_pdf: bytes, **overrides) -> dict:
    data = {
        "document_type": doc_type("ke-hoach").pk,
        "reference": "152/KH-SVHTTDL",
        "issued_on": "2026-11-20",
        "sender_name": "Sở Văn hóa, Thể thao và Du lịch",
        "subject": "Tổ chức Tết Trung thu năm 2026 cho thiếu nhi",
        "urgency": "urgent",
        "secrecy": "none",
        "due_on": "",
        "file": upload(plan_pdf),
    }
    data.update(overrides)
    return data


def test_each_role_lands_on_its_queue(
    clerk: User, chairman: User, alice: User, arrived: Delivery
) -> None:
    page = client_for(clerk).get(QUEUE)
    assert "Văn bản gửi đến qua hệ thống" in text(page)
    assert "45/UBND-VP" in text(page)
    assert "Vào sổ văn bản đến" in text(page)  # the clerk's link
    assert "<h1>Chờ phân công</h1>" in text(client_for(chairman).get(QUEUE))
    specialist = text(client_for(alice).get(QUEUE))
    assert "<h1>Được giao cho tôi</h1>" in specialist
    assert "Gửi đến qua hệ thống" not in specialist and "Vào sổ văn bản đến" not in specialist


def test_the_clerk_registers_a_document_through_the_form(clerk: User, plan_pdf: bytes) -> None:
    response = client_for(clerk).post(REGISTER, registration(plan_pdf), follow=True)
    document = Document.objects.get()
    assert response.redirect_chain[-1][0] == detail(document)
    page = text(response)
    assert "Đã vào sổ văn bản đến, số đến 1." in page
    assert "Văn bản đến số 1" in page and "152/KH-SVHTTDL" in page
    assert "Khẩn" in page  # the urgency mark
    assert "Tệp không có chữ ký số" in page
    assert document.number == 152 and document.notation == "KH-SVHTTDL"


def test_registration_errors_are_shown_beside_the_fields(clerk: User, plan_pdf: bytes) -> None:
    client = client_for(clerk)
    response = client.post(REGISTER, registration(plan_pdf, subject="", file=""))
    assert response.status_code == 400
    assert "Cần nhập trích yếu nội dung." in text(response)
    response = client.post(REGISTER, registration(plan_pdf, file=""))
    assert response.status_code == 400
    assert "Cần tải lên bản PDF" in text(response)
    response = client.post(
        REGISTER, registration(plan_pdf, file=upload(encrypted_pdf(plan_pdf), "mat-khau.pdf"))
    )
    assert response.status_code == 400
    assert 'id="id_file_error"' in text(response) and "mã hóa" in text(response)
    assert not Document.objects.exists()


def test_only_clerks_open_the_registration_form(alice: User, chairman: User, charlie: User) -> None:
    for user in (alice, chairman, charlie):
        assert client_for(user).get(REGISTER).status_code == 404
    assert client_for(None).get(REGISTER).status_code == 302


def test_an_arrival_is_read_then_registered(
    clerk: User, arrived: Delivery, letter_pdf: bytes
) -> None:
    client = client_for(clerk)
    page = client.get(f"/can-bo/van-ban/den/da-den/{arrived.pk}/")
    assert "Đề nghị phối hợp kiểm tra an toàn thực phẩm" in text(page)
    source = arrived.document.files.get()
    preview = client.get(f"/can-bo/van-ban/den/da-den/{arrived.pk}/tep/{source.pk}/")
    assert b"".join(preview.streaming_content) == letter_pdf
    response = client.post(f"/can-bo/van-ban/den/da-den/{arrived.pk}/vao-so/", follow=True)
    assert "Nơi gửi đã được báo “Đã tiếp nhận”" in text(response)
    assert "Trạng thái nơi gửi nhìn thấy" in text(response)
    arrived.refresh_from_db()
    assert arrived.status == DeliveryStatus.ACCEPTED
    # Gone from the queue; its page is no longer there.
    assert client.get(f"/can-bo/van-ban/den/da-den/{arrived.pk}/").status_code == 404


def test_an_arrival_is_refused_with_a_reason(clerk: User, arrived: Delivery) -> None:
    client = client_for(clerk)
    url = f"/can-bo/van-ban/den/da-den/{arrived.pk}/tu-choi/"
    missing = client.post(url, {"tu-choi-reason": ""})
    assert missing.status_code == 400 and "Cần nêu lý do." in text(missing)
    done = client.post(url, {"tu-choi-reason": "Gửi nhầm đơn vị."}, follow=True)
    assert "Đã từ chối nhận văn bản" in text(done)
    arrived.refresh_from_db()
    assert arrived.status == DeliveryStatus.REJECTED


def test_others_do_not_see_the_arrival(
    arrived: Delivery, alice: User, other_clerk: User, bob: User
) -> None:
    for user in (alice, other_clerk, bob):
        assert client_for(user).get(f"/can-bo/van-ban/den/da-den/{arrived.pk}/").status_code == 404
        assert (
            client_for(user).post(f"/can-bo/van-ban/den/da-den/{arrived.pk}/vao-so/").status_code
            == 404
        )


def test_the_leader_assigns_and_the_handler_finishes_on_the_page(
    register_incoming: Register, chairman: User, alice: User, colleague: User, plan_pdf: bytes
) -> None:
    document = register_incoming()
    leader_page = text(client_for(chairman).get(detail(document)))
    assert "Phân công xử lý" in leader_page and 'name="assign-lead"' in leader_page
    assert 'name="assign-lead"' not in text(client_for(alice).get(detail(document)))
    response = client_for(chairman).post(
        act(document, "assign"),
        {
            "assign-lead": f"user-{alice.pk}",
            "assign-cooperating": [f"user-{colleague.pk}"],
            "assign-due_on": (dt.date.today() + dt.timedelta(days=7)).isoformat(),
            "assign-note": "Tham mưu trả lời trước hạn.",
        },
        follow=True,
    )
    assert "Đã phân công xử lý văn bản." in text(response)
    assert "Chủ trì: Nguyễn Thị An." in text(response)
    handler = client_for(alice)
    assert "Tổ chức Tết Trung thu" in text(handler.get("/can-bo/van-ban/den/hang-doi/duoc-giao/"))
    response = handler.post(
        act(document, "attach_result"),
        {"attach_result-note": "Đã tổ chức cho 300 em.", "attach_result-file": upload(plan_pdf)},
        follow=True,
    )
    assert "Đã lưu kết quả xử lý." in text(response)
    response = handler.post(act(document, "complete"), {"complete-note": ""}, follow=True)
    assert "Đã hoàn thành xử lý văn bản." in text(response)
    assert Document.objects.get(pk=document.pk).status == Status.COMPLETED


def test_a_refused_action_shows_its_error_beside_the_form(
    register_incoming: Register, chairman: User
) -> None:
    document = register_incoming()
    response = client_for(chairman).post(
        act(document, "assign"), {"assign-lead": "", "assign-due_on": "2000-01-01"}
    )
    assert response.status_code == 400
    assert "Chưa thực hiện được “Phân công xử lý”." in text(response)
    assert "Xin chọn người chủ trì." in text(response)
    response = client_for(chairman).post(
        act(document, "complete"), {"complete-note": "Xong"}, follow=True
    )
    assert "không thực hiện được" in text(response)


def test_pages_answer_not_found_outside_ones_reach(
    register_incoming: Register, bob: User, charlie: User, alice: User, chairman: User
) -> None:
    document = register_incoming()
    secret = register_incoming(secrecy=Secrecy.SECRET, file=None)
    scan = document.files.get()
    for user in (bob, charlie):
        assert client_for(user).get(detail(document)).status_code == 404
        assert client_for(user).get(f"/can-bo/van-ban/tep/{scan.pk}/").status_code == 404
        assert client_for(user).post(act(document, "assign"), {}).status_code == 404
    assert client_for(alice).get(detail(secret)).status_code == 404
    assert client_for(chairman).get(detail(secret)).status_code == 200
    assert client_for(alice).get(f"/can-bo/van-ban/tep/{scan.pk}/").status_code == 200
    assert client_for(None).get(detail(document)).status_code == 302
    assert client_for(alice).get("/can-bo/van-ban/den/hang-doi/khong-co/").status_code == 404


def test_the_queue_searches_without_diacritics(register_incoming: Register, chairman: User) -> None:
    register_incoming()
    register_incoming(subject="Báo cáo tình hình sốt xuất huyết", sender_name="Sở Y tế", number=9)
    page = text(client_for(chairman).get("/can-bo/van-ban/den/hang-doi/tat-ca/", {"q": "sot xuat"}))
    assert "sốt xuất huyết" in page and "Tết Trung thu" not in page
    page = text(
        client_for(chairman).get(
            "/can-bo/van-ban/den/hang-doi/tat-ca/", {"so_ky_hieu": "152/KH-SVHTTDL"}
        )
    )
    assert "Tết Trung thu" in page and "sốt xuất huyết" not in page


def test_the_follow_up_page_lists_late_and_soon_due(
    register_incoming: Register, chairman: User, alice: User
) -> None:
    with clock_at(local("02/11/2026 08:00")):
        late_one = register_incoming(issued_on=dt.date(2026, 10, 30), subject="Báo cáo quý IV")
        services.incoming_assign(
            document=late_one, by=chairman, lead=alice, due_on=dt.date(2026, 11, 10)
        )
    page = text(client_for(alice).get("/can-bo/van-ban/theo-doi/"))
    assert "Quá hạn: 1 văn bản" in page and "Báo cáo quý IV" in page
    assert "quá hạn" in page
    mine = text(client_for(alice).get("/can-bo/van-ban/theo-doi/?cua-toi=1"))
    assert "Báo cáo quý IV" in mine
