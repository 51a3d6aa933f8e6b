"""``chinhquyenso dossier-reminders``: flag dossiers due within a working day and overdue ones.

For cron (e.g. every 30 minutes in working hours) where no task worker runs; safe to repeat:
an official is not told twice about the same dossier and appointment.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from chinhquyenso.dossiers.tasks import send_deadline_reminders


class Command(BaseCommand):
    help = _("Nhắc cán bộ các hồ sơ sắp đến hạn hoặc đã quá hạn trả kết quả.")

    def handle(self, *args: Any, **options: Any) -> None:
        reminded = send_deadline_reminders.call()
        self.stdout.write(_("Đã gửi %(count)s thông báo nhắc hạn hồ sơ.") % {"count": reminded})
