"""List every environment variable the settings read, with its help text."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chinhquyenso.env import REGISTRY


class Command(BaseCommand):
    help = "Liệt kê các biến môi trường cấu hình hệ thống."

    def handle(self, *args: Any, **options: Any) -> None:
        width = max(len(name) for name in REGISTRY)
        for name in sorted(REGISTRY):
            self.stdout.write(f"{name.ljust(width)}  {REGISTRY[name]}")
