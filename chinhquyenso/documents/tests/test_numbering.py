"""Numbers from 01 each year per register, notations per Decree 30, the document types table,
and two clerks numbering at the same instant (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from chinhquyenso.accounts.models import User
from chinhquyenso.core.clock import clock_at
from chinhquyenso.documents.errors import DocumentError
from chinhquyenso.documents.models import (
    Direction,
    Document,
    DocumentType,
    RegisterCounter,
    Secrecy,
    Series,
)
from chinhquyenso.documents.numbering import (
    format_reference,
    notation_for,
    parse_reference,
    take_number,
)
from chinhquyenso.documents.services import register_for
from chinhquyenso.documents.tests.conftest import Register, doc_type, local
from chinhquyenso.units.models import Unit

pytestmark = pytest.mark.django_db


# --- the table of types --------------------------------------------------------------------


def test_the_29_types_of_decree_30_with_their_abbreviations() -> None:
    decree = DocumentType.objects.filter(sort_order__lt=100)
    assert decree.count() == 29
    abbreviations = dict(decree.values_list("name", "abbreviation"))
    assert abbreviations["Quyết định"] == "QĐ"
    assert abbreviations["Quy định"] == "QyĐ"
    assert abbreviations["Chương trình"] == "CTr"
    assert abbreviations["Tờ trình"] == "TTr"
    assert abbreviations["Giấy nghỉ phép"] == "GNP"
    assert abbreviations["Phiếu báo"] == "PB"
    # A công văn and a thư công have no abbreviation in Appendix III.
    assert abbreviations["Công văn"] == ""
    assert abbreviations["Thư công"] == ""
    # Legal documents received from above come after them.
    assert doc_type("nghi-dinh").abbreviation == "NĐ"


# --- notation ------------------------------------------------------------------------------


def test_notation_of_a_named_type_and_of_a_cong_van(commune: Unit) -> None:
    assert notation_for(doc_type("quyet-dinh"), commune) == "QĐ-UBND"
    assert notation_for(doc_type("ke-hoach"), commune, "VX") == "KH-UBND"
    assert notation_for(doc_type("cong-van"), commune, "VX") == "UBND-VX"
    assert notation_for(doc_type("cong-van"), commune) == "UBND"
    assert format_reference(5, "QĐ-UBND") == "05/QĐ-UBND"
    assert format_reference(15, "UBND-VX") == "15/UBND-VX"


def test_notation_needs_the_units_abbreviation(other_commune: Unit, commune: Unit) -> None:
    with pytest.raises(DocumentError) as missing:
        notation_for(doc_type("quyet-dinh"), other_commune)
    assert "chưa có tên viết tắt" in missing.value.messages[0]
    with pytest.raises(DocumentError) as bad:
        notation_for(doc_type("cong-van"), commune, "V/X")
    assert bad.value.field == "drafting_unit_abbreviation"


def test_a_reference_is_read_as_printed() -> None:
    assert parse_reference("15/QĐ-UBND") == (15, "QĐ-UBND")
    assert parse_reference("Số: 05/UBND-VX") == (5, "UBND-VX")
    assert parse_reference("30/2020/NĐ-CP") == (30, "2020/NĐ-CP")
    assert parse_reference("QĐ-UBND") is None


# --- numbers ------------------------------------------------------------------------------


def test_numbers_start_from_one_each_year_in_each_register(commune: Unit) -> None:
    incoming = register_for(commune, Direction.INCOMING)
    secret = register_for(commune, Direction.INCOMING, Series.SECRET)
    outgoing = register_for(commune, Direction.OUTGOING)
    assert register_for(commune, Direction.INCOMING) == incoming  # created once
    with transaction.atomic():
        assert [take_number(incoming, 2026) for _ in range(3)] == [1, 2, 3]
        assert take_number(secret, 2026) == 1
        assert take_number(outgoing, 2026) == 1
        assert take_number(incoming, 2027) == 1
        assert take_number(incoming, 2026) == 4
    assert RegisterCounter.objects.get(register=incoming, year=2026).last_number == 4


@pytest.mark.django_db(transaction=True)
def test_a_number_is_taken_only_inside_the_writes_transaction(commune: Unit) -> None:
    register = register_for(commune, Direction.INCOMING)
    with pytest.raises(RuntimeError):
        take_number(register, 2026)


def test_a_failed_write_gives_its_number_back(commune: Unit) -> None:
    register = register_for(commune, Direction.INCOMING)
    with pytest.raises(ValueError), transaction.atomic():
        assert take_number(register, 2026) == 1
        raise ValueError("the write failed after taking the number")
    with transaction.atomic():
        assert take_number(register, 2026) == 1


def test_arrival_numbers_restart_on_the_first_of_january(register_incoming: Register) -> None:
    with clock_at(local("31/12/2026 16:00")):
        last_of_year = [register_incoming(), register_incoming()]
    with clock_at(local("02/01/2027 08:00")):
        first_of_year = register_incoming()
    assert [(d.year, d.arrival_number) for d in last_of_year] == [(2026, 1), (2026, 2)]
    assert (first_of_year.year, first_of_year.arrival_number) == (2027, 1)


def test_secret_documents_are_numbered_in_their_own_series(
    register_incoming: Register,
) -> None:
    first = register_incoming()
    secret = register_incoming(secrecy=Secrecy.CONFIDENTIAL, file=None)
    second = register_incoming()
    assert (first.arrival_number, second.arrival_number) == (1, 2)
    assert secret.arrival_number == 1
    assert secret.register is not None and secret.register.series == Series.SECRET


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_clerks_registering_at_the_same_instant_get_distinct_gap_free_numbers(
    register_incoming: Register, clerk: User, plan_pdf: bytes
) -> None:
    """Twelve registrations at once (two clerks' worth of browser tabs): twelve numbers, 1–12.

    SQLite serialises every write transaction, so there is no race to test there."""
    count = 12
    start = threading.Barrier(count)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        start.wait()
        try:
            numbers.append(register_incoming().arrival_number or 0)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(numbers) == list(range(1, count + 1))
    assert Document.objects.filter(direction=Direction.INCOMING).count() == count


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_take_number_under_contention_loses_and_repeats_nothing(commune: Unit) -> None:
    register = register_for(commune, Direction.OUTGOING)
    count = 20
    start = threading.Barrier(count)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def work(fail: bool) -> None:
        start.wait()
        try:
            with transaction.atomic():
                number = take_number(register, 2026)
                if fail:
                    raise RuntimeError("rolled back")
                numbers.append(number)
        except RuntimeError:
            pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    # Every fourth write fails after taking its number: it must give it back.
    threads = [threading.Thread(target=work, args=(i % 4 == 3,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    kept = count - count // 4
    assert sorted(numbers) == list(range(1, kept + 1))
    assert RegisterCounter.objects.get(register=register, year=2026).last_number == kept
