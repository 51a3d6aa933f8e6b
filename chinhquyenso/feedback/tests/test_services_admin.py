"""Administrators edit categories and routing rules (audited); reports are read-only there."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import official_create
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.core.models import AuditEntry
from chinhquyenso.feedback.models import Category, Report
from chinhquyenso.units.models import Unit


@pytest.fixture
def admin_client(client: Client, province: Unit) -> Client:
    admin = official_create(
        full_name="Hoàng Quản Trị",
        unit=province,
        roles=[Role.SYSTEM_ADMIN],
        email="quantri@example.vn",
        password=PASSWORD,
        by=None,
    )
    client.force_login(admin)
    return client


def test_report_list_is_read_only(admin_client: Client, submitted_report: Report) -> None:
    page = admin_client.get(reverse("admin:feedback_report_changelist"))
    assert page.status_code == 200
    assert submitted_report.tracking_code in page.content.decode()
    assert admin_client.get(reverse("admin:feedback_report_add")).status_code == 403
    change = reverse("admin:feedback_report_change", args=[submitted_report.pk])
    page = admin_client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    admin_client.post(change, {"text": "Sửa lén"})
    assert Report.objects.get(pk=submitted_report.pk).text != "Sửa lén"


def test_named_official_does_not_see_the_confidential_report_in_admin(
    client: Client, confidential_report: Report, alice: User
) -> None:
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client.force_login(alice)
    page = client.get(reverse("admin:feedback_report_changelist"))
    assert confidential_report.tracking_code not in page.content.decode()


def test_category_saved_through_the_service_and_audited(
    admin_client: Client, category_group: Category
) -> None:
    data = {
        "parent": category_group.pk,
        "code": "nuoc-thai",
        "name": "Nước thải",
        "description": "",
        "is_active": "on",
        "sort_order": "0",
        "questions": json.dumps(
            [{"key": "mui", "label": "Có mùi hôi?", "type": "yes_no", "required": True}]
        ),
        "default_urgency": "normal",
        "urgent_answer_hours": "",
        "normal_answer_days": "5",
        "complex_answer_days": "",
        "children-TOTAL_FORMS": "0",
        "children-INITIAL_FORMS": "0",
    }
    page = admin_client.post(reverse("admin:feedback_category_add"), data)
    assert page.status_code == 302, page.content.decode()[:2000]
    category = Category.objects.get(code="nuoc-thai")
    assert category.normal_answer_days == 5 and category.questions[0]["key"] == "mui"
    assert AuditEntry.objects.filter(action="feedback.category.create").exists()
    data.update(code="sai", questions=json.dumps([{"key": "x", "type": "choice", "label": "X"}]))
    page = admin_client.post(reverse("admin:feedback_category_add"), data)
    assert page.status_code == 200
    assert "danh sách phương án" in page.content.decode()
    assert not Category.objects.filter(code="sai").exists()
