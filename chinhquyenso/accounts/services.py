"""Writes on accounts: officials, their roles, citizens and businesses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chinhquyenso.accounts.models import AccountType, OfficialRole, Role, User
from chinhquyenso.accounts.phone import normalise_phone
from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.text import clean_text
from chinhquyenso.units.models import Unit


def _contact(email: str | None, phone: str | None) -> tuple[str | None, str | None]:
    email = clean_text(email).lower() if email else None
    normalised = None
    if phone:
        normalised = normalise_phone(phone)
        if normalised is None:
            raise ValidationError({"phone": _("Số điện thoại không hợp lệ.")})
    if not email and not normalised:
        raise ValidationError(_("Cần có thư điện tử hoặc số điện thoại."))
    if email and User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Thư điện tử này đã được dùng cho tài khoản khác.")})
    if normalised and User.objects.filter(phone=normalised).exists():
        raise ValidationError({"phone": _("Số điện thoại này đã được dùng cho tài khoản khác.")})
    return email, normalised


@transaction.atomic
def official_create(
    *,
    full_name: str,
    unit: Unit,
    roles: Iterable[str],
    password: str | None,
    email: str | None = None,
    phone: str | None = None,
    job_title: str = "",
    by: Any,
) -> User:
    """Create an official of *unit* holding *roles*."""
    email, phone = _contact(email, phone)
    role_list = sorted(set(roles))
    unknown = [r for r in role_list if r not in Role.values]
    if unknown:
        raise ValidationError({"roles": _("Vai trò không hợp lệ: %s") % ", ".join(unknown)})
    user = User(
        email=email,
        phone=phone,
        full_name=clean_text(full_name),
        job_title=clean_text(job_title),
        account_type=AccountType.OFFICIAL,
        unit=unit,
        is_staff=Role.SYSTEM_ADMIN in role_list,
        is_superuser=Role.SYSTEM_ADMIN in role_list,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    OfficialRole.objects.bulk_create(OfficialRole(user=user, role=r) for r in role_list)
    audit_record(
        actor=by,
        action="official.create",
        obj=user,
        changes={"unit": [None, unit.name], "roles": [None, role_list]},
    )
    return user


@transaction.atomic
def official_set_roles(*, user: User, roles: Iterable[str], by: Any) -> User:
    """Replace the roles of official *user*."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_official:
        raise ValidationError(_("Chỉ cán bộ, công chức mới có vai trò."))
    new = sorted(set(roles))
    unknown = [r for r in new if r not in Role.values]
    if unknown:
        raise ValidationError({"roles": _("Vai trò không hợp lệ: %s") % ", ".join(unknown)})
    old = sorted(user.roles.values_list("role", flat=True))
    if old == new:
        return user
    user.roles.exclude(role__in=new).delete()
    OfficialRole.objects.bulk_create(
        [OfficialRole(user=user, role=r) for r in new if r not in old]
    )
    is_admin = Role.SYSTEM_ADMIN in new
    User.objects.filter(pk=user.pk).update(is_staff=is_admin, is_superuser=is_admin)
    audit_record(actor=by, action="official.set_roles", obj=user, changes={"roles": [old, new]})
    user.refresh_from_db()
    return user


@transaction.atomic
def applicant_register(
    *,
    full_name: str,
    password: str | None,
    email: str | None = None,
    phone: str | None = None,
    account_type: str = AccountType.CITIZEN,
    organisation_name: str = "",
    tax_code: str = "",
    by: Any = None,
) -> User:
    """Register a citizen or business account, identified by e-mail or phone number."""
    if account_type not in (AccountType.CITIZEN, AccountType.BUSINESS):
        raise ValidationError({"account_type": _("Loại tài khoản không hợp lệ.")})
    if account_type == AccountType.BUSINESS and not organisation_name.strip():
        raise ValidationError({"organisation_name": _("Cần có tên doanh nghiệp, tổ chức.")})
    email, phone = _contact(email, phone)
    user = User(
        email=email,
        phone=phone,
        full_name=clean_text(full_name),
        account_type=account_type,
        organisation_name=clean_text(organisation_name),
        tax_code=clean_text(tax_code),
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=by or user, action="applicant.register", obj=user)
    return user
