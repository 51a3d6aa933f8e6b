import os
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from chinhquyenso.accounts.models import AccountType, OfficialRole, Role, User
from chinhquyenso.accounts.permissions import units_visible_to
from chinhquyenso.accounts.services import official_set_roles, user_set_password
from chinhquyenso.api.models import ApiClient
from chinhquyenso.api.selectors import api_client_by_key
from chinhquyenso.core.demo import (
    DEMO_ACCOUNTS,
    DEMO_API_KEY,
    DEMO_PASSWORD,
    DemoResult,
    demo_commune_agency_code,
    demo_load,
)
from chinhquyenso.core.management.commands import demo as demo_command
from chinhquyenso.core.models import AuditEntry
from chinhquyenso.units.models import Unit, UnitKind
from chinhquyenso.units.selectors import commune_level_units

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        model.__name__: model.objects.count()
        for model in (Unit, User, OfficialRole, ApiClient, AuditEntry)
    }


def load_only(*args):
    out = StringIO()
    call_command("demo", "--load-only", *args, stdout=out)
    return out.getvalue()


@override_settings(DEMO_MODE=True)
def test_demo_loads_once_and_a_second_run_changes_nothing():
    first = load_only()
    after_first = snapshot()
    second = load_only()
    assert snapshot() == after_first
    assert "0 đơn vị mới, 0 đơn vị cập nhật, 0 tài khoản mới, 0 tài khoản cập nhật" in second
    assert "148 đơn vị mới" in first
    assert after_first["Unit"] == 1 + 130 + 17
    assert after_first["User"] == len(DEMO_ACCOUNTS)
    # The printed table lists every login with the shared password and its unit.
    for account in DEMO_ACCOUNTS:
        line = next(line for line in second.splitlines() if f" {account.login} " in line)
        assert DEMO_PASSWORD in line
    chairman = next(line for line in second.splitlines() if "chutich.thanhvinh" in line)
    assert chairman.startswith("Chủ tịch UBND phường")
    assert chairman.endswith("Phường Thành Vinh")
    assert f"Khóa API của hệ thống “Demo client”: {DEMO_API_KEY}" in second


def test_demo_tree_and_people():
    demo_load()
    province = Unit.objects.get(code="40")
    assert province.kind == UnitKind.PROVINCE
    assert commune_level_units(province).count() == 130
    ward = Unit.objects.get(code="16681")
    assert ward.agency_code == demo_commune_agency_code(0) == "000.00.50.H40"
    assert ward.short_name == "UBND"
    assert (
        Unit.objects.filter(kind__in=[UnitKind.COMMUNE, UnitKind.WARD], agency_code=None).count()
        == 0
    )
    for kind in (
        UnitKind.PROVINCIAL_COMMITTEE,
        UnitKind.SERVICE_CENTRE,
        UnitKind.OPERATIONS_CENTRE,
        UnitKind.FRONT_COMMITTEE,
    ):
        assert Unit.objects.get(kind=kind).get_parent() == province
    held = set(OfficialRole.objects.values_list("role", flat=True))
    assert held == set(Role.values)
    for account in DEMO_ACCOUNTS:
        user = authenticate(username=account.login, password=DEMO_PASSWORD)
        assert user is not None, account.login
        assert user.account_type == account.account_type
    chairman = User.objects.get(email="chutich.thanhvinh@demo.example")
    assert list(units_visible_to(chairman)) == [ward]
    ops = User.objects.get(email="lanhdao.ttdh@demo.example")
    assert units_visible_to(ops).count() == Unit.objects.count()
    assert User.objects.get(phone="0900000001").account_type == AccountType.CITIZEN
    client = api_client_by_key(DEMO_API_KEY)
    assert client is not None and client.name == "Demo client"


def test_a_second_run_restores_what_was_changed_and_audits_only_that():
    demo_load()
    clerk = User.objects.get(email="vanthu.sxd@demo.example")
    user_set_password(user=clerk, password="something-else", by=None)
    official_set_roles(user=clerk, roles=[Role.SPECIALIST], by=None)
    before = AuditEntry.objects.count()
    result = demo_load()
    assert result.accounts_updated == 1
    assert AuditEntry.objects.count() == before + 2
    assert authenticate(username="vanthu.sxd@demo.example", password=DEMO_PASSWORD) == clerk
    assert list(clerk.roles.values_list("role", flat=True)) == [Role.CLERK]


@override_settings(DEBUG=False, DEMO_MODE=False)
def test_demo_refuses_what_looks_like_a_production_postgresql_database():
    if connection.vendor == "postgresql":
        with pytest.raises(CommandError, match="DEBUG và DEMO_MODE đều tắt"):
            load_only()
        assert Unit.objects.count() == 0
        load_only("--force")
    else:
        load_only()
    assert Unit.objects.filter(code="40").exists()


@override_settings(DEBUG=False, DEMO_MODE=True)
def test_serving_migrates_collects_loads_prints_then_execs_gunicorn(monkeypatch):
    steps = []
    monkeypatch.setattr(demo_command, "call_command", lambda name, **kwargs: steps.append(name))
    monkeypatch.setattr(demo_command, "demo_load", lambda: steps.append("load") or DemoResult())
    monkeypatch.setattr(
        demo_command, "demo_logins_table", lambda result: steps.append("print") or "table"
    )

    def fake_exec(path, argv):
        steps.append(("exec", path, argv))
        raise SystemExit(0)

    monkeypatch.setattr(demo_command.os, "execvp", fake_exec)
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("DEBUG", "1")
    monkeypatch.delenv("DEMO_MODE", raising=False)
    with pytest.raises(SystemExit):
        call_command("demo", stdout=StringIO())
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    assert steps == [
        "migrate",
        "collectstatic",
        "load",
        "print",
        (
            "exec",
            gunicorn,
            [gunicorn, "chinhquyenso.wsgi", "--bind", "127.0.0.1:8123", "--workers", "2"],
        ),
    ]
    assert os.environ["DEBUG"] == "0"
    assert os.environ["DEMO_MODE"] == "1"


@override_settings(DEBUG=True, DEMO_MODE=False)
def test_serving_restarts_itself_with_the_server_settings_first(monkeypatch):
    calls = []

    def fake_exec(path, argv):
        calls.append(argv)
        raise SystemExit(0)

    monkeypatch.setattr(demo_command.os, "execvp", fake_exec)
    monkeypatch.setenv("DEBUG", "1")
    with pytest.raises(SystemExit):
        call_command("demo", stdout=StringIO())
    assert calls == [[sys.executable, "-m", "chinhquyenso.cli", "demo"]]
    assert Unit.objects.count() == 0
