"""Payments cast and helpers, on top of the project-wide cast (``chinhquyenso/conftest.py``).

Units: ``province`` › ``commune`` (alice, specialist; ``counter_officer``, its one-stop officer),
``other_commune`` (bob), ``service_centre`` (``centre_officer``, one-stop officer of the Public
Administration Service Centre); ``leader`` leads the province; ``charlie`` is a citizen and
``dana`` another one. Payments are made through the real services; gateway messages are built
as VNPAY builds them and signed with the installation's merchant secret.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import applicant_register, official_create
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.payments import services, vnpay
from chinhquyenso.payments.models import Payment
from chinhquyenso.units.models import Unit, UnitKind
from chinhquyenso.units.services import unit_create

FEE = 150_000


@pytest.fixture
def service_centre(province: Unit) -> Unit:
    return unit_create(
        parent=province,
        kind=UnitKind.SERVICE_CENTRE,
        name="Trung tâm Phục vụ hành chính công tỉnh",
        code="TTPVHCC40",
        by=None,
    )


@pytest.fixture
def centre_officer(service_centre: Unit) -> User:
    return official_create(
        full_name="Hoàng Thị Hà",
        unit=service_centre,
        roles=[Role.ONE_STOP_OFFICER],
        email="centre@example.vn",
        password=PASSWORD,
        by=None,
    )


@pytest.fixture
def counter_officer(commune: Unit) -> User:
    return official_create(
        full_name="Đinh Văn Cường",
        unit=commune,
        roles=[Role.ONE_STOP_OFFICER],
        email="counter@example.vn",
        password=PASSWORD,
        by=None,
    )


@pytest.fixture
def dana(db: None) -> User:
    """Another citizen."""
    return applicant_register(full_name="Vũ Thị Dung", phone="0987 654 321", password=PASSWORD)


@pytest.fixture
def make_payment(commune: Unit) -> Callable[..., Payment]:
    def make(**overrides: Any) -> Payment:
        values: dict[str, Any] = {
            "purpose": "dossier_fee",
            "reference": "000.00.01.H40-260310-0001",
            "amount": FEE,
            "order_info": "Lệ phí hồ sơ 000.00.01.H40-260310-0001: cấp giấy phép xây dựng",
            "payer": None,
            "by": None,
            "unit": commune,
        }
        values.update(overrides)
        return services.payment_create(**values)

    return make


@pytest.fixture
def payment(make_payment: Callable[..., Payment], charlie: User) -> Payment:
    """A pending fee of 150.000 đ that charlie pays, collected by the commune, started."""
    made = make_payment(payer=charlie, by=charlie)
    services.payment_start(
        payment=made,
        return_url="http://testserver" + reverse("payments:return"),
        client_ip="203.0.113.7",
        locale="vi",
        next_url="/ho-so/000.00.01.H40-260310-0001/",
        by=charlie,
    )
    made.refresh_from_db()
    return made


def gateway_message(
    payment: Payment,
    *,
    response_code: str = "00",
    status: str = "00",
    amount: int | None = None,
    tmn_code: str | None = None,
    **extra: str,
) -> dict[str, str]:
    """The signed fields VNPAY sends (IPN and return) for *payment*."""
    params = {
        "vnp_Amount": str((payment.amount if amount is None else amount) * 100),
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14226112",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": vnpay.order_info_text(payment.order_info),
        "vnp_PayDate": "20260310153000",
        "vnp_ResponseCode": response_code,
        "vnp_TmnCode": tmn_code or vnpay.merchant().tmn_code,
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionStatus": status,
        "vnp_TxnRef": payment.txn_ref,
        **extra,
    }
    params["vnp_SecureHash"] = vnpay.sign(params, vnpay.merchant().hash_secret)
    return params


@pytest.fixture
def signed() -> Callable[..., dict[str, str]]:
    return gateway_message


@pytest.fixture(autouse=True)
def no_other_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests pay fees for dossiers that do not exist: other apps' handlers stay out."""
    monkeypatch.setattr(services, "PAYMENT_HANDLERS", {})


@pytest.fixture
def paid_handler(monkeypatch: pytest.MonkeyPatch) -> list[Payment]:
    """Registers a handler for "dossier_fee" that records the payments it is called with."""
    calls: list[Payment] = []
    services.register_payment_handler("dossier_fee", calls.append)
    return calls
