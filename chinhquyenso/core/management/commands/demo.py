"""Load the demo data and, unless ``--load-only``, serve the site with it.

The loading itself lives in :mod:`chinhquyenso.core.demo`; this command only orders the steps:
migrate, collectstatic, load, print the logins, then replace itself with gunicorn.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chinhquyenso.core.demo import demo_load, demo_load_refusal, demo_logins_table

#: What the demo server's environment sets, whatever the caller's environment says.
SERVER_ENV = {"DEBUG": "0", "DEMO_MODE": "1"}


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu (cây đơn vị Nghệ An, tài khoản mẫu cho mọi vai trò, khóa API mẫu) rồi "
        "chạy máy chủ gunicorn (DEBUG tắt, DEMO_MODE=1) tại 127.0.0.1:$PORT (mặc định 8000). "
        "Chạy lại nhiều lần không tạo trùng. Không nạp vào PostgreSQL khi DEBUG và DEMO_MODE "
        "đều tắt, trừ khi có --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--load-only",
            action="store_true",
            help="Chỉ nạp dữ liệu mẫu và in danh sách tài khoản, không chạy máy chủ.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Nạp cả vào PostgreSQL khi DEBUG và DEMO_MODE đều tắt.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        refusal = demo_load_refusal(force=options["force"])
        if refusal:
            raise CommandError(refusal)
        serve = not options["load_only"]
        if serve:
            if settings.DEBUG or not settings.DEMO_MODE:
                self._restart_with_server_env(options)
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
            call_command("collectstatic", interactive=False, verbosity=options["verbosity"])
        try:
            result = demo_load()
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            _(
                "Dữ liệu mẫu: %(units_created)d đơn vị mới, %(units_updated)d đơn vị cập nhật, "
                "%(accounts_created)d tài khoản mới, %(accounts_updated)d tài khoản cập nhật."
            )
            % {
                "units_created": result.units_created,
                "units_updated": result.units_updated,
                "accounts_created": result.accounts_created,
                "accounts_updated": result.accounts_updated,
            }
        )
        self.stdout.write(demo_logins_table(result))
        if serve:
            self._exec_server()

    def _restart_with_server_env(self, options: dict[str, Any]) -> None:
        """Run this command again with the server's settings, so that migrate, collectstatic
        (whose storage depends on DEBUG), loading and serving all see the same settings."""
        os.environ.update(SERVER_ENV)
        argv = [sys.executable, "-m", "chinhquyenso.cli", "demo"]
        if options["force"]:
            argv.append("--force")
        self.stdout.flush()
        os.execvp(argv[0], argv)  # noqa: S606  # our own interpreter, fixed arguments

    def _exec_server(self) -> None:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        if not gunicorn.exists():
            raise CommandError(_("Không tìm thấy gunicorn tại %s.") % gunicorn)
        port = os.environ.get("PORT", "8000")
        if not port.isdigit():
            raise CommandError(_("PORT phải là một số: %s") % port)
        os.environ.update(SERVER_ENV)
        # Background work (e-mails, reminders queued by the services) runs in a database worker
        # beside the web server. It shares the terminal's process group, so Ctrl+C stops both.
        subprocess.Popen(  # our own interpreter, fixed arguments
            [sys.executable, "-m", "chinhquyenso.cli", "db_worker", "--interval", "2", "-v", "0"]
        )
        self.stdout.write(_("Máy chủ mẫu: http://127.0.0.1:%s/") % port)
        self.stdout.flush()
        os.execvp(  # noqa: S606  # gunicorn of this virtualenv, fixed arguments
            str(gunicorn),
            [str(gunicorn), "chinhquyenso.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        )
