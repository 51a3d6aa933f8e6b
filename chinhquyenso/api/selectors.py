"""Reads for the integration API: what a client system may see."""

from __future__ import annotations

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr

from chinhquyenso.accounts.models import AccountType, User
from chinhquyenso.api.keys import key_hash
from chinhquyenso.api.models import ApiClient
from chinhquyenso.core.process_copies import ProcessCopies
from chinhquyenso.core.search import search
from chinhquyenso.core.text import clean_text
from chinhquyenso.units.models import Unit

#: Each process's copies of the clients it found, by the key's hash (``core/process_copies.py``).
CLIENTS = ProcessCopies[str, ApiClient | None]("api:clients-token", max_age=60.0)


def api_client_by_key(key: str) -> ApiClient | None:
    """The client owning *key* (active or not), or ``None``.

    Every API request starts here, so each process keeps the clients it found in
    :data:`CLIENTS`, for at most a minute. The services that change a client (scopes, units,
    revocation, a new key) announce it there, so with a cache shared by the processes a revoked
    key stops at the next request. The objects are shared: never change them (but
    ``api_client_touch``'s ``last_used_at``)."""
    if not key:
        return None
    digest = key_hash(key)
    return CLIENTS.get(digest, lambda: ApiClient.objects.filter(key_hash=digest).first())


#: Each process's copies of the tree paths of the units granted to each client, by its key,
#: under the clients' token: a change to a client's units renews them with the client.
GRANTED_PATHS = ProcessCopies[int, tuple[str, ...]]("api:clients-token", max_age=60.0)


def granted_units(client: ApiClient) -> QuerySet[Unit] | None:
    """The units granted to *client* and the units below them, or ``None`` when it was granted
    none (it may see every unit). No query is run here: the granted paths come from this
    process's copy, and the answer is a query to use inside another."""
    paths = GRANTED_PATHS.get(client.pk, lambda: tuple(client.units.values_list("path", flat=True)))
    if not paths:
        return None
    subtrees = Q()
    for path in paths:
        subtrees |= Q(path__startswith=path)
    return Unit.objects.filter(subtrees)


def client_units(client: ApiClient) -> QuerySet[Unit]:
    """Units the client may see: every unit when none is granted, else the granted subtrees."""
    granted = granted_units(client)
    return Unit.objects.all() if granted is None else granted


def client_unit_list(
    *, client: ApiClient, q: str = "", kind: str = "", parent_code: str = ""
) -> QuerySet[Unit]:
    """The client's units, filtered, in tree order, each annotated with ``parent_code``."""
    parent_path = Substr(OuterRef("path"), 1, (OuterRef("depth") - 1) * Unit.steplen)
    units = client_units(client).annotate(
        parent_code=Subquery(Unit.objects.filter(path=parent_path).values("code")[:1])
    )
    if kind:
        units = units.filter(kind=kind)
    if parent_code:
        units = units.filter(parent_code=parent_code)
    units = search(units, q, ["name", "short_name", "code"])
    return units.order_by(F("path").asc())


def client_official(client: ApiClient, login: str) -> User | None:
    """The active official with e-mail or phone *login* working in one of *client*'s units,
    for whom the client takes an action (``None`` when there is none)."""
    login = clean_text(login)
    if not login:
        return None
    condition = Q(email__iexact=login) if "@" in login else Q(phone=login.replace(" ", ""))
    user = (
        User.objects.filter(condition, account_type=AccountType.OFFICIAL, is_active=True)
        .select_related("unit")
        .first()
    )
    if user is None or not user.unit_id or not client_units(client).filter(pk=user.unit_id):
        return None
    return user
