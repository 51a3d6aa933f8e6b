"""The sample of search texts a process keeps: an upper bound of a search's share, and a rare
search that goes straight to gathering its matches (the same answer, without a window)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chinhquyenso.api.models import ApiScope
from chinhquyenso.api.services import api_client_create
from chinhquyenso.documents import search_sample, selectors
from chinhquyenso.documents.search_sample import SAMPLES, TextSample, text_sample
from chinhquyenso.documents.tests.conftest import Register, make_pdf, upload


def test_the_share_is_an_upper_bound_from_trigrams() -> None:
    sample = TextSample.of(
        [
            "ke hoach to chuc tet trung thu cho thieu nhi",
            "15/qd-ubnd phe duyet du an duong giao thong",
            "cong van ve trung tu nha van hoa",
            "thu vien chua co quan ly",
            "",
        ]
    )
    assert sample.share_at_most(["trung thu"]) == 0.2
    assert sample.share_at_most(["qd-ubnd", "giao"]) == 0.2
    assert sample.share_at_most(["trung"]) == 0.4
    assert sample.share_at_most(["qwxz"]) == 0.0
    # "thu", "hua" and "uan" are all in the fourth text, which lacks "thuan": an upper bound,
    # never less than the truth.
    assert sample.share_at_most(["thuan"]) == 0.2
    # Texts shorter than three characters narrow nothing.
    assert sample.share_at_most(["so", ""]) == 1.0
    assert sample.share_at_most([]) == 1.0
    assert TextSample.of([]).share_at_most(["trung"]) is None


@pytest.mark.django_db
def test_the_sample_is_drawn_from_the_register_and_kept(
    register_incoming: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert text_sample().size == 0  # an empty register: kept as an empty sample
    SAMPLES.forget()
    register_incoming()
    register_incoming(number=153, subject="Phòng chống sốt xuất huyết")
    monkeypatch.setattr(search_sample, "_KEYS_PER_STATEMENT", 1)  # read in several statements
    sample = text_sample()
    assert sample.size == 2
    assert sample.share_at_most(["sot xuat huyet"]) == 0.5
    register_incoming(number=154)
    assert text_sample() is sample  # the same sample, until it is old


def _searches(queries: Any) -> list[str]:
    """The statements that tested the newest documents' texts one by one (a window)."""
    return [q["sql"] for q in queries if "STRPOS" in q["sql"] or "INSTR" in q["sql"]]


@pytest.mark.django_db
def test_a_search_the_sample_finds_rare_reads_no_window(
    client: Client, register_incoming: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    _api_client, key = api_client_create(
        name="LGSP", scopes=[ApiScope.DOCUMENTS_READ], units=[], by=None
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    plans = [register_incoming(number=n) for n in range(1, 5)]
    fever = register_incoming(
        number=5,
        subject="Phòng chống sốt xuất huyết",
        file=upload(make_pdf("Phun hóa chất diệt muỗi tại khối Tân Hòa.")),
    )

    def search(q: str) -> tuple[dict[str, Any], list[str]]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/documents/", {"q": q, "limit": 2}, **headers)
        assert response.status_code == 200, response.content
        return response.json(), _searches(queries)

    # In a register of five, a word of one document fills a page from the newest ones.
    page, windows = search("khoi tan hoa")
    assert [item["id"] for item in page["items"]] == [fever.pk] and len(windows) == 1
    # With windows too small for a page of such a share, the matches are gathered at once:
    # the same page, counted exactly, and no window read.
    monkeypatch.setattr(selectors, "SEARCH_WINDOW_MAX", 10)
    page, windows = search("khoi tan hoa")
    assert [item["id"] for item in page["items"]] == [fever.pk]
    assert (page["count"], page["count_exact"], windows) == (1, True, [])
    page, windows = search("tu khoa khong co")
    assert (page["items"], page["count"], windows) == ([], 0, [])
    # Words in every document still page through the newest ones.
    page, windows = search("trung thu")
    assert [item["id"] for item in page["items"]] == [plans[3].pk, plans[2].pk]
    assert len(windows) == 1
