"""Who may do what: roles per action, and objects fetched only within the user's reach.

Layer 1 is a role check declared where the view or endpoint is (:func:`role_required`,
:func:`has_role`). Layer 2 fetches the object within the units the user may see
(:func:`get_unit_for_user`) and answers "not found" alike for a missing and a forbidden object.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.units.models import Unit

#: Roles whose holders see every unit below their own, not just their own unit.
SUPERVISING_ROLES = frozenset({Role.UNIT_LEADER, Role.OPERATIONS_LEADER, Role.SYSTEM_ADMIN})

F = TypeVar("F", bound=Callable[..., HttpResponse])


def roles_of(user: Any) -> frozenset[str]:
    """The roles of *user* (empty for anonymous users and applicants), cached on the object."""
    if not getattr(user, "is_authenticated", False) or not user.is_official:
        return frozenset()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = frozenset(user.roles.values_list("role", flat=True))
        user._role_cache = cached
    return cached


def has_role(user: Any, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def units_visible_to(user: Any) -> QuerySet[Unit]:
    """Units whose records *user* may see: their own unit, plus the subtree for supervisors.

    An operations-centre leader or a system administrator sees the whole tree of their province.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_official:
        return Unit.objects.none()
    if user.is_superuser and user.unit_id is None:
        return Unit.objects.all()
    unit: Unit = user.unit
    held = roles_of(user)
    if held & {Role.OPERATIONS_LEADER, Role.SYSTEM_ADMIN}:
        root = unit.get_root()
        return Unit.objects.filter(path__startswith=root.path)
    if held & SUPERVISING_ROLES:
        return Unit.objects.filter(path__startswith=unit.path)
    return Unit.objects.filter(Q(pk=unit.pk))


def get_unit_for_user(user: Any, unit_id: int | str) -> Unit:
    """The unit *unit_id* if *user* may see it; ``Http404`` whether missing or forbidden."""
    try:
        return units_visible_to(user).get(pk=int(unit_id))
    except (Unit.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def role_required(*roles: str) -> Callable[[F], F]:
    """View decorator: the logged-in official must hold one of *roles* (any role if none)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            assert isinstance(user, User)
            held = roles_of(user)
            if not user.is_official or (roles and not held & set(roles)) or not held:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
