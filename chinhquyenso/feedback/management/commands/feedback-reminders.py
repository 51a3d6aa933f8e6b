"""``chinhquyenso feedback-reminders``: deadline reminders and closing of expired reports.

For cron (e.g. every 30 minutes in working hours) where no task worker runs; both steps are
safe to repeat: a reminder is not sent twice, a closed report is not closed again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from chinhquyenso.feedback.tasks import close_expired_reports, send_deadline_reminders


class Command(BaseCommand):
    help = _("Gửi nhắc hạn xử lý phản ánh và kết thúc các phản ánh đã hết thời hạn đánh giá.")

    def handle(self, *args: Any, **options: Any) -> None:
        reminded = send_deadline_reminders.call()
        closed = close_expired_reports.call()
        self.stdout.write(
            _("Đã gửi %(reminded)s nhắc hạn; đã kết thúc %(closed)s phản ánh.")
            % {"reminded": reminded, "closed": closed}
        )
