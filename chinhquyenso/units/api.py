"""API of the units app: the unit tree."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["units"])
