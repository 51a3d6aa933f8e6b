"""``chinhquyenso export-edxml DOCUMENT``: write the edXML file of a document.

For an issued outgoing document, its package (QCVN 102:2016) for the recipients outside the
platform (or the ones given with ``--to``); for an incoming document, with ``--status CODE``,
the status message its unit sends back to the issuer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chinhquyenso.accounts.models import Role
from chinhquyenso.documents import edxml, edxml_status
from chinhquyenso.documents.management.commands._edxml import find_official
from chinhquyenso.documents.models import Direction, Document


class Command(BaseCommand):
    help = _(
        "Xuất tệp edXML (QCVN 102:2016) của một văn bản: gói văn bản đi đã ban hành, hoặc "
        "(với --status) thông điệp trạng thái của văn bản đến gửi về nơi ban hành."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("document", type=int, help=_("Mã số (id) của văn bản."))
        parser.add_argument("-o", "--output", help=_("Tệp ghi ra (mặc định: in ra màn hình)."))
        parser.add_argument(
            "--to",
            action="append",
            default=[],
            metavar="MÃ_ĐỊNH_DANH=TÊN",
            help=_("Nơi nhận của gói (lặp lại được); mặc định: nơi nhận ngoài hệ thống đã gửi."),
        )
        parser.add_argument(
            "--status",
            help=_("Mã trạng thái gửi về nơi ban hành (01–06, 13, 15, 16), cho văn bản đến."),
        )
        parser.add_argument("--description", default="", help=_("Mô tả kèm trạng thái."))
        parser.add_argument(
            "--by", metavar="EMAIL", help=_("Thư điện tử của văn thư gửi (ghi trong gói).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        document = (
            Document.objects.select_related("unit", "document_type")
            .filter(pk=options["document"])
            .first()
        )
        if document is None:
            raise CommandError(_("Không có văn bản mang mã số %s.") % options["document"])
        by = None
        if options["by"] or options["status"]:
            by = find_official(options["by"], document.unit, Role.CLERK)
        try:
            if options["status"]:
                data = edxml_status.status_message_for(
                    document,
                    status=options["status"],
                    by=by,
                    description=options["description"],
                )
            elif document.direction == Direction.OUTGOING:
                recipients = [self._organ(item) for item in options["to"]] or None
                data = edxml.document_package(document, recipients=recipients, by=by)
            else:
                raise CommandError(_("Văn bản đến: dùng --status để xuất thông điệp trạng thái."))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if options["output"]:
            Path(options["output"]).write_bytes(data)
            self.stderr.write(
                _("Đã ghi %(size)s byte vào %(path)s.")
                % {"size": len(data), "path": options["output"]}
            )
        else:
            self.stdout.write(data.decode(), ending="")

    @staticmethod
    def _organ(text: str) -> edxml.Organ:
        organ_id, _sep, name = text.partition("=")
        if not organ_id.strip():
            raise CommandError(
                _("--to cần dạng MÃ_ĐỊNH_DANH=TÊN, ví dụ 000.00.12.H30=Sở Tài chính.")
            )
        return edxml.Organ(organ_id=organ_id.strip(), name=name.strip() or organ_id.strip())
