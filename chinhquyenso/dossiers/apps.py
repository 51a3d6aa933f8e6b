from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "chinhquyenso.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ thủ tục hành chính")

    def ready(self) -> None:
        from chinhquyenso.dossiers.payments import PURPOSE, fee_paid
        from chinhquyenso.payments.services import register_payment_handler

        register_payment_handler(PURPOSE, fee_paid)
