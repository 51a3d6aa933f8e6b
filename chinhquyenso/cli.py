"""The ``chinhquyenso`` console script: Django's management commands for this project."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyenso.settings")
    from django.core.management import execute_from_command_line

    from chinhquyenso.core.context import audit_origin

    args = argv if argv is not None else sys.argv[1:]
    # Writes made by a command are audited as coming from that command.
    with audit_origin(f"command {args[0]}" if args else "command"):
        execute_from_command_line(["chinhquyenso", *args])


if __name__ == "__main__":
    main()
