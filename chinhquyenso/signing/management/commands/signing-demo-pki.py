"""``chinhquyenso signing-demo-pki``: the demo PKI and the demo signers' keys, seals and images.

Creates, under ``SIGNING_PKI_DIR`` (``var/signing-pki`` by default), a root CA named like the
national one, a CA, a time-stamping authority and an OCSP responder, with a CRL; then, when the
demo data is loaded, a personal certificate (PKCS#12) and a signature image for each demo leader
and an organisation certificate (on the SoftHSM2 token when SoftHSM2 is installed) and a seal for
their units. Running it again creates nothing new. For trying the system only.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from chinhquyenso.signing.demo import signing_demo_setup


class Command(BaseCommand):
    help = _(
        "Tạo hạ tầng khóa công khai mô phỏng và chứng thư, ảnh chữ ký, con dấu cho dữ liệu mẫu."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = signing_demo_setup()
        self.stdout.write(_("Hạ tầng khóa công khai mô phỏng: %(dir)s") % {"dir": result.pki_dir})
        if result.token_label:
            self.stdout.write(_("Thiết bị SoftHSM2: %(label)s") % {"label": result.token_label})
        for line in result.credentials:
            self.stdout.write(_("Đã tạo chứng thư ký số: %(line)s") % {"line": line})
        if not result.credentials:
            self.stdout.write(
                _("Không có chứng thư mới (đã có từ trước hoặc chưa nạp dữ liệu mẫu).")
            )
