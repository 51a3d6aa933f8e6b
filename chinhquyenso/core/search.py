"""Diacritic-insensitive search that every app uses.

On PostgreSQL the match uses the database's own ``unaccent`` extension (installed by the core
migrations) on the real columns, so ``duong`` finds ``Đường``. On SQLite it uses a folded copy of
the searchable text kept in a ``search_text`` column (:class:`SearchableMixin`), filled by
:func:`searchable_text` whenever the services write the row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.db import connection, models
from django.db.models import Q

from chinhquyenso.core.text import fold, nfc

M = TypeVar("M", bound=models.Model)


class SearchableMixin(models.Model):
    """Adds the folded text column searched on databases without ``unaccent``."""

    search_text = models.TextField(blank=True, default="", editable=False)

    class Meta:
        abstract = True


def searchable_text(*parts: str | None) -> str:
    """The folded text stored in ``search_text`` for the given field values."""
    return fold(" ".join(p for p in parts if p))


def search(queryset: models.QuerySet[M], query: str, fields: Iterable[str]) -> models.QuerySet[M]:
    """Filter *queryset* to rows where every word of *query* appears in one of *fields*.

    Matching ignores case and Vietnamese diacritics. An empty query returns the queryset as is.
    """
    for condition in search_conditions(query, fields):
        queryset = queryset.filter(condition)
    return queryset


def search_conditions(query: str, fields: Iterable[str]) -> list[Q]:
    """One condition per word of *query* (see :func:`search`); none for an empty query.

    Each condition may be filtered on, or combined into a column (``ExpressionWrapper``)."""
    words = nfc(query).split()
    field_list = list(fields)
    if connection.vendor == "postgresql":
        conditions = []
        for word in words:
            condition = Q()
            for field in field_list:
                condition |= Q(**{f"{field}__unaccent__icontains": word})
            conditions.append(condition)
        return conditions
    return [Q(search_text__contains=word) for word in fold(" ".join(words)).split()]
