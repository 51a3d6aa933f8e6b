"""Import units from a JSON or CSV file (see :mod:`chinhquyenso.units.importing`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chinhquyenso.units.importing import COLUMNS, read_unit_file, units_import


class Command(BaseCommand):
    help = (
        "Nhập danh mục đơn vị từ tệp JSON hoặc CSV (cột: "
        + ", ".join(COLUMNS)
        + "). Kiểm tra toàn bộ tệp trước; có dòng sai thì không ghi gì. Nhập lại cùng tệp "
        "chỉ cập nhật, không tạo trùng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Đường dẫn tệp .json hoặc .csv.")
        parser.add_argument(
            "--parent-code",
            default=None,
            help="Mã đơn vị cấp trên cho các dòng để trống cột parent_code, ví dụ 40.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Chỉ kiểm tra và báo những gì sẽ thay đổi, không ghi gì.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rows = read_unit_file(options["file"])
            result = units_import(
                rows=rows,
                parent_code=options["parent_code"],
                dry_run=options["dry_run"],
                by=None,
            )
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(
                _("Tệp có %d lỗi; chưa ghi gì vào cơ sở dữ liệu.") % len(exc.messages)
            ) from exc
        counts = {
            "created": len(result.created),
            "updated": len(result.updated),
            "unchanged": len(result.unchanged),
        }
        if result.dry_run:
            self.stdout.write(
                _(
                    "Chạy thử, chưa ghi gì: %(created)d đơn vị sẽ thêm mới, "
                    "%(updated)d sẽ cập nhật, %(unchanged)d không đổi."
                )
                % counts
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Đã nhập: %(created)d đơn vị mới, %(updated)d cập nhật, "
                        "%(unchanged)d không đổi."
                    )
                    % counts
                )
            )
