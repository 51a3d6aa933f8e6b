"""Public API of the core app: the working calendar."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["calendar"])
