"""``chinhquyenso outgoing-demo``: demo outgoing documents at every step, some issued with both
signatures through the demo PKI to other demo units (see ``documents.demo_outgoing``).

Run after the demo data is loaded (``chinhquyenso demo --load-only``); it sets up the demo PKI
and keys itself. Running it again creates nothing new. For trying the system only.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chinhquyenso.core.demo import demo_load_refusal
from chinhquyenso.documents.demo_outgoing import outgoing_demo_load


class Command(BaseCommand):
    help = _("Tạo văn bản đi mẫu ở mọi bước, có văn bản đã ký số và ban hành cho đơn vị khác.")

    def handle(self, *args: Any, **options: Any) -> None:
        refusal = demo_load_refusal()
        if refusal:
            raise CommandError(refusal)
        result = outgoing_demo_load()
        self.stdout.write(
            _("Văn bản đi mẫu: %(created)d văn bản mới, %(issued)d văn bản đã ban hành.")
            % {"created": result.created, "issued": result.issued}
        )
        for line in result.skipped:
            self.stdout.write(_("Bỏ qua: %(line)s") % {"line": line})
