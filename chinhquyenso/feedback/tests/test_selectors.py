"""Who sees which report, who may act on it, and the work queues."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from chinhquyenso.accounts.models import User
from chinhquyenso.feedback import selectors, services
from chinhquyenso.feedback.models import Category, Report
from chinhquyenso.units.models import Unit, UnitKind
from chinhquyenso.units.services import unit_create


def visible(user: User) -> set[str]:
    return set(selectors.reports_visible_to(user).values_list("tracking_code", flat=True))


def test_officials_of_the_unit_see_it_others_do_not(
    submitted_report: Report, alice: User, bob: User, leader: User, charlie: User
) -> None:
    code = submitted_report.tracking_code
    assert visible(alice) == {code}
    assert visible(leader) == {code}  # the province leader sees the communes below
    assert visible(bob) == set()
    assert visible(charlie) == set()  # citizens follow reports through their private link


def test_get_report_for_user_by_pk_or_code_and_404_alike(
    submitted_report: Report, alice: User, bob: User
) -> None:
    assert selectors.get_report_for_user(alice, submitted_report.pk) == submitted_report
    assert selectors.get_report_for_user(alice, submitted_report.tracking_code.lower()) == (
        submitted_report
    )
    with pytest.raises(Http404):
        selectors.get_report_for_user(bob, submitted_report.pk)
    with pytest.raises(Http404):
        selectors.get_report_for_user(alice, 999_999)
    with pytest.raises(Http404):
        selectors.get_report_for_user(alice, "PA-XXXX-XXXX")


def test_report_for_token(submitted_report: Report) -> None:
    reporter = submitted_report.reporters.get()
    assert selectors.report_for_token(reporter.access_token) == reporter
    assert selectors.report_for_token("sai-ma") is None
    assert selectors.report_for_token("") is None


def test_transferred_report_is_seen_by_the_new_unit(
    accepted_report: Report, alice: User, dave: User, department: Unit
) -> None:
    assert visible(dave) == set()
    services.report_transfer(report=accepted_report, to_unit=department, by=alice, reason="Đường")
    assert visible(dave) == {accepted_report.tracking_code}
    assert visible(alice) == {accepted_report.tracking_code}  # still the receiving unit


def test_named_official_never_sees_the_confidential_report(
    confidential_report: Report, alice: User, commune_leader: User, leader: User, bob: User
) -> None:
    code = confidential_report.tracking_code
    assert visible(alice) == set()
    with pytest.raises(Http404):
        selectors.get_report_for_user(alice, confidential_report.pk)
    assert not selectors.can_act(alice, confidential_report, "note")
    assert selectors.allowed_actions_for(alice, confidential_report) == []
    # The supervising level (the province handles it) and the receiving unit's leader see it.
    assert visible(leader) == {code}
    assert visible(commune_leader) == {code}
    assert visible(bob) == set()


def test_named_official_who_is_a_leader_still_sees_nothing(
    make_report, confidential_category, commune_leader: User, leader: User, province: Unit
) -> None:
    report = make_report(category=confidential_category, answers={})
    report = services.report_accept(report=report, by=commune_leader, named_official=leader)
    assert visible(leader) == set()
    assert code_in(commune_leader, report)


def code_in(user: User, report: Report) -> bool:
    return report.tracking_code in visible(user)


def test_confidential_report_hidden_from_ordinary_officials_before_screening(
    make_report, confidential_category, alice: User, commune_leader: User
) -> None:
    report = make_report(category=confidential_category, answers={})
    assert not code_in(alice, report)  # a specialist of the receiving unit does not see it
    assert code_in(commune_leader, report)
    assert list(selectors.screening_queue(alice)) == []
    assert list(selectors.screening_queue(commune_leader)) == [report]


def test_front_official_reads_but_cannot_act(
    accepted_report: Report, frank: User, confidential_report: Report
) -> None:
    assert visible(frank) == {accepted_report.tracking_code}  # not the confidential one
    assert selectors.allowed_actions_for(frank, accepted_report) == []
    assert selectors.can_comment_as_front(frank, accepted_report)
    assert not selectors.can_comment_as_front(frank, confidential_report)


def test_commune_front_committee_follows_only_its_commune(
    submitted_report: Report, make_report, other_commune: Unit, commune: Unit
) -> None:
    committee = unit_create(
        parent=other_commune, kind=UnitKind.FRONT_COMMITTEE, name="MTTQ xã Anh Sơn", by=None
    )
    from chinhquyenso.accounts.services import official_create

    fiona = official_create(
        full_name="Trịnh Thị Phượng",
        unit=committee,
        roles=["specialist"],
        email="fiona@example.vn",
        password="x-2026-mat-khau",
        by=None,
    )
    elsewhere = make_report(commune=other_commune)
    assert visible(fiona) == {elsewhere.tracking_code}


def test_can_act_by_side_and_role(
    submitted_report: Report, alice: User, bob: User, leader: User, commune_leader: User
) -> None:
    assert selectors.can_act(alice, submitted_report, "accept")
    assert not selectors.can_act(bob, submitted_report, "accept")
    assert not selectors.can_act(leader, submitted_report, "accept")  # not of the receiving unit
    assert not selectors.can_act(alice, submitted_report, "assign")  # wrong state
    assert not selectors.can_act(alice, submitted_report, "no_such_action")
    assert selectors.allowed_actions_for(alice, submitted_report) == [
        "accept",
        "refuse",
        "hand_off",
        "merge",
        "classify",
    ]


def test_supervising_side_is_the_leaders_above(
    awaiting_approval_report: Report, alice: User, leader: User, commune_leader: User, bob: User
) -> None:
    assert selectors.can_act(leader, awaiting_approval_report, "approve_answer")
    assert selectors.can_act(commune_leader, awaiting_approval_report, "approve_answer")
    assert not selectors.can_act(alice, awaiting_approval_report, "approve_answer")
    assert not selectors.can_act(bob, awaiting_approval_report, "approve_answer")


def test_reporter_identity_hidden_from_handlers_unless_consented(
    confidential_report: Report, make_report, leader: User, commune_leader: User, alice: User
) -> None:
    # The confidential reporter asked for privacy: not even the leaders handling it see them.
    assert not selectors.reporter_identity_visible(leader, confidential_report)
    assert not selectors.reporter_identity_visible(alice, confidential_report)
    private = make_report(
        reporter=services.ReporterInput(name="Hà Văn Kiên", identity_private=True)
    )
    assert not selectors.reporter_identity_visible(alice, private)
    assert selectors.reporter_identity_visible(commune_leader, private)
    open_report = make_report()
    assert selectors.reporter_identity_visible(alice, open_report)


def test_queues(make_report, alice: User, bob: User, leader: User, commune_leader: User) -> None:
    first, second, third = make_report(), make_report(), make_report()
    assert list(selectors.screening_queue(alice)) == [first, second, third]
    assert list(selectors.screening_queue(bob)) == []
    services.report_accept(report=first, by=alice, urgency="complex")
    services.report_accept(report=second, by=alice, urgency="urgent")
    assert list(selectors.screening_queue(alice)) == [third]
    # Urgent first: the handling queue is by answer deadline.
    assert list(selectors.handling_queue(alice)) == [second, first]
    services.report_assign(report=second, handler=alice, by=alice)
    services.report_draft_answer(report=Report.objects.get(pk=second.pk), by=alice, answer="Xong")
    assert list(selectors.approval_queue(commune_leader)) == [Report.objects.get(pk=second.pk)]
    assert list(selectors.approval_queue(alice)) == []


def test_overdue_reports(make_report, alice: User, bob: User) -> None:
    late, fresh = make_report(), make_report()
    services.report_accept(report=late, by=alice)
    Report.objects.filter(pk=late.pk).update(answer_due_at=timezone.now() - dt.timedelta(hours=1))
    assert list(selectors.overdue_reports(alice)) == [Report.objects.get(pk=late.pk)]
    future = timezone.now() + dt.timedelta(days=30)
    assert set(selectors.overdue_reports(alice, now=future)) == {
        Report.objects.get(pk=late.pk),
        fresh,
    }
    assert list(selectors.overdue_reports(bob, now=future)) == []


@pytest.mark.parametrize("queue", ["screening_queue", "handling_queue", "overdue_reports"])
def test_queues_take_a_fixed_number_of_queries(
    queue: str, make_report, alice: User, django_assert_max_num_queries
) -> None:
    for n in range(6):
        report = make_report()
        if n % 2:
            services.report_accept(report=report, by=alice)
    later = timezone.now() + dt.timedelta(days=60)
    fresh = User.objects.get(pk=alice.pk)
    kwargs = {"now": later} if queue == "overdue_reports" else {}
    with django_assert_max_num_queries(3):
        rows = list(getattr(selectors, queue)(fresh, **kwargs))
        for row in rows:
            str(row.category), row.commune.name, row.receiving_unit.name, row.handling_unit
    assert len(rows) >= 3


def test_front_officials_never_see_who_reported(make_report, frank: User, alice: User) -> None:
    report = make_report(reporter=services.ReporterInput(name="Lò Văn Sáng", phone="0912345678"))
    assert selectors.reporter_identity_visible(alice, report)
    assert report in selectors.reports_visible_to(frank)
    assert not selectors.reporter_identity_visible(frank, report)


def test_confidential_reporter_who_agreed_to_be_known_is_shown_to_its_handlers(
    make_report, confidential_category: Category, commune_leader: User, alice: User, leader: User
) -> None:
    report = make_report(
        text="Cán bộ Nguyễn Thị An không hướng dẫn tôi làm hồ sơ.",
        category=confidential_category,
        answers={},
        named_official_text="Nguyễn Thị An",
        reporter=services.ReporterInput(name="Đinh Văn Tú", phone="0987000333", consent_given=True),
    )
    report = services.report_accept(report=report, by=commune_leader, named_official=alice)
    assert selectors.reporter_identity_visible(leader, report)
    assert not selectors.reporter_identity_visible(alice, report)
