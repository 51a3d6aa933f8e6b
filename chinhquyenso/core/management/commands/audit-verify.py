"""``chinhquyenso audit-verify``: check that nobody has tampered with the audit log.

Exit code 0 when the chain is intact, 1 when a problem was found (for cron and monitoring).
The file name carries the hyphen because Django names commands after their module; importlib
loads ``commands.audit-verify`` without trouble.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from chinhquyenso.core.audit import ChainHead, audit_verify, parse_anchor


def _anchor(text: str) -> ChainHead:
    try:
        return parse_anchor(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


class Command(BaseCommand):
    help = _(
        "Kiểm tra chuỗi băm của nhật ký hệ thống: phát hiện dòng bị sửa, xoá, chèn hoặc đổi chỗ."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            action="append",
            type=_anchor,
            default=[],
            metavar="SỐ_THỨ_TỰ:MÃ_BĂM",
            help=_(
                "Đầu chuỗi đã ghi lại trước đây (lấy từ lần chạy trước); dòng đó phải còn nguyên. "
                "Dùng được nhiều lần."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify(anchors=options["anchor"])
        count = f"{report.checked:,}".replace(",", get_format("THOUSAND_SEPARATOR"))
        self.stdout.write(_("Đã kiểm tra %(count)s dòng nhật ký.") % {"count": count})
        for problem in report.problems:
            self.stdout.write(
                self.style.ERROR(
                    _("Dòng #%(sequence)s: %(message)s.")
                    % {"sequence": problem.sequence, "message": problem.message}
                )
            )
        if report.head is not None:
            self.stdout.write(
                _(
                    "Đầu chuỗi: %(head)s (ghi lại ở nơi ngoài cơ sở dữ liệu để đối chiếu lần sau "
                    "bằng --anchor)."
                )
                % {"head": report.head}
            )
        if not report.intact:
            raise CommandError(
                _("Chuỗi nhật ký KHÔNG toàn vẹn: phát hiện %(count)s vấn đề.")
                % {"count": len(report.problems)},
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(_("Chuỗi nhật ký toàn vẹn.")))
