from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "chinhquyenso.payments"
    label = "payments"
    verbose_name = _("Thanh toán trực tuyến")

    def ready(self) -> None:
        from chinhquyenso.payments import checks  # noqa: F401  # registers the system check
