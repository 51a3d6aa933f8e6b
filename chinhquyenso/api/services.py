"""Writes on connected systems (API clients) and their keys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhquyenso.api.keys import key_generate, key_hash
from chinhquyenso.api.models import ApiClient, ApiScope
from chinhquyenso.api.selectors import CLIENTS
from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.text import clean_text
from chinhquyenso.units.models import Unit

#: A chosen key (for demos and migrations from another system) must be at least this long.
MIN_KEY_LENGTH = 12
#: ``last_used_at`` is written at most this often per client, to keep API reads read-only.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(scopes))
    unknown = [s for s in chosen if s not in ApiScope.values]
    if unknown:
        raise ValidationError(
            {
                "scopes": _("Quyền không hợp lệ: %(unknown)s. Các quyền có: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(ApiScope.values)}
            }
        )
    if not chosen:
        raise ValidationError({"scopes": _("Cần cấp ít nhất một quyền.")})
    return chosen


def _unit_codes(units: Iterable[Unit]) -> list[str]:
    return sorted(u.code or str(u.pk) for u in units)


@transaction.atomic
def api_client_create(
    *,
    name: str,
    scopes: Iterable[str],
    units: Iterable[Unit] = (),
    key: str | None = None,
    by: Any,
) -> tuple[ApiClient, str]:
    """Register a connected system; return it and its key, which is never shown again.

    *units* empty means every unit; otherwise the client sees these units and their subtrees.
    *key* is generated (``cqs_<prefix>_<secret>``) unless given (the demo's fixed key).
    """
    name = clean_text(name)
    if not name:
        raise ValidationError({"name": _("Cần có tên hệ thống kết nối.")})
    if ApiClient.objects.filter(name=name).exists():
        raise ValidationError({"name": _("Đã có hệ thống kết nối tên “%s”.") % name})
    chosen_scopes = _clean_scopes(scopes)
    unit_list = list(units)
    if key is None:
        key, prefix = key_generate()
    else:
        key = key.strip()
        if len(key) < MIN_KEY_LENGTH or any(ch.isspace() for ch in key):
            raise ValidationError(
                {
                    "key": _("Khóa phải dài ít nhất %d ký tự, không có khoảng trắng.")
                    % MIN_KEY_LENGTH
                }
            )
        prefix = key[:8]
        if ApiClient.objects.filter(key_hash=key_hash(key)).exists():
            raise ValidationError({"key": _("Khóa này đã được cấp cho hệ thống khác.")})
    try:
        with transaction.atomic():
            client = ApiClient.objects.create(
                name=name, key_prefix=prefix, key_hash=key_hash(key), scopes=chosen_scopes
            )
    except IntegrityError as exc:  # a concurrent create with the same name won the race
        raise ValidationError({"name": _("Đã có hệ thống kết nối tên “%s”.") % name}) from exc
    client.units.set(unit_list)
    audit_record(
        actor=by,
        action="api_client.create",
        obj=client,
        changes={
            "scopes": [None, chosen_scopes],
            "units": [None, _unit_codes(unit_list)],
            "key_prefix": [None, prefix],
        },
    )
    return client, key


@transaction.atomic
def api_client_update(
    *, client: ApiClient, scopes: Iterable[str], units: Iterable[Unit], by: Any
) -> ApiClient:
    """Change what a client may do (*scopes*) and see (*units*, empty = every unit)."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    chosen_scopes = _clean_scopes(scopes)
    unit_list = list(units)
    before = {"scopes": client.scopes, "units": _unit_codes(client.units.all())}
    after = {"scopes": chosen_scopes, "units": _unit_codes(unit_list)}
    if before == after:
        return client
    client.scopes = chosen_scopes
    client.save(update_fields=["scopes"])
    client.units.set(unit_list)
    CLIENTS.changed_on_commit()  # processes drop their copies of the client
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    audit_record(actor=by, action="api_client.update", obj=client, changes=changes)
    return client


@transaction.atomic
def api_client_revoke(*, client: ApiClient, by: Any) -> ApiClient:
    """Stop a client's key from working; the client's history stays."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if not client.is_active:
        raise ValidationError(_("Khóa của hệ thống “%s” đã bị thu hồi trước đó.") % client.name)
    client.is_active = False
    client.save(update_fields=["is_active"])
    CLIENTS.changed_on_commit()  # processes drop their copies of the client
    audit_record(
        actor=by, action="api_client.revoke", obj=client, changes={"is_active": [True, False]}
    )
    return client


@transaction.atomic
def api_client_rotate_key(*, client: ApiClient, by: Any) -> tuple[ApiClient, str]:
    """Replace a client's key with a new random one; the old key stops working at once."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if not client.is_active:
        raise ValidationError(
            _("Không thể đổi khóa của hệ thống “%s” vì khóa đã bị thu hồi.") % client.name
        )
    key, prefix = key_generate()
    old_prefix = client.key_prefix
    client.key_prefix = prefix
    client.key_hash = key_hash(key)
    client.save(update_fields=["key_prefix", "key_hash"])
    CLIENTS.changed_on_commit()  # processes drop their copies of the client
    audit_record(
        actor=by,
        action="api_client.rotate_key",
        obj=client,
        changes={"key_prefix": [old_prefix, prefix]},
    )
    return client, key


def api_client_touch(*, client: ApiClient, now: dt.datetime | None = None) -> None:
    """Record that *client* used its key, at most once per minute.

    Usage bookkeeping, not a change anyone acts on: no lock and no audit row (an audit row per
    API call would flood the chain). The conditional UPDATE makes concurrent calls harmless.
    """
    now = now or timezone.now()
    if client.last_used_at is not None and now - client.last_used_at < LAST_USED_PRECISION:
        return
    ApiClient.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_PRECISION),
        pk=client.pk,
    ).update(last_used_at=now)
    client.last_used_at = now
