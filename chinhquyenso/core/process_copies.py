"""Rows a process keeps in memory for its hot paths, with one staleness rule.

Some reads happen on every request and almost never change: the API client of a key, the
active feedback categories, a year's working-day overrides. Each process keeps a copy of them in a
:class:`ProcessCopies` and uses it while two things hold: the token under the copies' key in
Django's cache is the one read when the copy was made, and the copy is younger than
``max_age`` seconds. The services that change the rows call :meth:`ProcessCopies.changed_on_commit`,
which forgets this process's copies at once and, when the transaction commits, writes a new
token. With a cache shared by the processes (the default file cache, Redis) every process sees
the change at its next read; with a cache private to each process, within ``max_age`` seconds.

Several :class:`ProcessCopies` may share a token (a client and the units granted to it): a change
announced through one of them renews them all. Copies that no service announces changes of (a
sample of a table, say) have no token: they are renewed by age alone, and reading them costs
no look-up in the cache.

The token is read before the rows are: a change committed in between writes the token again, so a
copy made from rows older than the change is replaced at the next read.

The values are shared by every request of the process: callers never change them.
"""

from __future__ import annotations

import secrets
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from time import monotonic
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_every: weakref.WeakSet[ProcessCopies[object, object]] = weakref.WeakSet()


@dataclass(frozen=True)
class _Copy(Generic[V]):
    token: object
    read_at: float
    value: V


class ProcessCopies(Generic[K, V]):
    """Values by key, each read once per process and used while it is fresh (module docstring).

    *max_entries* bounds the memory: when it is reached the copies are dropped and read again, so
    a flood of keys that are looked up once (made-up API keys) cannot grow the process.
    """

    def __init__(self, token_key: str | None, *, max_age: float, max_entries: int = 256) -> None:
        self.token_key = token_key
        self.max_age = max_age
        self.max_entries = max_entries
        self._copies: dict[K, _Copy[V]] = {}
        _every.add(self)  # type: ignore[arg-type]

    def get(self, key: K, load: Callable[[], V]) -> V:
        """The value of *key*: this process's copy while it is fresh, else ``load()`` kept.

        A ``None`` from *load* (nothing found) is returned and not kept."""
        token = cache.get(self.token_key) if self.token_key is not None else None
        now = monotonic()
        held = self._copies.get(key)
        if held is not None and held.token == token and now - held.read_at < self.max_age:
            return held.value
        value = load()
        if value is not None:
            if len(self._copies) >= self.max_entries:
                self._copies.clear()
            self._copies[key] = _Copy(token, now, value)
        return value

    def changed(self) -> None:
        """Tell every process that the rows changed: a new token, and no copy here (nor in the
        other copies kept under the same token)."""
        key = self._token_key()
        cache.set(key, secrets.token_hex(8), timeout=None)
        self._forget_alike()

    def changed_on_commit(self) -> None:
        """For a service that changes the rows: this process forgets its copies now (and those
        kept under the same token), and every process does once the transaction commits."""
        self._token_key()  # refused before anything is forgotten
        self._forget_alike()
        transaction.on_commit(self.changed)

    def _token_key(self) -> str:
        if self.token_key is None:
            raise TypeError("Copies without a token are renewed by age alone.")
        return self.token_key

    def _forget_alike(self) -> None:
        for copies in list(_every):
            if copies.token_key == self.token_key:
                copies.forget()

    def forget(self) -> None:
        """Drop this process's copies (the token is left as it is)."""
        self._copies.clear()


def forget_every_copy() -> None:
    """Drop every copy this process holds (tests, whose database is rolled back between them)."""
    for copies in list(_every):
        copies.forget()
