"""The per-unit table: figures on a small hand-made data set, and its accessible markup."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from chinhquyenso.feedback.models import Status
from chinhquyenso.feedback.stats import sort_rows, unit_table

from .conftest import at, rate

pytestmark = pytest.mark.django_db

STATS = reverse("feedback:public_stats")
MARCH = {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 3, 31)}


@pytest.fixture
def data_set(seed_report, commune, other_commune):
    # Monday → Wednesday: 2 working days, before the deadline; two "satisfied".
    on_time = seed_report(
        submitted_at=at("2026-03-02", 10),
        answered_at=at("2026-03-04", 15),
        answer_due_at=at("2026-03-16", 17),
    )
    rate(on_time, "satisfied", "satisfied")
    # Friday → Monday: 1 working day, after a same-day deadline; one "dissatisfied".
    late = seed_report(
        submitted_at=at("2026-03-06", 10),
        answered_at=at("2026-03-09", 8),
        answer_due_at=at("2026-03-06", 17),
    )
    rate(late, "dissatisfied")
    # Still being handled.
    seed_report(
        submitted_at=at("2026-03-10"), status=Status.IN_PROGRESS, answered_at=None, published=False
    )
    # Not counted: merged into another report, or sent outside the period.
    seed_report(submitted_at=at("2026-03-11"), status=Status.MERGED, answered_at=None)
    seed_report(submitted_at=at("2026-02-27"))
    # Received by the commune but handled by the other commune: counts for the handler.
    seed_report(
        submitted_at=at("2026-03-12"),
        handling_unit=other_commune,
        status=Status.IN_PROGRESS,
        answered_at=None,
        published=False,
    )
    # Not routed yet: counts for the unit that received it.
    seed_report(
        commune=other_commune,
        receiving_unit=other_commune,
        handling_unit=None,
        submitted_at=at("2026-03-20"),
        status=Status.SUBMITTED,
        answered_at=None,
        published=False,
    )


def test_figures_per_unit(data_set, commune, other_commune):
    rows = {row.name: row for row in unit_table(**MARCH)}
    assert set(rows) == {commune.name, other_commune.name}
    here = rows[commune.name]
    assert (here.received, here.answered, here.answered_on_time) == (3, 2, 1)
    assert here.on_time_percent == 50.0
    assert here.satisfaction_percent == pytest.approx(200 / 3)
    assert here.average_working_days == 1.5
    there = rows[other_commune.name]
    assert (there.received, there.answered) == (2, 0)
    assert there.on_time_percent is None
    assert there.satisfaction_percent is None
    assert there.average_working_days is None


def test_working_days_skip_public_holidays(seed_report, commune):
    # Wednesday 29/04/2026 → Monday 04/05/2026: 30/4 and 1/5 are holidays, so 1 working day.
    seed_report(submitted_at=at("2026-04-29", 10), answered_at=at("2026-05-04", 10))
    (row,) = unit_table(date_from=dt.date(2026, 4, 1), date_to=dt.date(2026, 4, 30))
    assert row.average_working_days == 1


def test_sorting_puts_missing_figures_last(data_set, commune, other_commune):
    rows = unit_table(**MARCH)
    for sort in ("hai-long", "-hai-long", "so-ngay", "-dung-han"):
        assert [r.name for r in sort_rows(rows, sort)] == [commune.name, other_commune.name]
    assert [r.name for r in sort_rows(rows, "don-vi")] == [commune.name, other_commune.name]
    assert [r.name for r in sort_rows(rows, "-don-vi")] == [other_commune.name, commune.name]
    assert [r.received for r in sort_rows(rows, "tiep-nhan")] == [2, 3]
    assert [r.received for r in sort_rows(rows, "khong-co")] == [3, 2]


def test_page_shows_an_accessible_sortable_table(client, data_set, commune):
    response = client.get(STATS, {"tu_ngay": "01/03/2026", "den_ngay": "31/03/2026"})
    page = response.content.decode()
    assert "<caption>" in page and "01/03/2026" in page and "31/03/2026" in page
    assert page.count('scope="col"') == 6
    assert page.count('scope="row"') == 2
    assert 'aria-sort="descending"' in page
    row = re.search(rf"<th scope=\"row\">{commune.name}</th>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r'<td class="num">(.*?)</td>', row)
    assert cells == ["3", "2", "50,0", "66,7", "1,5"]
    # Plain links: sorting keeps the period.
    assert "?tu_ngay=01/03/2026&amp;den_ngay=31/03/2026&amp;sap_xep=don-vi" in page
    sorted_page = client.get(
        STATS, {"tu_ngay": "01/03/2026", "den_ngay": "31/03/2026", "sap_xep": "tiep-nhan"}
    ).content.decode()
    assert 'aria-sort="ascending"' in sorted_page


def test_wrong_period_falls_back_with_a_message(client, db):
    page = client.get(STATS, {"tu_ngay": "hôm qua", "sap_xep": "<script>"}).content.decode()
    assert "Ngày không hợp lệ" in page
    assert "<script>" not in page
