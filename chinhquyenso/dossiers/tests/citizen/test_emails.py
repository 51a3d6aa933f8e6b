"""What the applicant reads in their mailbox at each step they see: the dossier's code, what
happened, what to do next, the public look-up link and, for an account, their dossier page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from chinhquyenso.dossiers import services

pytestmark = pytest.mark.django_db


def test_each_step_is_explained_with_links(
    draft,
    charlie,
    counter_officer,
    dept_specialist,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_submit(dossier=draft, by=charlie)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_accept(dossier=draft, by=counter_officer)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_request_documents(
            dossier=draft,
            by=dept_specialist,
            items=[{"name": "Bản vẽ mặt bằng", "reason": "Thiếu chữ ký"}],
        )
    sent, accepted, requested = mail.outbox
    draft.refresh_from_db()
    lookup = f"{settings.SITE_URL}/tra-cuu/?ma={draft.code}"
    own = settings.SITE_URL + reverse("dossiers:my_dossier", kwargs={"code": draft.code})
    for message in (sent, accepted, requested):
        assert message.to == ["chi@example.vn"]
        assert message.subject.startswith(f"[{draft.code}] ")
        assert message.body.startswith("Kính gửi Phạm Thị Chi,")
        assert f"Tra cứu hồ sơ: {lookup}" in message.body
        assert own in message.body
    assert "đang chờ kiểm tra" in sent.body
    assert "Phí, lệ phí phải nộp: 150.000 đồng." in accepted.body
    assert "Ngày hẹn trả kết quả:" in accepted.body
    assert "- Bản vẽ mặt bằng: Thiếu chữ ký" in requested.body


def test_a_counter_dossier_without_account_gets_no_account_link(
    register, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = register(
            applicant_info=services.ApplicantInput(name="Lê Văn Tám", email="tam@example.vn")
        )
    [message] = mail.outbox
    assert f"/tra-cuu/?ma={dossier.code}" in message.body
    assert "/tai-khoan/" not in message.body
