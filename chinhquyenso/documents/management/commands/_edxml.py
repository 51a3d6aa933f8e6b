"""What the edXML commands share: finding the unit and the clerk, and saying why a file was
refused."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from chinhquyenso.accounts.models import User
from chinhquyenso.documents.edxml import PackageRejected
from chinhquyenso.units.models import Unit


def find_unit(code: str) -> Unit:
    unit = Unit.objects.filter(Q(code=code) | Q(agency_code=code)).first()
    if unit is None:
        raise CommandError(_("Không có đơn vị nào mang mã %s.") % code)
    return unit


def find_official(email: str | None, unit: Unit, role: str) -> User:
    """The official *email*, or the only active one of *unit* holding *role*."""
    officials = User.objects.filter(unit=unit, is_active=True, roles__role=role).distinct()
    if email:
        found = officials.filter(email__iexact=email).first()
        if found is None:
            raise CommandError(
                _("%(email)s không phải văn thư đang làm việc của %(unit)s.")
                % {"email": email, "unit": unit.name}
            )
        return found
    candidates = list(officials[:2])
    if len(candidates) != 1:
        raise CommandError(
            _("%(unit)s có %(count)s văn thư; dùng --by để chọn người vào sổ.")
            % {"unit": unit.name, "count": officials.count()}
        )
    return candidates[0]


def refusal(exc: ValidationError) -> CommandError:
    if isinstance(exc, PackageRejected):
        lines = [_("Gói edXML bị từ chối, không ghi gì vào sổ:")]
        lines += [f"  - {p.message}" for p in exc.problems]
        return CommandError("\n".join(lines))
    return CommandError(" ".join(exc.messages))
