"""Writes on accounts: officials, their roles, citizens and businesses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhquyenso.accounts.models import AccountType, OfficialRole, Role, User
from chinhquyenso.accounts.phone import normalise_phone
from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.text import clean_text
from chinhquyenso.units.models import Unit


def _clean_email(email: str | None) -> str | None:
    return clean_text(email).lower() if email and email.strip() else None


def _clean_phone(phone: str | None) -> str | None:
    if not phone or not phone.strip():
        return None
    normalised = normalise_phone(phone)
    if normalised is None:
        raise ValidationError({"phone": _("Số điện thoại không hợp lệ.")})
    return normalised


def clean_contact(
    email: str | None, phone: str | None, *, exclude_pk: int | None = None
) -> tuple[str | None, str | None]:
    """Normalised e-mail and phone, checked to be present and not used by another account."""
    email = _clean_email(email)
    normalised = _clean_phone(phone)
    if not email and not normalised:
        raise ValidationError(_("Cần có thư điện tử hoặc số điện thoại."))
    others = User.objects.exclude(pk=exclude_pk) if exclude_pk else User.objects.all()
    if email and others.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Thư điện tử này đã được dùng cho tài khoản khác.")})
    if normalised and others.filter(phone=normalised).exists():
        raise ValidationError({"phone": _("Số điện thoại này đã được dùng cho tài khoản khác.")})
    return email, normalised


def clean_roles(roles: Iterable[str]) -> list[str]:
    """The distinct roles of *roles*, sorted; ``ValidationError`` for an unknown one."""
    role_list = sorted(set(roles))
    unknown = [r for r in role_list if r not in Role.values]
    if unknown:
        raise ValidationError({"roles": _("Vai trò không hợp lệ: %s") % ", ".join(unknown)})
    return role_list


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
    email, phone = clean_contact(email, phone)
    role_list = clean_roles(roles)
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
    new = clean_roles(roles)
    old = sorted(user.roles.values_list("role", flat=True))
    if old == new:
        return user
    user.roles.exclude(role__in=new).delete()
    OfficialRole.objects.bulk_create([OfficialRole(user=user, role=r) for r in new if r not in old])
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
    consent_given: bool = False,
    by: Any = None,
) -> User:
    """Register a citizen or business account, identified by e-mail or phone number.

    *consent_given* records that the person agreed to the processing of their personal data
    for the purposes stated on the registration page (Decree 13/2023/NĐ-CP Art. 11).
    """
    if account_type not in (AccountType.CITIZEN, AccountType.BUSINESS):
        raise ValidationError({"account_type": _("Loại tài khoản không hợp lệ.")})
    if account_type == AccountType.BUSINESS and not organisation_name.strip():
        raise ValidationError({"organisation_name": _("Cần có tên doanh nghiệp, tổ chức.")})
    email, phone = clean_contact(email, phone)
    user = User(
        email=email,
        phone=phone,
        full_name=clean_text(full_name),
        account_type=account_type,
        organisation_name=clean_text(organisation_name),
        tax_code=clean_text(tax_code),
        personal_data_consent_at=timezone.now() if consent_given else None,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=by or user, action="applicant.register", obj=user)
    return user


#: Fields :func:`user_update` may change, by account type; roles, password and activity have
#: their own services.
UPDATABLE_FIELDS_BY_TYPE = {
    AccountType.OFFICIAL: ("full_name", "email", "phone", "unit", "job_title"),
    AccountType.CITIZEN: ("full_name", "email", "phone"),
    AccountType.BUSINESS: ("full_name", "email", "phone", "organisation_name", "tax_code"),
}


def _display(value: Any) -> Any:
    return str(value) if isinstance(value, Unit) else value


@transaction.atomic
def user_update(*, user: User, by: Any, **fields: Any) -> User:
    """Change the profile of *user*; no audit row when nothing changes.

    Officials: ``full_name``, ``email``, ``phone``, ``unit``, ``job_title``; citizens:
    ``full_name``, ``email``, ``phone``; businesses also ``organisation_name``, ``tax_code``.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    allowed = UPDATABLE_FIELDS_BY_TYPE[AccountType(user.account_type)]
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"user_update() cannot change {', '.join(unknown)} of this account")
    cleaned = dict(fields)
    for key in ("full_name", "job_title", "organisation_name", "tax_code"):
        if key in cleaned:
            cleaned[key] = clean_text(cleaned[key] or "")
    if "full_name" in cleaned and not cleaned["full_name"]:
        raise ValidationError({"full_name": _("Cần có họ và tên.")})
    if "email" in cleaned or "phone" in cleaned:
        cleaned["email"], cleaned["phone"] = clean_contact(
            cleaned.get("email", user.email), cleaned.get("phone", user.phone), exclude_pk=user.pk
        )
    if "unit" in cleaned and cleaned["unit"] is None:
        raise ValidationError({"unit": _("Cán bộ, công chức phải thuộc một đơn vị.")})
    if (
        user.account_type == AccountType.BUSINESS
        and "organisation_name" in cleaned
        and not (cleaned["organisation_name"])
    ):
        raise ValidationError({"organisation_name": _("Cần có tên doanh nghiệp, tổ chức.")})
    changes = {
        key: [_display(getattr(user, key)), _display(value)]
        for key, value in cleaned.items()
        if getattr(user, key) != value
    }
    if not changes:
        return user
    for key in changes:
        setattr(user, key, cleaned[key])
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(changes))
    audit_record(actor=by, action="user.update", obj=user, changes=changes)
    return user


@transaction.atomic
def user_set_password(*, user: User, password: str, by: Any) -> User:
    """Give *user* a new password (stored hashed; the audit row never holds it)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=by, action="user.set_password", obj=user)
    return user


@transaction.atomic
def user_set_active(*, user: User, is_active: bool, by: Any) -> User:
    """Lock (*is_active* false) or unlock an account; a locked account cannot log in."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == is_active:
        return user
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    audit_record(
        actor=by,
        action="user.set_active",
        obj=user,
        changes={"is_active": [not is_active, is_active]},
    )
    return user
