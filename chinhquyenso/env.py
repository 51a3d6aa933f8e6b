"""Typed readers for settings taken from the environment.

Each reader documents the variable it reads and fails loudly (``ImproperlyConfigured``)
when a value is present but cannot be parsed. A variable ``NAME_FILE`` pointing at a file
takes precedence over ``NAME`` for secrets kept in files (Docker/Kubernetes secrets).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

#: Every variable read through this module, with its help text (see ``chinhquyenso settings-help``).
REGISTRY: dict[str, str] = {}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, help_text: str) -> str | None:
    REGISTRY[name] = help_text
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_path!r} cannot be read: {exc}") from exc
    return os.environ.get(name)


def env_str(name: str, default: str | None = None, *, help_text: str) -> str:
    value = _raw(name, help_text)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required: {help_text}")
        return default
    return value


def env_bool(name: str, default: bool, *, help_text: str) -> bool:
    value = _raw(name, help_text)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, default: int, *, help_text: str) -> int:
    value = _raw(name, help_text)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from exc


def env_list(name: str, default: list[str], *, help_text: str) -> list[str]:
    value = _raw(name, help_text)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]
