from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "chinhquyenso.core"
    label = "core"
    verbose_name = _("Nền tảng")

    def ready(self) -> None:
        # Parse the working-hours settings at start-up so a malformed value stops the process
        # with a clear message instead of failing on the first deadline computed.
        from chinhquyenso.core.calendar import WorkingSchedule

        WorkingSchedule.from_settings()
