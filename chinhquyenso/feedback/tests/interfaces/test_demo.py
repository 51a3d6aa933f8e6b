"""The feedback demo data: categories, rules, reports in many states; a second run adds nothing."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from chinhquyenso.core.demo import demo_load
from chinhquyenso.core.models import AuditEntry, Notification
from chinhquyenso.feedback.demo import DEMO_CHANNEL, DEMO_NOTICES_UNREAD_FOR, feedback_demo_load
from chinhquyenso.feedback.models import Category, Event, Report, RoutingRule, Status

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Category, RoutingRule, Report, Event, AuditEntry)
    }


@override_settings(DEMO_MODE=True)
def test_demo_reports_load_once_in_many_states():
    result = demo_load(feedback_reports=30)
    assert result.feedback_reports_created == 30
    first = counts()
    assert feedback_demo_load(reports=30).reports_created == 0
    assert counts() == first
    assert Report.objects.filter(channel=DEMO_CHANNEL).count() == 30
    states = set(Report.objects.values_list("status", flat=True))
    assert {Status.SUBMITTED, Status.REFUSED, Status.ANSWERED} <= states
    assert len(states) >= 6
    assert Report.objects.filter(is_published=True).exists()
    assert Report.objects.values("commune").distinct().count() > 10
    # The officials have read their notices but those of the last days (a handful, not every
    # report ever sent to the ward).
    notices = Notification.objects.filter(url__startswith="/can-bo/phan-anh/")
    assert notices.filter(read_at__isnull=False).exists()
    cutoff = timezone.now() - DEMO_NOTICES_UNREAD_FOR - dt.timedelta(minutes=5)
    assert not notices.filter(read_at__isnull=True, created_at__lt=cutoff).exists()
    # Asking for more adds only the difference.
    assert feedback_demo_load(reports=33).reports_created == 3


def test_categories_two_levels_with_questions_and_rules(province):
    feedback_demo_load(reports=0)
    environment = Category.objects.get(code="moi-truong")
    assert list(environment.children.values_list("name", flat=True)) == [
        "Rác thải",
        "Ô nhiễm không khí",
        "Nước thải",
    ]
    waste = Category.objects.get(code="moi-truong-rac-thai")
    labels = [q["label"] for q in waste.questions]
    assert "Rác tồn đọng bao nhiêu ngày?" in labels
    assert Category.objects.get(name="Thái độ, trách nhiệm cán bộ").is_confidential
    assert Category.objects.filter(parent=None).count() == 11
    before = counts()
    feedback_demo_load(reports=0)
    assert counts() == before
