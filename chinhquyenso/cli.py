"""The ``chinhquyenso`` console script: Django's management commands for this project."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyenso.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["chinhquyenso", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    main()
