"""Search of documents by number, notation, subject, sender, type, dates and the text of their
PDFs, without diacritics; and the query shape the trigram index serves on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from types import SimpleNamespace

import pytest
from django.db import connection

from chinhquyenso.accounts.models import User
from chinhquyenso.core.text import fold
from chinhquyenso.documents.models import Document
from chinhquyenso.documents.selectors import (
    DocumentFilters,
    documents_visible_to,
    filter_documents,
    text_search,
)
from chinhquyenso.documents.tests.conftest import Register, doc_type, make_pdf, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents(register_incoming: Register) -> dict[str, Document]:
    return {
        "plan": register_incoming(),
        "decision": register_incoming(
            document_type=doc_type("quyet-dinh"),
            number=15,
            notation="QĐ-UBND",
            issued_on=dt.date(2026, 10, 2),
            sender_name="Ủy ban nhân dân tỉnh Nghệ An",
            subject="Phê duyệt danh mục dự án đường giao thông nông thôn",
            file=upload(make_pdf("Điều 1. Phê duyệt danh mục các tuyến đường bê tông hóa.")),
        ),
        "letter": register_incoming(
            document_type=doc_type("cong-van"),
            number=1204,
            notation="SYT-NVY",
            issued_on=dt.date(2026, 11, 18),
            sender_name="Sở Y tế",
            subject="Tăng cường phòng chống sốt xuất huyết",
            file=upload(make_pdf("Đề nghị phun hóa chất diệt muỗi tại các khu dân cư.")),
        ),
    }


Named = dict[str, Document]


def found(documents: Named, filters: DocumentFilters) -> set[str]:
    names = {d.pk: name for name, d in documents.items()}
    return {names[d.pk] for d in filter_documents(Document.objects.all(), filters)}


def test_words_without_diacritics_find_subject_sender_and_pdf_text(documents: Named) -> None:
    assert found(documents, DocumentFilters(q="duong giao thong")) == {"decision"}
    assert found(documents, DocumentFilters(q="SỐT XUẤT HUYẾT")) == {"letter"}
    assert found(documents, DocumentFilters(q="so y te")) == {"letter"}
    # Only in the PDF's text.
    assert found(documents, DocumentFilters(q="muoi khu dan cu")) == {"letter"}
    assert found(documents, DocumentFilters(q="thieu nhi")) == {"plan"}
    # Every word must be there.
    assert found(documents, DocumentFilters(q="duong muoi")) == set()


def test_number_and_notation(documents: Named) -> None:
    assert found(documents, DocumentFilters(q="15/QĐ-UBND")) == {"decision"}
    assert found(documents, DocumentFilters(notation="15/QĐ-UBND")) == {"decision"}
    assert found(documents, DocumentFilters(number=1204)) == {"letter"}
    assert found(documents, DocumentFilters(notation="SYT-NVY")) == {"letter"}
    assert found(documents, DocumentFilters(number=15, notation="SYT-NVY")) == set()


def test_type_sender_and_dates(documents: Named) -> None:
    assert found(documents, DocumentFilters(document_type="cong-van")) == {"letter"}
    assert found(documents, DocumentFilters(sender="uy ban nhan dan tinh")) == {"decision"}
    assert found(documents, DocumentFilters(issued_from=dt.date(2026, 11, 1))) == {"plan", "letter"}
    assert found(documents, DocumentFilters(issued_to=dt.date(2026, 10, 31))) == {"decision"}
    assert found(documents, DocumentFilters(direction="outgoing")) == set()


def test_search_stays_within_what_the_user_may_see(
    documents: Named, alice: User, bob: User
) -> None:
    assert text_search(documents_visible_to(alice), "sot xuat huyet").count() == 1
    assert text_search(documents_visible_to(bob), "sot xuat huyet").count() == 0


def test_the_search_is_one_like_per_word_on_the_folded_column() -> None:
    sql = str(text_search(Document.objects.values("pk"), "Đường Giao").query)
    where = sql.split("WHERE", 1)[1]
    assert len(re.findall(r'"search_text"(?:::text)? LIKE', where)) == 2
    assert "%duong%" in where and "%giao%" in where


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index is PostgreSQL's")
def test_postgresql_has_a_trigram_index_the_search_can_use() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'document_search_trgm'")
        row = cursor.fetchone()
        assert row is not None and "gin_trgm_ops" in row[0]
        # With sequential scans off, the planner must be able to answer through the index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # a btree on the ordering is no answer
        plans = {}
        for words in ("giao thong", "152/kh-syt"):
            query, params = (
                text_search(Document.objects.all(), words).values("pk").query.sql_with_params()
            )
            cursor.execute(f"EXPLAIN {query}", params)
            plans[words] = [r[0] for r in cursor.fetchall()]
    for plan in plans.values():
        assert any("document_search_trgm" in line for line in plan), plan
    # The index is asked for the joined notation only; the notation is tested on its rows.
    (asked,) = [line for line in plans["152/kh-syt"] if "Index Cond" in line]
    assert "%152khsyt%" in asked and "kh-syt" not in asked, plans
    assert any("Filter" in line and "152/kh-syt" in line for line in plans["152/kh-syt"]), plans


def test_the_search_text_holds_each_word_of_the_pdf_once(register_incoming: Register) -> None:
    said_twice = (
        "Phun hóa chất phòng sốt xuất huyết tại khối Tân Hòa. "
        "Phun hóa chất lần hai tại khối Tân Hòa."
    )
    letter = register_incoming(
        sender_name="Ủy ban nhân dân tỉnh Nghệ An",
        subject="Tăng cường phòng chống sốt xuất huyết",
        file=upload(make_pdf(said_twice)),
    )
    words = letter.search_text.split()
    # The document's own fields whole, first: a sender is looked for as a phrase.
    fields = "152/kh-svhttdl kh-svhttdl ke hoach tang cuong phong chong sot xuat huyet uy ban nhan"
    assert letter.search_text.startswith(fields)
    assert "uy ban nhan dan tinh nghe an" in letter.search_text
    # Then each word of the PDF that they do not hold, once, in the order it first comes.
    pdf_words = words[words.index("an") + 1 :]
    assert len(pdf_words) == len(set(pdf_words)) and "phun" in pdf_words
    assert pdf_words.index("phun") < pdf_words.index("tan") < pdf_words.index("lan")
    assert not {"phong", "sot", "huyet", "nghe"} & set(pdf_words)  # the fields hold them
    # Every word is still found, the PDF's as the fields'.
    for query in ("phun hoa chat lan hai", "khoi tan hoa", "SỐT XUẤT HUYẾT", "kh-svhttdl"):
        assert list(text_search(Document.objects.all(), query)) == [letter], query
    assert found({"letter": letter}, DocumentFilters(sender="uy ban nhan dan tinh")) == {"letter"}


def test_texts_written_whole_are_rewritten_with_each_pdf_word_once(
    register_incoming: Register,
) -> None:
    from django.apps import apps

    migration = importlib.import_module(
        "chinhquyenso.documents.migrations.0005_search_text_pdf_words_once"
    )
    letter = register_incoming(file=upload(make_pdf("Phun thuốc. Phun thuốc lần hai.")))
    paper = register_incoming(number=153)
    expected = letter.search_text
    head = expected.split(" phun ")[0]
    whole = f"{head} {fold(letter.full_text)}"
    Document.objects.filter(pk=letter.pk).update(search_text=whole)
    Document.objects.filter(pk=paper.pk).update(search_text="viet khac", full_text="")
    migration.pdf_words_once(apps, _editor())
    letter.refresh_from_db()
    paper.refresh_from_db()
    assert whole.count("phun") == 2 and " phun " in letter.search_text
    assert letter.search_text.count("phun") == 1
    assert paper.search_text == "viet khac"  # no PDF text: nothing to rewrite
    # With the joined words the next migration adds, it is what the services write now.
    _joined_words_migration().add_joined_words(apps, _editor())
    letter.refresh_from_db()
    assert letter.search_text == expected


def _editor() -> SimpleNamespace:
    """What the data migrations use of their schema editor."""
    return SimpleNamespace(connection=connection)


def _joined_words_migration():
    return importlib.import_module(
        "chinhquyenso.documents.migrations.0006_search_text_joined_words"
    )


def test_a_word_with_marks_inside_is_found_joined_then_as_it_is(
    register_incoming: Register,
) -> None:
    letter = register_incoming(file=upload(make_pdf("Theo Công văn số 88/SYT-NVY ngày 2/11.")))
    assert "152khsvhttdl khsvhttdl" in letter.search_text and "88sytnvy" in letter.search_text
    # Documents holding the joined letters, or the parts apart, but not the word itself.
    joined_only = register_incoming(number=153, notation="UBND-VP", subject="Mã KHSVHTTDL, 88 SYT")
    apart = register_incoming(number=154, notation="KH-UBND", subject="SVHTTDL phối hợp")
    everyone = Document.objects.all()
    for query in ("kh-svhttdl", "KH-SVHTTDL", "152/KH-SVHTTDL", "88/syt-nvy", "syt-nvy ngay"):
        assert list(text_search(everyone, query)) == [letter], query
    assert set(text_search(everyone, "khsvhttdl")) == {letter, joined_only}
    assert set(text_search(everyone, "svhttdl")) == {letter, joined_only, apart}
    # The index is asked for the joined word; the word itself is tested on the rows it gives.
    where = str(text_search(everyone.values("pk"), "kh-svhttdl ke").query).split("WHERE", 1)[1]
    assert "%khsvhttdl%" in where and "%ke%" in where and "%kh-svhttdl%" not in where
    assert "kh-svhttdl" in where
    # Too short joined (``a-b``) to narrow anything: looked for as it is.
    assert "%a-b%" in str(text_search(everyone.values("pk"), "a-b").query)


def test_existing_texts_are_given_their_joined_words(register_incoming: Register) -> None:
    from django.apps import apps

    letter = register_incoming(file=upload(make_pdf("Theo Công văn số 88/SYT-NVY.")))
    expected = letter.search_text
    before = " ".join(w for w in expected.split() if w not in {"152khsvhttdl", "khsvhttdl"})
    before = before.replace(" 88sytnvy", "")
    assert "khsvhttdl" not in before
    Document.objects.filter(pk=letter.pk).update(search_text=before)
    _joined_words_migration().add_joined_words(apps, _editor())
    letter.refresh_from_db()
    assert letter.search_text == expected
    assert list(text_search(Document.objects.all(), "kh-svhttdl")) == [letter]
    _joined_words_migration().add_joined_words(apps, _editor())  # once is enough
    letter.refresh_from_db()
    assert letter.search_text == expected
