"""API keys: how they look and how they are stored (only their SHA-256 is kept)."""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "cqs"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_generate() -> tuple[str, str]:
    """A new random key ``cqs_<8 hex>_<secret>`` and the prefix shown to administrators."""
    prefix = f"{KEY_PREFIX}_{secrets.token_hex(4)}"
    return f"{prefix}_{secrets.token_urlsafe(32)}", prefix
