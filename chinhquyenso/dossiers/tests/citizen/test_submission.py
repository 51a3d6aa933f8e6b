"""Online submission: choose where, fill the e-form, upload, save a draft, see the appointment
and fee, send once — with every problem shown in Vietnamese beside its field."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chinhquyenso.dossiers import services
from chinhquyenso.dossiers.models import Channel, Dossier, DossierFile, FileKind, Status
from chinhquyenso.dossiers.tests.citizen.conftest import logged_in
from chinhquyenso.dossiers.tests.conftest import build_version, pdf_file, png_file
from chinhquyenso.portal.tests.test_pages import text_of
from chinhquyenso.procedures.models import Component, ComponentForm, OnlineLevel
from chinhquyenso.units.models import UnitKind
from chinhquyenso.units.services import unit_create

pytestmark = pytest.mark.django_db


def start_url(version) -> str:
    return reverse("dossiers:start", kwargs={"code": version.procedure.code})


def draft_url(dossier: Dossier) -> str:
    return reverse("dossiers:draft", kwargs={"pk": dossier.pk})


def key_of(page) -> str:
    match = re.search(r'name="submission_key" value="([^"]+)"', page.content.decode())
    assert match, "the draft page carries a submission key"
    return match[1]


def filled(dossier: Dossier, **overrides) -> dict:
    """The draft page's fields as charlie fills them in."""
    data = {
        "don_vi": str(dossier.receiving_unit_id),
        "applicant_name": "Phạm Thị Chi",
        "applicant_id_number": "040090001234",
        "applicant_phone": "0912345678",
        "applicant_email": "chi@example.vn",
        "applicant_address": "Số 12 đường Lê Lợi",
        "tk-ho_ten_tre": "Nguyễn Minh Khang",
        "tk-ngay_sinh": "02/11/2026",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- who may start -----------------------------------------------------------------------------


def test_anonymous_visitor_is_asked_to_log_in_and_comes_back(client, version) -> None:
    response = client.get(start_url(version))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:login") + "?next=" + start_url(version)
    assert client.get(reverse("dossiers:my_dossiers")).status_code == 302


def test_start_offers_the_units_that_receive_the_procedure(
    as_charlie, version, commune, other_commune
):
    unit_create(
        parent=other_commune.get_parent(),
        kind=UnitKind.COMMUNE,
        name="Xã Đô Lương",
        code="17500",
        agency_code="000.00.09.H40",
        by=None,
    )
    page = as_charlie.get(start_url(version))
    html = page.content.decode()
    assert page.status_code == 200
    # Wards and communes in their own groups; the handling department may receive too.
    assert re.search(r'<optgroup label="Phường">\s*<option value="\d+">Phường Thành Vinh', html)
    assert re.search(r'<optgroup label="Xã">\s*<option value="\d+">Xã Đô Lương', html)
    assert "Sở Xây dựng" in html
    # A commune without an electronic agency ID cannot give a dossier its code.
    assert "Xã Anh Sơn" not in html


def test_choosing_a_unit_opens_a_draft_filled_from_the_account(
    as_charlie, charlie, version, commune
):
    response = as_charlie.post(start_url(version), {"don_vi": str(commune.pk)})
    dossier = Dossier.objects.get(applicant=charlie)
    assert response["Location"] == draft_url(dossier)
    assert (dossier.status, dossier.channel, dossier.code) == (Status.DRAFT, Channel.ONLINE, None)
    page = as_charlie.get(draft_url(dossier))
    html = page.content.decode()
    assert 'value="Phạm Thị Chi"' in html
    assert 'value="0912345678"' in html
    # Back on the start page, the draft is offered again.
    assert "Tiếp tục bản nháp nộp tại Phường Thành Vinh" in text_of(
        as_charlie.get(start_url(version))
    )


def test_a_unit_that_does_not_receive_the_procedure_is_refused(as_charlie, version, province):
    response = as_charlie.post(start_url(version), {"don_vi": str(province.pk)})
    assert response.status_code == 400
    assert "Nơi nộp hồ sơ đã chọn không tiếp nhận thủ tục này." in text_of(response)
    assert not Dossier.objects.exists()


def test_a_procedure_that_is_not_online_has_no_submission_page(as_charlie, department) -> None:
    counter_only = build_version(
        code="1.000001.H40", handling_unit=department, online_level=OnlineLevel.NONE
    )
    assert as_charlie.get(start_url(counter_only)).status_code == 404
    assert as_charlie.get("/dich-vu-cong/thu-tuc/khong-co/nop-ho-so/").status_code == 404


# --- the draft page ----------------------------------------------------------------------------


def test_draft_page_shows_form_documents_appointment_and_fee(as_charlie, open_draft, version):
    Component.objects.filter(version=version, code="don").update(
        template="procedures/templates/mau-don-de-nghi.docx"
    )
    dossier = open_draft(form_data={}, files=False)
    page = as_charlie.get(draft_url(dossier))
    text = text_of(page)
    assert '<a href="/media/procedures/templates/mau-don-de-nghi.docx" download>' in (
        page.content.decode()
    )
    assert "Tải mẫu: Đơn đề nghị" in text
    assert page.status_code == 200
    assert "Họ, chữ đệm, tên của trẻ (bắt buộc)" in text
    assert "Ngày sinh (bắt buộc)" in text
    assert "Đơn đề nghị (bắt buộc) Bản chính · 1 bản" in text
    assert "Bản vẽ thiết kế (nếu có)" in text
    expected = services.appointment_preview(version)
    assert f"Ngày hẹn trả kết quả dự kiến {expected:%d/%m/%Y}" in text
    assert "150.000 đồng" in text and "Nộp trực tuyến ngay sau khi gửi hồ sơ." in text
    assert 'enctype="multipart/form-data"' in page.content.decode()


def test_saving_keeps_an_incomplete_draft_as_typed(as_charlie, open_draft):
    dossier = open_draft(form_data={}, files=False)
    response = as_charlie.post(
        draft_url(dossier),
        filled(dossier, **{"tk-ho_ten_tre": "Khang", "tk-ngay_sinh": "31/02/2026"}, action="save"),
    )
    assert response.status_code == 302 and response["Location"] == draft_url(dossier)
    dossier.refresh_from_db()
    assert dossier.status == Status.DRAFT
    assert dossier.form_data == {"ho_ten_tre": "Khang", "ngay_sinh": "31/02/2026"}
    assert dossier.applicant_id_number == "040090001234"
    page = as_charlie.get(draft_url(dossier))
    html = page.content.decode()
    assert "Đã lưu bản nháp." in html
    assert 'value="31/02/2026"' in html
    assert "field__error" not in html  # saving does not complain about what is unfinished


def test_sending_shows_every_problem_beside_its_field_at_once(as_charlie, open_draft):
    dossier = open_draft(form_data={}, files=False)
    response = as_charlie.post(
        draft_url(dossier),
        filled(dossier, **{"tk-ho_ten_tre": None, "tk-ngay_sinh": "32/13/2026"}, action="submit"),
    )
    html = response.content.decode()
    text = text_of(response)
    assert response.status_code == 400
    assert 'class="error-summary" role="alert"' in html
    assert '<a href="#id_tk-ho_ten_tre">Cần nhập “Họ, chữ đệm, tên của trẻ”.</a>' in html
    assert (
        '<a href="#id_tk-ngay_sinh">“Ngày sinh” phải là ngày hợp lệ, ví dụ 31/12/2026.</a>' in html
    )
    assert '<a href="#tep-don">Đơn đề nghị: Xin tải lên giấy tờ này.</a>' in html
    # Beside the fields, tied to them for screen readers.
    assert 'id="id_tk-ngay_sinh_error"' in html
    assert 'aria-describedby="id_tk-ngay_sinh_error"' in html
    assert 'id="tep-don-error"' in html and "tep-don-help tep-don-error" in html
    assert "Bản vẽ thiết kế: Xin tải lên" not in text  # optional
    dossier.refresh_from_db()
    assert (dossier.status, dossier.code) == (Status.DRAFT, None)
    assert dossier.form_data == {"ngay_sinh": "32/13/2026"}


def test_wrong_file_type_is_refused_and_the_rest_is_kept(as_charlie, open_draft):
    dossier = open_draft(form_data={}, files=False)
    fake = SimpleUploadedFile("don.pdf", b"MZ\x90\x00 not a document", "application/pdf")
    response = as_charlie.post(
        draft_url(dossier),
        {**filled(dossier, action="save"), "tep-don": fake, "tep-ban-ve": png_file("ban-ve.png")},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Đã lưu bản nháp, trừ các tệp bị từ chối dưới đây." in html
    error = re.search(r'<p class="field__error" id="tep-don-error">([^<]+)</p>', html)
    assert error and "“don.pdf”" in error[1]
    assert '<a href="#tep-don">Đơn đề nghị: ' in html
    dossier.refresh_from_db()
    assert dossier.form_data["ho_ten_tre"] == "Nguyễn Minh Khang"
    kept = DossierFile.objects.get(dossier=dossier)
    assert (kept.component.code, kept.content_type) == ("ban-ve", "image/png")


def test_uploaded_file_is_listed_and_can_be_removed(as_charlie, open_draft):
    dossier = open_draft()
    stored = dossier.files.get()
    page = as_charlie.get(draft_url(dossier)).content.decode()
    assert reverse("dossiers:my_file", kwargs={"pk": stored.pk}) in page
    assert "don-de-nghi.pdf" in page
    download = as_charlie.get(reverse("dossiers:my_file", kwargs={"pk": stored.pk}))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    as_charlie.post(draft_url(dossier), {**filled(dossier, action="save"), "xoa_tep": stored.pk})
    assert not dossier.files.exists()


def test_sending_gives_a_code_and_tells_the_applicant(
    as_charlie, open_draft, django_capture_on_commit_callbacks
):
    dossier = open_draft(form_data={}, files=False)
    page = as_charlie.get(draft_url(dossier))
    with django_capture_on_commit_callbacks(execute=True):
        response = as_charlie.post(
            draft_url(dossier),
            {
                **filled(dossier, action="submit", submission_key=key_of(page)),
                "tep-don": pdf_file("don.pdf"),
            },
        )
    dossier.refresh_from_db()
    assert dossier.status == Status.NEW
    assert re.fullmatch(r"000\.00\.01\.H40-\d{6}-0001", dossier.code)
    assert dossier.form_data == {"ho_ten_tre": "Nguyễn Minh Khang", "ngay_sinh": "2026-11-02"}
    assert response["Location"] == reverse("dossiers:my_dossier", kwargs={"code": dossier.code})
    shown = text_of(as_charlie.get(response["Location"]))
    assert f"Đã nộp hồ sơ. Mã hồ sơ của bạn là {dossier.code}" in shown
    assert "Mới đăng ký (mã 1)" in shown
    [message] = mail.outbox
    assert message.to == ["chi@example.vn"]
    assert dossier.code in message.subject
    assert f"/tra-cuu/?ma={dossier.code}" in message.body


def test_sending_twice_gives_one_dossier(as_charlie, open_draft):
    dossier = open_draft(form_data={}, files=False)
    data = {
        **filled(
            dossier, action="submit", submission_key=key_of(as_charlie.get(draft_url(dossier)))
        )
    }
    first = as_charlie.post(draft_url(dossier), {**data, "tep-don": pdf_file()})
    again = as_charlie.post(draft_url(dossier), {**data, "tep-don": pdf_file()})
    sent = Dossier.objects.get()
    assert sent.status == Status.NEW
    assert sent.submission_key == data["submission_key"]
    assert (
        first["Location"]
        == again["Location"]
        == reverse("dossiers:my_dossier", kwargs={"code": sent.code})
    )
    assert sent.files.count() == 1
    assert sent.events.filter(action="submit").count() == 1


def test_a_replayed_key_of_another_dossier_does_not_break_sending(as_charlie, open_draft):
    first = open_draft()
    key = key_of(as_charlie.get(draft_url(first)))
    as_charlie.post(draft_url(first), filled(first, action="submit", submission_key=key))
    second = open_draft()
    response = as_charlie.post(
        draft_url(second), filled(second, action="submit", submission_key=key)
    )
    second.refresh_from_db()
    assert response.status_code == 302
    assert second.status == Status.NEW and second.code != Dossier.objects.get(pk=first.pk).code


def test_partial_online_procedure_says_what_to_bring(as_charlie, open_draft, department):
    partial = build_version(
        code="1.000002.H40", handling_unit=department, online_level=OnlineLevel.PARTIAL, fee=50_000
    )
    partial.counter_note = "Xuất trình thẻ căn cước khi nhận kết quả."
    partial.save()
    Component.objects.filter(version=partial, code="ban-ve").update(
        form=ComponentForm.ORIGINAL_FOR_CHECK
    )
    dossier = open_draft(version=partial, form_data={}, files=False)
    text = text_of(as_charlie.get(draft_url(dossier)))
    assert "Thủ tục trực tuyến một phần" in text
    assert "Xuất trình thẻ căn cước khi nhận kết quả." in text
    assert "Bản vẽ thiết kế (bản chính để đối chiếu)" in text
    assert "Nộp tại bộ phận một cửa." in text  # the fee, too


def test_applicant_errors_show_beside_the_field(as_charlie, open_draft):
    dossier = open_draft(form_data={}, files=False)
    response = as_charlie.post(
        draft_url(dossier), filled(dossier, applicant_id_number="12345", action="save")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#id_applicant_id_number">Số định danh cá nhân gồm đúng 12 chữ số.</a>' in html
    assert 'value="Nguyễn Minh Khang"' in html  # what was typed stays on the page


def test_a_sent_dossier_is_no_longer_a_draft(as_charlie, sent):
    response = as_charlie.get(draft_url(sent))
    assert response["Location"] == reverse("dossiers:my_dossier", kwargs={"code": sent.code})


def test_service_reports_form_errors_and_missing_documents_together(open_draft, charlie):
    dossier = open_draft(form_data={"ngay_sinh": "hôm qua"}, files=False)
    with pytest.raises(services.DossierError) as caught:
        services.dossier_submit(dossier=dossier, by=charlie)
    assert set(caught.value.errors) == {"form.ho_ten_tre", "form.ngay_sinh", "files.don"}
    dossier.refresh_from_db()
    assert dossier.status == Status.DRAFT


def test_other_people_cannot_open_the_draft(client, draft, dana, alice, counter_officer):
    for user in (dana, alice, counter_officer):
        assert logged_in(user).get(draft_url(draft)).status_code == 404
        assert (
            logged_in(user).post(draft_url(draft), filled(draft, action="submit")).status_code
            == 404
        )
    assert client.get(draft_url(draft)).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert draft.files.filter(kind=FileKind.COMPONENT).count() == 1


def test_a_file_over_the_size_limit_is_refused(as_charlie, open_draft, settings):
    settings.DOSSIER_MAX_FILE_MB = 1
    dossier = open_draft(form_data={}, files=False)
    big = pdf_file("ban-chup.pdf", size=1024 * 1024 + 1)
    response = as_charlie.post(
        draft_url(dossier), {**filled(dossier, action="submit"), "tep-don": big}
    )
    assert response.status_code == 400
    assert "Tệp “ban-chup.pdf” lớn hơn 1 MB." in text_of(response)
    dossier.refresh_from_db()
    assert dossier.status == Status.DRAFT and not dossier.files.exists()
