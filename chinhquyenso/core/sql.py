"""Names for the few statements written in SQL by hand (busy reads whose ORM-built statement
costs more to compile than to answer): tables and columns come from the models' ``_meta``, so
the SQL follows the models."""

from __future__ import annotations

from typing import Any


def column(model: type[Any], field: str) -> str:
    """The database column of *field* on *model*."""
    return str(model._meta.get_field(field).column)
