"""Import procedures from a JSON or CSV file (format: docs/procedures-import.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chinhquyenso.procedures.importing import FORMATS, parse_date
from chinhquyenso.procedures.services import procedures_import


class Command(BaseCommand):
    help = (
        "Nhập danh mục thủ tục hành chính từ tệp JSON hoặc CSV (định dạng: "
        "docs/procedures-import.md). Kiểm tra toàn bộ tệp trước; có lỗi thì không ghi gì. Thủ "
        "tục đã có mà nội dung khác thì có phiên bản mới từ ngày hiệu lực; không đổi thì bỏ qua."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Đường dẫn tệp .json hoặc .csv.")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default=None,
            help="json hoặc csv; mặc định theo đuôi tệp.",
        )
        parser.add_argument(
            "--valid-from",
            default=None,
            help="Ngày hiệu lực của nội dung mới, YYYY-MM-DD (mặc định: hôm nay).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Chỉ kiểm tra và báo những gì sẽ thay đổi, không ghi gì.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        fmt = options["format"] or path.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError(_("Không biết định dạng của %s; dùng --format json|csv.") % path)
        valid_from = None
        if options["valid_from"]:
            valid_from = parse_date(options["valid_from"])
            if valid_from is None:
                raise CommandError(_("Ngày hiệu lực không hợp lệ: %s") % options["valid_from"])
        try:
            source = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Không đọc được tệp %(path)s: %(error)s") % {"path": path, "error": exc}
            ) from exc
        report = procedures_import(
            source=source, fmt=fmt, by=None, valid_from=valid_from, dry_run=options["dry_run"]
        )
        if not report.ok:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(
                _("Tệp có %d lỗi; chưa ghi gì vào cơ sở dữ liệu.") % len(report.errors)
            )
        if report.dry_run:
            self.stdout.write(_("Chạy thử, chưa ghi gì: %s") % report.summary())
        else:
            self.stdout.write(self.style.SUCCESS(_("Đã nhập: %s") % report.summary()))
