"""Versions: a change is a new version from a day; what dossiers were submitted under stays."""

from __future__ import annotations

import datetime as dt

import pytest

from chinhquyenso.core.models import AuditEntry
from chinhquyenso.procedures.models import Procedure, ProcedureVersion
from chinhquyenso.procedures.selectors import version_content, version_in_force
from chinhquyenso.procedures.services import ProcedureError, procedure_version_create

from .conftest import procedure_item

pytestmark = pytest.mark.django_db

JAN = dt.date(2026, 1, 1)
JUL = dt.date(2026, 7, 1)


def two_day_item(**changes):
    steps = [
        {"name": "Tiếp nhận", "actor": "receiving", "role": "one_stop_officer", "days": 0.5},
        {"name": "Thẩm tra", "actor": "handling", "role": "specialist", "days": 1},
        {"name": "Ký", "actor": "handling", "role": "unit_leader", "days": 0.5},
    ]
    fees = [{"name": "Lệ phí đăng ký khai sinh", "amount": 10000}]
    return procedure_item(processing_days=2, steps=steps, fees=fees, **changes)


def snapshot(version: ProcedureVersion):
    version.refresh_from_db()
    return (
        version_content(version),
        [(c.pk, c.code, c.name) for c in version.components.all()],
        [(s.pk, s.order, s.days) for s in version.steps.all()],
        [(f.pk, f.amount) for f in version.fees.all()],
    )


def test_changed_content_makes_a_new_version_and_closes_the_old_one(import_items):
    import_items(procedure_item(), valid_from=JAN)
    procedure = Procedure.objects.get()
    old = ProcedureVersion.objects.get()
    old_rules = snapshot(old)

    report = import_items(two_day_item(), valid_from=JUL)

    assert report.versioned == ["1.001193"]
    new = ProcedureVersion.objects.get(number=2)
    assert (new.valid_from, new.valid_to) == (JUL, None)
    old.refresh_from_db()
    assert old.valid_to == dt.date(2026, 6, 30)
    # The old version's rules, components, steps and fees are the same rows, unchanged.
    assert snapshot(old) == old_rules
    assert version_in_force(procedure, dt.date(2026, 6, 30)) == old
    assert version_in_force(procedure, JUL) == new
    assert version_in_force(procedure, dt.date(2025, 12, 31)) is None
    assert new.processing_days == 2 and new.fee_total == 10000 and old.fee_total == 0
    entry = AuditEntry.objects.filter(action="procedures.version_create").get()
    assert entry.changes["number"] == [1, 2]
    assert entry.changes["processing_days"] == [1, 2]


def test_a_new_version_must_start_after_the_newest_one(import_items):
    import_items(procedure_item(), valid_from=JUL)
    procedure = Procedure.objects.get()
    content = version_content(ProcedureVersion.objects.get())
    with pytest.raises(ProcedureError, match="phiên bản mới phải có hiệu lực từ sau ngày đó"):
        procedure_version_create(procedure=procedure, content=content, valid_from=JUL, by=None)
    from chinhquyenso.procedures.services import procedures_import

    from .conftest import as_json

    report = procedures_import(source=as_json(two_day_item()), fmt="json", by=None, valid_from=JAN)
    assert report.errors == [
        "Mục 1 (dòng 3, mã 1.001193): thủ tục 1.001193 đã có phiên bản 1 hiệu lực từ 01/07/2026; "
        "nội dung mới phải có ngày hiệu lực sau ngày đó (tham số ngày hiệu lực hoặc valid_from)."
    ]


def test_an_item_may_carry_its_own_start_date(import_items):
    import_items(procedure_item(), valid_from=JAN)
    import_items(two_day_item(valid_from="01/03/2026"), valid_from=JUL)
    assert ProcedureVersion.objects.get(number=2).valid_from == dt.date(2026, 3, 1)


def test_renamed_procedure_takes_the_new_name_and_is_found_by_it(import_items):
    import_items(procedure_item(), valid_from=JAN)
    import_items(procedure_item(name="Đăng ký khai sinh cho trẻ em"), valid_from=JUL)
    procedure = Procedure.objects.get()
    assert procedure.name == "Đăng ký khai sinh cho trẻ em"
    assert "tre em" in procedure.search_text
    assert version_in_force(procedure, JAN).name == "Đăng ký khai sinh"


def test_version_in_force_defaults_to_today_in_local_time(import_items, settings):
    import_items(procedure_item())
    procedure = Procedure.objects.get()
    assert version_in_force(procedure) == ProcedureVersion.objects.get()
