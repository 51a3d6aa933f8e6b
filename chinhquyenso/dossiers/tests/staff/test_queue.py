"""The officials' queue: soonest step deadline first, lateness in working time, filters, tabs."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chinhquyenso.core.clock import clock_at
from chinhquyenso.dossiers.models import Dossier
from chinhquyenso.dossiers.services import (
    ApplicantInput,
    dossier_accept,
    dossier_request_documents,
)
from chinhquyenso.dossiers.tests.conftest import at
from chinhquyenso.dossiers.tests.staff.conftest import client_for

pytestmark = pytest.mark.django_db


def codes_in(html: str) -> list[str]:
    return re.findall(r'<span class="code">([^<]+)</span>', html)


def text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def accept(dossier: Dossier, by, when: str) -> Dossier:  # type: ignore[no-untyped-def]
    with clock_at(at(when)):
        return dossier_accept(dossier=dossier, by=by)


@pytest.fixture
def three(register, counter_officer) -> list[Dossier]:
    """Three dossiers at the department, accepted on Monday, Tuesday and Wednesday."""
    return [
        accept(
            register(f"0{day}/11/2026 08:00", applicant_info=ApplicantInput(name=name)),
            counter_officer,
            f"0{day}/11/2026 08:30",
        )
        for day, name in ((4, "Nguyễn Văn Bốn"), (2, "Lê Thị Hai"), (3, "Đỗ Văn Ba"))
    ]


def test_queue_is_sorted_by_step_deadline_with_time_left(three, dept_specialist) -> None:
    client = client_for(dept_specialist)
    with clock_at(at("04/11/2026 10:00")):
        response = client.get("/can-bo/ho-so/")
    by_acceptance = sorted(three, key=lambda d: d.received_at)
    assert codes_in(response.content.decode()) == [d.code for d in by_acceptance]
    page = text(response)
    # Step "Thẩm định" is 3 working days: Monday's is due Thursday 08:30.
    assert "Còn 1 ngày 6 giờ làm việc" in page
    assert "hạn 08:30 05/11/2026" in page


def test_due_soon_and_overdue_are_flagged(three, dept_specialist) -> None:
    client = client_for(dept_specialist)
    monday, tuesday, _wednesday = sorted(three, key=lambda d: d.received_at)
    with clock_at(at("05/11/2026 10:00")):
        page = text(client.get("/can-bo/ho-so/"))
    assert "Quá hạn trễ 1 giờ 30 phút làm việc" in page  # Monday's step: flag and words
    assert "Sắp đến hạn còn 6 giờ 30 phút làm việc" in page  # Tuesday's

    # The appointment (5 working days) of Monday's dossier is Monday 09/11, 17:00.
    with clock_at(at("09/11/2026 09:00")):
        soon = client.get("/can-bo/ho-so/hang-doi/sap-den-han/").content.decode()
        late = client.get("/can-bo/ho-so/hang-doi/qua-han/").content.decode()
    assert codes_in(soon) == [monday.code]
    assert codes_in(late) == []
    with clock_at(at("10/11/2026 09:00")):
        soon = client.get("/can-bo/ho-so/hang-doi/sap-den-han/").content.decode()
        late = client.get("/can-bo/ho-so/hang-doi/qua-han/").content.decode()
    assert codes_in(late) == [monday.code]
    assert codes_in(soon) == [tuesday.code]


def test_a_paused_dossier_says_so(three, dept_specialist) -> None:
    monday = min(three, key=lambda d: d.received_at)
    with clock_at(at("04/11/2026 09:00")):
        dossier_request_documents(
            dossier=monday, by=dept_specialist, items=[{"name": "Bản vẽ", "reason": "Mờ"}]
        )
    client = client_for(dept_specialist)
    with clock_at(at("04/11/2026 10:00")):
        page = text(client.get("/can-bo/ho-so/hang-doi/tat-ca/"))
    assert "Tạm dừng, chờ người nộp bổ sung hồ sơ" in page


def test_tabs_to_act_on_versus_all_visible(
    three, register, counter_officer, dept_specialist
) -> None:
    waiting = register("05/11/2026 08:00")  # still at the commune's counter
    counter = client_for(counter_officer)
    mine = codes_in(counter.get("/can-bo/ho-so/").content.decode())
    everything = codes_in(counter.get("/can-bo/ho-so/hang-doi/tat-ca/").content.decode())
    assert mine == [waiting.code]
    assert sorted(everything) == sorted([waiting.code, *(d.code for d in three)])
    # The department does not act on what waits at the commune's counter.
    specialist = codes_in(client_for(dept_specialist).get("/can-bo/ho-so/").content.decode())
    assert waiting.code not in specialist


def test_search_ignores_diacritics_and_finds_codes(three, dept_specialist) -> None:
    client = client_for(dept_specialist)
    by_name = client.get("/can-bo/ho-so/hang-doi/tat-ca/", {"q": "do van ba"})
    assert codes_in(by_name.content.decode()) == [three[2].code]
    by_code = client.get("/can-bo/ho-so/hang-doi/tat-ca/", {"q": three[1].code})
    assert codes_in(by_code.content.decode()) == [three[1].code]
    nothing = client.get("/can-bo/ho-so/hang-doi/tat-ca/", {"q": "không có ai"})
    assert "Không có hồ sơ nào khớp với bộ lọc." in nothing.content.decode()


def test_filters_by_status_procedure_and_channel(three, register, counter_officer) -> None:
    waiting = register("05/11/2026 08:00", channel=3)
    client = client_for(counter_officer)
    url = "/can-bo/ho-so/hang-doi/tat-ca/"
    assert codes_in(client.get(url, {"status": 1}).content.decode()) == [waiting.code]
    assert codes_in(client.get(url, {"channel": 3}).content.decode()) == [waiting.code]
    assert len(codes_in(client.get(url, {"status": 2}).content.decode())) == 3
    procedure = waiting.version.procedure
    assert len(codes_in(client.get(url, {"procedure": procedure.pk}).content.decode())) == 4
    # Nonsense in the filters is ignored, never an error.
    assert client.get(url, {"status": "abc", "procedure": "x", "trang": "-1"}).status_code == 200


def test_queue_pages_twenty_at_a_time(register, counter_officer) -> None:
    for hour in range(8, 11):
        for minute in range(0, 60, 8):
            register(f"02/11/2026 {hour:02d}:{minute:02d}")
    client = client_for(counter_officer)
    first = client.get("/can-bo/ho-so/hang-doi/tat-ca/").content.decode()
    second = client.get("/can-bo/ho-so/hang-doi/tat-ca/", {"trang": 2}).content.decode()
    assert len(codes_in(first)) == 20
    assert len(codes_in(second)) == 4
    assert "Trang 2/2" in second


def test_the_list_does_not_query_once_per_row(register, counter_officer, dept_specialist) -> None:
    client = client_for(dept_specialist)

    def queries_for_queue() -> int:
        with clock_at(at("04/11/2026 10:00")), CaptureQueriesContext(connection) as captured:
            response = client.get("/can-bo/ho-so/hang-doi/tat-ca/")
        assert response.status_code == 200
        return len(captured)

    accept(register("02/11/2026 08:00"), counter_officer, "02/11/2026 08:30")
    client.get("/can-bo/ho-so/hang-doi/tat-ca/")  # warm the per-process calendar copy
    one = queries_for_queue()
    for hour in range(9, 15):
        accept(register(f"02/11/2026 {hour:02d}:00"), counter_officer, f"02/11/2026 {hour:02d}:10")
    seven = queries_for_queue()
    assert seven == one
