"""Register a connected system and print its API key once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chinhquyenso.api.models import ApiScope
from chinhquyenso.api.services import api_client_create
from chinhquyenso.units.models import Unit


class Command(BaseCommand):
    help = "Tạo khóa API cho một hệ thống kết nối; khóa chỉ hiển thị một lần."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="Tên hệ thống kết nối (duy nhất).")
        parser.add_argument(
            "--scope",
            dest="scopes",
            action="append",
            default=[],
            help=f"Quyền được cấp, lặp lại cho nhiều quyền: {', '.join(ApiScope.values)}.",
        )
        parser.add_argument(
            "--unit-code",
            dest="unit_codes",
            action="append",
            default=[],
            help="Mã đơn vị được phép (kèm đơn vị trực thuộc); bỏ trống = mọi đơn vị.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scopes: list[str] = options["scopes"]
        if not scopes:
            raise CommandError(
                _("Cần ít nhất một --scope. Các quyền có: %s.") % ", ".join(ApiScope.values)
            )
        unknown = [s for s in scopes if s not in ApiScope.values]
        if unknown:
            raise CommandError(
                _("Quyền không hợp lệ: %(unknown)s. Các quyền có: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(ApiScope.values)}
            )
        codes: list[str] = list(dict.fromkeys(options["unit_codes"]))
        units = list(Unit.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {u.code for u in units})
        if missing:
            raise CommandError(_("Không có đơn vị mã: %s.") % ", ".join(missing))

        try:
            client, key = api_client_create(
                name=options["name"], scopes=scopes, units=units, by=None
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

        self.stdout.write(self.style.SUCCESS(_("Đã tạo khóa API cho “%s”.") % client.name))
        self.stdout.write(_("Quyền: %s") % ", ".join(client.scopes))
        self.stdout.write(
            _("Đơn vị: %s") % (", ".join(sorted(codes)) if codes else _("mọi đơn vị"))
        )
        self.stdout.write(_("Khóa (chỉ hiển thị lần này, hãy lưu lại ngay):"))
        self.stdout.write(key)
