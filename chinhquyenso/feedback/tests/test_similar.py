"""Similar open reports: same place, similar words; confidential and finished ones never."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from chinhquyenso.feedback import similar
from chinhquyenso.feedback.models import Category, RefusalReason, Report, Status
from chinhquyenso.feedback.services import (
    ReportInput,
    report_accept,
    report_merge,
    report_refuse,
    report_request_info,
    report_submit,
)
from chinhquyenso.feedback.similar import (
    SIMILAR_STATES,
    distance_m,
    features,
    similar_open_reports,
    similarity,
)
from chinhquyenso.units.models import Unit

# A point in Vinh (Nghệ An), and points about 50 m and 300 m north of it.
LAT, LON = Decimal("18.679000"), Decimal("105.681000")
LAT_50M = Decimal("18.679450")
LAT_300M = Decimal("18.681700")

STREET_LIGHT = "Đèn đường trước nhà số 12 đường Lê Lợi bị hỏng, buổi tối rất tối."
STREET_LIGHT_AGAIN = "Đèn đường ở đường Lê Lợi hỏng mấy hôm nay, tối không nhìn thấy gì."
GARBAGE = "Rác thải đổ bừa bãi ở đầu ngõ 5, bốc mùi hôi thối, ruồi nhặng nhiều."


@pytest.fixture
def lighting(db: None) -> Category:
    return Category.objects.create(code="chieu-sang", name="Chiếu sáng công cộng")


@pytest.fixture
def waste(db: None) -> Category:
    return Category.objects.create(code="rac-thai", name="Rác thải")


@pytest.fixture
def attitude(db: None) -> Category:
    return Category.objects.create(code="thai-do", name="Thái độ cán bộ", is_confidential=True)


Submit = Callable[..., Report]


@pytest.fixture
def submit(commune: Unit, lighting: Category) -> Submit:
    def make(text: str, **fields: Any) -> Report:
        fields.setdefault("category", lighting)
        fields.setdefault("commune", commune)
        report, _reporter = report_submit(data=ReportInput(text=text, **fields))
        return report

    return make


def _codes(reports: list[Report]) -> list[str]:
    return [r.tracking_code for r in reports]


# --- Scoring, without the database -------------------------------------------------------


def test_features_are_folded_words_and_word_pairs_without_stop_words() -> None:
    assert features("Đèn ĐƯỜNG của xóm bị hỏng") == {
        "den",
        "duong",
        "xom",
        "hong",
        "den duong",
    }


def test_texts_sharing_only_stop_words_are_not_similar() -> None:
    a = features("Tôi đã có ý kiến này và những việc của các anh là không được")
    b = features("Cống thoát nước ở chợ này đã không được các anh nạo vét")
    assert similarity(a, b) == 0
    assert features("của và là có không ở đã được cho này các những một") == frozenset()


def test_the_same_words_with_or_without_diacritics_are_similar() -> None:
    assert similarity(features(STREET_LIGHT), features(STREET_LIGHT.upper())) == 1.0
    assert similarity(features("Đèn đường hỏng"), features("den duong hong")) == 1.0


def test_related_texts_score_higher_than_unrelated_ones() -> None:
    light = features(STREET_LIGHT)
    assert similarity(light, features(STREET_LIGHT_AGAIN)) >= similar.MIN_SCORE
    assert similarity(light, features(GARBAGE)) < 0.05
    # Sharing the street name alone is not enough.
    again = features(STREET_LIGHT_AGAIN)
    assert similarity(again, features("Rác thải đổ bừa bãi ở đường Lê Lợi")) < similar.MIN_SCORE
    assert similarity(again, features("Cột đèn chiếu sáng đường Lê Lợi không sáng")) >= (
        similar.MIN_SCORE
    )


def test_haversine_distances() -> None:
    assert distance_m(18.679, 105.681, 18.679, 105.681) == 0
    assert distance_m(18.0, 105.0, 19.0, 105.0) == pytest.approx(111_195, rel=0.001)
    assert distance_m(float(LAT), float(LON), float(LAT_50M), float(LON)) == pytest.approx(
        50, abs=1
    )


# --- Finding reports ---------------------------------------------------------------------


def test_a_similar_report_in_the_same_commune_is_found(submit: Submit, commune: Unit) -> None:
    light = submit(STREET_LIGHT)
    submit(GARBAGE)
    found = similar_open_reports(commune=commune, text=STREET_LIGHT_AGAIN)
    assert _codes(found) == [light.tracking_code]


def test_the_commune_may_be_given_by_its_id(submit: Submit, commune: Unit) -> None:
    light = submit(STREET_LIGHT)
    assert similar_open_reports(commune=commune.pk, text=STREET_LIGHT_AGAIN) == [light]


def test_best_matches_come_first_and_the_limit_holds(submit: Submit, commune: Unit) -> None:
    close = submit("Đèn đường Lê Lợi hỏng, tối không nhìn thấy gì.")
    closest = submit(STREET_LIGHT_AGAIN)
    submit("Đèn đường hỏng ở ngõ 9 Phan Đình Phùng.")  # another street: below the threshold
    found = similar_open_reports(commune=commune, text=STREET_LIGHT_AGAIN, limit=5)
    assert _codes(found) == [closest.tracking_code, close.tracking_code]
    assert similar_open_reports(commune=commune, text=STREET_LIGHT_AGAIN, limit=1) == [closest]


def test_reports_in_another_commune_count_only_when_near(
    submit: Submit, commune: Unit, other_commune: Unit
) -> None:
    near = submit(STREET_LIGHT, commune=other_commune, latitude=LAT_50M, longitude=LON)
    submit(STREET_LIGHT, commune=other_commune, latitude=LAT_300M, longitude=LON)
    submit(STREET_LIGHT, commune=other_commune)  # no position
    assert similar_open_reports(commune=commune, text=STREET_LIGHT_AGAIN) == []
    found = similar_open_reports(
        commune=commune, text=STREET_LIGHT_AGAIN, latitude=LAT, longitude=LON
    )
    assert found == [near]


def test_the_radius_is_a_setting(
    submit: Submit, commune: Unit, other_commune: Unit, settings: Any
) -> None:
    far = submit(STREET_LIGHT, commune=other_commune, latitude=LAT_300M, longitude=LON)
    settings.FEEDBACK_SIMILAR_RADIUS_M = 500
    found = similar_open_reports(
        commune=None, text=STREET_LIGHT_AGAIN, latitude=float(LAT), longitude=float(LON)
    )
    assert found == [far]


def test_without_commune_or_position_nothing_is_found(submit: Submit) -> None:
    submit(STREET_LIGHT)
    assert similar_open_reports(commune=None, text=STREET_LIGHT_AGAIN) == []


def test_only_open_and_not_confidential_reports_are_offered(
    submit: Submit, commune: Unit, alice: Any, attitude: Category
) -> None:
    submitted = submit(STREET_LIGHT)
    accepted = report_accept(report=submit(STREET_LIGHT), by=alice)
    waiting = report_request_info(
        report=report_accept(report=submit(STREET_LIGHT), by=alice),
        by=alice,
        question="Xin cho biết cột đèn số mấy?",
    )
    refused = report_refuse(report=submit(STREET_LIGHT), by=alice, reason=RefusalReason.UNCLEAR)
    merged = report_merge(report=submit(STREET_LIGHT), into=submitted, by=alice)
    submit(STREET_LIGHT, category=attitude)  # confidential track
    assert {accepted.status, waiting.status, refused.status, merged.status} == {
        Status.ACCEPTED,
        Status.INFO_REQUESTED,
        Status.REFUSED,
        Status.MERGED,
    }
    found = similar_open_reports(commune=commune, text=STREET_LIGHT_AGAIN, limit=10)
    assert set(_codes(found)) == {
        submitted.tracking_code,
        accepted.tracking_code,
        waiting.tracking_code,
    }
    assert all(not r.is_confidential and r.status in SIMILAR_STATES for r in found)


def test_a_report_can_be_left_out_of_its_own_list(submit: Submit, commune: Unit) -> None:
    first = submit(STREET_LIGHT)
    second = submit(STREET_LIGHT_AGAIN)
    found = similar_open_reports(commune=commune, text=second.text, exclude=second)
    assert found == [first]


def test_the_same_category_ranks_first_among_equal_texts(
    submit: Submit, commune: Unit, lighting: Category, waste: Category
) -> None:
    other_category = submit(STREET_LIGHT, category=waste)
    same_category = submit(STREET_LIGHT, category=lighting)
    found = similar_open_reports(commune=commune, text=STREET_LIGHT_AGAIN, category=waste)
    assert found == [other_category, same_category]
    found = similar_open_reports(commune=commune, text=STREET_LIGHT_AGAIN, category=lighting)
    assert found == [same_category, other_category]


def test_empty_or_stop_word_only_text_finds_nothing(submit: Submit, commune: Unit) -> None:
    submit(STREET_LIGHT)
    assert similar_open_reports(commune=commune, text="") == []
    assert similar_open_reports(commune=commune, text="là của và không") == []


def test_only_the_latest_candidates_are_read_in_one_query(
    submit: Submit,
    commune: Unit,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: Any,
) -> None:
    reports = [submit(STREET_LIGHT) for _ in range(5)]
    monkeypatch.setattr(similar, "MAX_CANDIDATES", 3)
    with django_assert_num_queries(1):
        found = similar_open_reports(commune=commune, text=STREET_LIGHT, limit=10)
        # Category and commune come with the reports: showing them costs no query.
        assert [(r.category.name, r.commune.name) for r in found]
    assert set(found) == set(reports[2:])
    # Equally similar reports: the newest first.
    assert found == list(reversed(reports[2:]))
