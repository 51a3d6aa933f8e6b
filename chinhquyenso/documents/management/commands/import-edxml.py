"""``chinhquyenso import-edxml FILE --unit CODE``: register a received edXML package.

A document package (QCVN 102:2016) goes into the unit's incoming register, registered by its
clerk (``--by``, or the unit's only clerk); a status message is recorded on the delivery of the
document it answers (no unit needed). A refused file changes nothing and the command says why,
one reason per line, with the line and element of the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chinhquyenso.accounts.models import Role
from chinhquyenso.documents import edxml, edxml_status
from chinhquyenso.documents.management.commands._edxml import find_official, find_unit, refusal


class Command(BaseCommand):
    help = _(
        "Nhận một tệp edXML (QCVN 102:2016): gói văn bản thì vào sổ văn bản đến của đơn vị; "
        "thông điệp trạng thái thì cập nhật tình trạng văn bản đã gửi. Tệp không hợp lệ bị "
        "từ chối kèm lý do, không ghi gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("Đường dẫn tệp .edxml hoặc .xml."))
        parser.add_argument(
            "--unit",
            help=_("Mã đơn vị nhận (mã đơn vị hành chính hoặc mã định danh điện tử)."),
        )
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help=_("Thư điện tử của văn thư vào sổ (mặc định: văn thư duy nhất của đơn vị)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Không đọc được tệp %(path)s: %(error)s") % {"path": path, "error": exc}
            ) from exc
        try:
            self._import(data, options)
        except ValidationError as exc:
            raise refusal(exc) from exc

    def _import(self, data: bytes, options: dict[str, Any]) -> None:
        if edxml.is_status_message(data):
            message = edxml_status.status_apply(data=data, by=None)
            delivery = message.delivery
            self.stdout.write(
                self.style.SUCCESS(
                    _("Đã ghi trạng thái “%(status)s” của %(recipient)s cho văn bản %(ref)s.")
                    % {
                        "status": message.get_status_display(),
                        "recipient": delivery.recipient_name or delivery.recipient_unit,
                        "ref": delivery.document.reference,
                    }
                )
            )
            return
        if not options["unit"]:
            raise CommandError(_("Cần --unit: đơn vị nhận văn bản."))
        unit = find_unit(options["unit"])
        clerk = find_official(options["by"], unit, Role.CLERK)
        document = edxml.package_import(data=data, unit=unit, by=clerk)
        self.stdout.write(
            self.style.SUCCESS(
                _("Đã vào sổ văn bản đến của %(unit)s, số đến %(number)s: %(ref)s — %(subject)s")
                % {
                    "unit": unit.name,
                    "number": document.arrival_number,
                    "ref": document.reference,
                    "subject": document.subject,
                }
            )
        )
