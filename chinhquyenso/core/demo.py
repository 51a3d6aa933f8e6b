"""Demo data: Nghệ An's unit tree, a login for every role, a citizen, a business, an API client.

Loading is idempotent: every step looks for what is already there and calls a service only for
what is missing or different, so a second run writes nothing (not even audit rows).

Safety rule: demo logins share one known password and include a system administrator, so the
demo refuses to load into a PostgreSQL database while both ``DEBUG`` and ``DEMO_MODE`` are off
(that looks like a production system) unless ``--force`` is given. SQLite databases, debug
installations and ``DEMO_MODE=1`` installations load without it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chinhquyenso.accounts.models import AccountType, Role, User
from chinhquyenso.accounts.services import (
    applicant_register,
    official_create,
    official_set_roles,
    user_set_active,
    user_set_password,
    user_update,
)
from chinhquyenso.api.models import ApiClient, ApiScope
from chinhquyenso.api.services import api_client_create, api_client_update
from chinhquyenso.documents.demo import documents_demo_load
from chinhquyenso.dossiers.demo import dossiers_demo_load
from chinhquyenso.feedback.demo import feedback_demo_load
from chinhquyenso.procedures.demo import procedures_demo_load
from chinhquyenso.units.importing import ImportResult, read_unit_file, units_import
from chinhquyenso.units.models import COMMUNE_LEVEL_KINDS, Unit

DEMO_PASSWORD = "demo12345"  # noqa: S105  # the published demo password, printed on load
DEMO_API_CLIENT_NAME = "Demo client"
DEMO_API_KEY = "demo-api-key"
PROVINCE_CODE = "40"
DATA_DIR = Path(__file__).resolve().parent.parent / "units" / "data"
COMMUNES_FILE = DATA_DIR / "nghe_an_communes.json"
AGENCIES_FILE = DATA_DIR / "nghe_an_agencies.json"
#: The ward the commune-level demo logins work in.
DEMO_COMMUNE_CODE = "16681"  # Phường Thành Vinh


@dataclass(frozen=True)
class DemoAccount:
    """One demo login: an official (with *unit_code* and *roles*), a citizen or a business."""

    title: str
    login: str
    full_name: str
    account_type: str = AccountType.OFFICIAL
    unit_code: str | None = None
    roles: tuple[str, ...] = ()
    job_title: str = ""
    organisation_name: str = ""
    tax_code: str = ""

    @property
    def is_phone(self) -> bool:
        return "@" not in self.login


def _official(title: str, login: str, name: str, unit: str, role: str, job: str) -> DemoAccount:
    return DemoAccount(
        title=title,
        login=f"{login}@demo.example",
        full_name=name,
        unit_code=unit,
        roles=(role,),
        job_title=job,
    )


DEMO_ACCOUNTS = (
    _official("Văn thư sở", "vanthu.sxd", "Nguyễn Thị Thu", "40-SXD", Role.CLERK, "Văn thư"),
    _official(
        "Văn thư sở (đất đai)", "vanthu.snnmt", "Lương Thị Nga", "40-SNNMT", Role.CLERK, "Văn thư"
    ),
    _official(
        "Chuyên viên sở",
        "chuyenvien.sxd",
        "Trần Văn Chung",
        "40-SXD",
        Role.SPECIALIST,
        "Chuyên viên",
    ),
    _official(
        "Lãnh đạo sở", "giamdoc.sxd", "Lê Minh Đức", "40-SXD", Role.UNIT_LEADER, "Giám đốc Sở"
    ),
    _official(
        "Chuyên viên sở (đất đai)",
        "chuyenvien.snnmt",
        "Phan Văn Thành",
        "40-SNNMT",
        Role.SPECIALIST,
        "Chuyên viên",
    ),
    _official(
        "Lãnh đạo sở (đất đai)",
        "giamdoc.snnmt",
        "Hồ Thị Minh",
        "40-SNNMT",
        Role.UNIT_LEADER,
        "Giám đốc Sở",
    ),
    _official(
        "Chuyên viên sở (doanh nghiệp)",
        "chuyenvien.stc",
        "Đào Thị Hằng",
        "40-STC",
        Role.SPECIALIST,
        "Chuyên viên",
    ),
    _official(
        "Lãnh đạo sở (doanh nghiệp)",
        "giamdoc.stc",
        "Cao Văn Thắng",
        "40-STC",
        Role.UNIT_LEADER,
        "Giám đốc Sở",
    ),
    _official(
        "Cán bộ một cửa tỉnh",
        "motcua.ttpvhcc",
        "Phạm Thị Hoa",
        "40-TTPVHCC",
        Role.ONE_STOP_OFFICER,
        "Công chức tiếp nhận hồ sơ",
    ),
    _official(
        "Cán bộ một cửa phường",
        "motcua.thanhvinh",
        "Hoàng Văn Nam",
        DEMO_COMMUNE_CODE,
        Role.ONE_STOP_OFFICER,
        "Công chức tiếp nhận hồ sơ",
    ),
    _official(
        "Chuyên viên phường",
        "chuyenvien.thanhvinh",
        "Võ Thị Lan",
        DEMO_COMMUNE_CODE,
        Role.SPECIALIST,
        "Công chức",
    ),
    _official(
        "Văn thư phường",
        "vanthu.thanhvinh",
        "Đặng Thị Mai",
        DEMO_COMMUNE_CODE,
        Role.CLERK,
        "Văn thư",
    ),
    _official(
        "Chủ tịch UBND phường",
        "chutich.thanhvinh",
        "Nguyễn Văn Hùng",
        DEMO_COMMUNE_CODE,
        Role.UNIT_LEADER,
        "Chủ tịch UBND phường",
    ),
    _official(
        "Lãnh đạo Trung tâm điều hành",
        "lanhdao.ttdh",
        "Bùi Quang Hải",
        "40-TTDH",
        Role.OPERATIONS_LEADER,
        "Giám đốc Trung tâm",
    ),
    _official(
        "Cán bộ Mặt trận tỉnh", "canbo.mttq", "Đinh Thị Hạnh", "40-MTTQ", Role.SPECIALIST, "Cán bộ"
    ),
    _official(
        "Quản trị hệ thống",
        "quantri",
        "Ngô Văn Quang",
        "40-SKHCN",
        Role.SYSTEM_ADMIN,
        "Quản trị hệ thống",
    ),
    DemoAccount(
        title="Người dân",
        login="0900000001",
        full_name="Trần Thị Dân",
        account_type=AccountType.CITIZEN,
    ),
    DemoAccount(
        title="Doanh nghiệp",
        login="doanhnghiep@demo.example",
        full_name="Lê Văn Doanh",
        account_type=AccountType.BUSINESS,
        organisation_name="Công ty TNHH Xây dựng Minh Phát (dữ liệu mẫu)",
        tax_code="2901234567",
    ),
)


@dataclass
class DemoResult:
    units_created: int = 0
    units_updated: int = 0
    accounts_created: int = 0
    accounts_updated: int = 0
    api_client_created: bool = False
    feedback_reports_created: int = 0
    procedures_created: int = 0
    dossiers_created: int = 0
    incoming_documents_created: int = 0
    outgoing_documents_created: int = 0
    outgoing_documents_issued: int = 0
    logins: list[tuple[str, str, str, str]] = dataclasses.field(default_factory=list)


def demo_load_refusal(*, force: bool = False) -> str | None:
    """Why demo data must not load here (see the module docstring), or ``None`` if it may."""
    if force or settings.DEBUG or settings.DEMO_MODE or connection.vendor != "postgresql":
        return None
    return _(
        "Không nạp dữ liệu mẫu: cơ sở dữ liệu là PostgreSQL trong khi DEBUG và DEMO_MODE đều tắt, "
        "có thể đây là hệ thống thật. Đặt DEMO_MODE=1, hoặc thêm --force nếu chắc chắn."
    )


def demo_commune_agency_code(index: int) -> str:
    """DEMO electronic agency ID of the *index*-th commune (0-based, in the order of the list).

    Shaped like a QCVN 102:2016 code of province H40, in blocks ``50``, ``51``, … that no demo
    agency uses; the real IDs come from the province's registry.
    """
    block, position = divmod(index, 100)
    return f"000.{position:02d}.{50 + block}.H40"


def _load_units(result: DemoResult) -> None:
    """The official list of province 40 and its communes, then its agencies.

    Communes get DEMO agency IDs and the short name ``UBND`` that their People's Committee
    uses in document notations (``12/UBND-VP``); neither is part of the official list.
    """
    commune_rows = read_unit_file(COMMUNES_FILE)
    commune_kinds = {str(k) for k in COMMUNE_LEVEL_KINDS}
    communes = [row for row in commune_rows if row.kind in commune_kinds]
    demo_codes = {row.code: demo_commune_agency_code(i) for i, row in enumerate(communes)}
    with_demo_values = [
        dataclasses.replace(row, agency_code=demo_codes[row.code], short_name="UBND")
        if row.code in demo_codes
        else row
        for row in commune_rows
    ]
    imports: list[ImportResult] = [
        units_import(rows=with_demo_values, by=None),
        units_import(rows=read_unit_file(AGENCIES_FILE), by=None),
    ]
    result.units_created += sum(len(r.created) for r in imports)
    result.units_updated += sum(len(r.updated) for r in imports)


def _find_account(account: DemoAccount) -> User | None:
    condition = Q(phone=account.login) if account.is_phone else Q(email__iexact=account.login)
    return User.objects.filter(condition).first()


def _contact(account: DemoAccount) -> dict[str, str | None]:
    if account.is_phone:
        return {"phone": account.login, "email": None}
    return {"email": account.login, "phone": None}


def _create_account(account: DemoAccount) -> User:
    if account.account_type == AccountType.OFFICIAL:
        return official_create(
            full_name=account.full_name,
            unit=Unit.objects.get(code=account.unit_code),
            roles=account.roles,
            password=DEMO_PASSWORD,
            job_title=account.job_title,
            by=None,
            **_contact(account),
        )
    return applicant_register(
        full_name=account.full_name,
        password=DEMO_PASSWORD,
        account_type=account.account_type,
        organisation_name=account.organisation_name,
        tax_code=account.tax_code,
        consent_given=True,
        by=None,
        **_contact(account),
    )


def _refresh_account(user: User, account: DemoAccount) -> bool:
    """Bring an existing demo account back to its demo state; ``True`` if anything changed."""
    if user.account_type != account.account_type:
        raise ValidationError(
            _(
                "Tài khoản %(login)s đã có nhưng là loại “%(kind)s”, "
                "không dùng làm tài khoản mẫu được."
            )
            % {"login": account.login, "kind": user.get_account_type_display()}
        )
    fields: dict[str, Any] = {"full_name": account.full_name}
    if account.account_type == AccountType.OFFICIAL:
        fields.update(unit=Unit.objects.get(code=account.unit_code), job_title=account.job_title)
    if account.account_type == AccountType.BUSINESS:
        fields.update(organisation_name=account.organisation_name, tax_code=account.tax_code)
    changed = any(getattr(user, key) != value for key, value in fields.items())
    if changed:
        user = user_update(user=user, by=None, **fields)
    if account.account_type == AccountType.OFFICIAL:
        held = sorted(user.roles.values_list("role", flat=True))
        if held != sorted(account.roles):
            official_set_roles(user=user, roles=account.roles, by=None)
            changed = True
    if not user.check_password(DEMO_PASSWORD):
        user_set_password(user=user, password=DEMO_PASSWORD, by=None)
        changed = True
    if not user.is_active:
        user_set_active(user=user, is_active=True, by=None)
        changed = True
    return changed


def _load_accounts(result: DemoResult) -> None:
    units = {u.code: u.name for u in Unit.objects.filter(code__isnull=False).only("code", "name")}
    for account in DEMO_ACCOUNTS:
        user = _find_account(account)
        if user is None:
            _create_account(account)
            result.accounts_created += 1
        elif _refresh_account(user, account):
            result.accounts_updated += 1
        unit_name = units[account.unit_code] if account.unit_code else "—"
        result.logins.append((account.title, account.login, DEMO_PASSWORD, unit_name))


def _load_api_client(result: DemoResult) -> None:
    client = ApiClient.objects.filter(name=DEMO_API_CLIENT_NAME).first()
    if client is None:
        api_client_create(
            name=DEMO_API_CLIENT_NAME,
            scopes=ApiScope.values,
            units=(),
            key=DEMO_API_KEY,
            by=None,
        )
        result.api_client_created = True
    elif set(ApiScope.values) - set(client.scopes) or client.units.exists():
        # Scopes added by later versions are granted to the demo client too.
        api_client_update(client=client, scopes=ApiScope.values, units=(), by=None)


@transaction.atomic
def demo_load(
    *,
    feedback_reports: int | None = None,
    dossiers: int | None = None,
    outgoing_documents: bool | None = None,
) -> DemoResult:
    """Load (or bring back) the demo data; all or nothing.

    *feedback_reports*: how many demo feedback reports in all (default ``FEEDBACK_DEMO_REPORTS``).
    *dossiers*: how many demo dossiers in all (default ``DOSSIER_DEMO_COUNT``).
    *outgoing_documents*: load the outgoing documents, some signed and issued (default
    ``DOCUMENTS_DEMO_OUTGOING``).
    """
    result = DemoResult()
    _load_units(result)
    _load_accounts(result)
    _load_api_client(result)
    result.procedures_created = len(procedures_demo_load().created)
    result.dossiers_created = dossiers_demo_load(dossiers=dossiers).dossiers_created
    if feedback_reports is None:
        feedback_reports = settings.FEEDBACK_DEMO_REPORTS
    result.feedback_reports_created = feedback_demo_load(reports=feedback_reports).reports_created
    if outgoing_documents is None:
        outgoing_documents = settings.DOCUMENTS_DEMO_OUTGOING
    # Signed through the demo PKI: only where its root is trusted (demo and development). First,
    # so that the incoming demo finds what was issued to its units and accepts part of it.
    if outgoing_documents and settings.SIGNING_TRUST_DEMO_ROOT:
        # Imported here: the signing demo reads this module's demo accounts.
        from chinhquyenso.documents.demo_outgoing import outgoing_demo_load

        with _quiet_signing_logs():
            outgoing = outgoing_demo_load()
        result.outgoing_documents_created = outgoing.created
        result.outgoing_documents_issued = outgoing.issued
    result.incoming_documents_created = documents_demo_load().incoming_created
    return result


@contextlib.contextmanager
def _quiet_signing_logs() -> Iterator[None]:
    """The signing library notes every chain it builds and that the demo fetches no revocation
    data; for demo documents signed by the demo PKI that is only noise on the console."""
    loggers = [logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def demo_logins_table(result: DemoResult) -> str:
    """The demo logins as a plain-text table (role, login, password, unit)."""
    header = (_("Vai trò"), _("Đăng nhập"), _("Mật khẩu"), _("Đơn vị"))
    rows = [header, *result.logins]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(
        _("Khóa API của hệ thống “%(name)s”: %(key)s")
        % {"name": DEMO_API_CLIENT_NAME, "key": DEMO_API_KEY}
    )
    return "\n".join(lines)
