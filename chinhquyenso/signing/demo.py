"""Demo signing set-up: the demo PKI, and credentials and images for the demo leaders and units.

The competent persons are the demo officials with the unit-leader role; their units get an
organisation certificate (on the SoftHSM2 token when SoftHSM2 is installed, else a PKCS#12 file)
and a seal. Running it again creates nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.core.files.base import ContentFile

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.core.demo import DEMO_ACCOUNTS
from chinhquyenso.signing import services, softhsm
from chinhquyenso.signing.images import draw_demo_seal, draw_demo_signature, png_bytes
from chinhquyenso.signing.models import SealImage, SignatureImage, SigningCredential
from chinhquyenso.signing.pki import DemoPki, Issued, ensure_demo_pki, slug
from chinhquyenso.signing.signers import certificate_info
from chinhquyenso.units.models import Unit

DEMO_SEAL_DIAMETER_MM = Decimal("36")


@dataclass
class DemoSigningResult:
    pki_dir: Path
    token_label: str | None = None
    credentials: list[str] = field(default_factory=list)  # "who: kind" lines, new ones only


def _secret_ref(pki: DemoPki) -> str:
    return f"file:{pki.passphrase_path}"


def _has_credential(issued: Issued) -> bool:
    fingerprint = certificate_info(issued.certificate).fingerprint_sha256
    return SigningCredential.objects.filter(fingerprint_sha256=fingerprint).exists()


def _person(pki: DemoPki, official: User, result: DemoSigningResult) -> None:
    unit = official.unit
    issued = pki.issue(
        f"person-{slug(official.full_name)}-{official.pk}",
        common_name=official.full_name,
        organisation=unit.name if unit else "",
        unit=official.job_title,
    )
    if not _has_credential(issued):
        services.credential_register_pkcs12(
            official=official,
            pkcs12_data=pki.pkcs12_path(issued.name).read_bytes(),
            passphrase=pki.passphrase(),
            secret_ref=_secret_ref(pki),
            label=f"{official.full_name} (demo)",
            by=None,
        )
        result.credentials.append(f"{official.full_name}: PKCS#12")
    if not SignatureImage.objects.filter(official=official).exists():
        image = ContentFile(png_bytes(draw_demo_signature(official.full_name)), name="chu-ky.png")
        services.signature_image_upload(official=official, file=image, by=None)


def _organisation(pki: DemoPki, unit: Unit, result: DemoSigningResult) -> None:
    parent = unit.get_parent()
    issued = pki.issue(
        f"unit-{slug(unit.code or unit.name)}-{unit.pk}",
        common_name=unit.name,
        organisation=parent.name if parent else unit.name,
        uid=f"MCQ:{unit.agency_code}" if unit.agency_code else "",
        organisation_certificate=True,
    )
    if not _has_credential(issued):
        if softhsm.softhsm_available(settings.SIGNING_PKCS11_MODULE):
            token = softhsm.load_demo_token(
                pki, [issued.name], module=settings.SIGNING_PKCS11_MODULE
            )
            result.token_label = token
            services.credential_register_pkcs11(
                unit=unit,
                certificate_pem=issued.certificate.public_bytes(Encoding.PEM).decode(),
                token_label=token,
                key_label=issued.name,
                secret_ref=_secret_ref(pki),
                label=f"{unit.name} (demo, SoftHSM2)",
                by=None,
            )
            result.credentials.append(f"{unit.name}: PKCS#11 ({token})")
        else:
            services.credential_register_pkcs12(
                unit=unit,
                pkcs12_data=pki.pkcs12_path(issued.name).read_bytes(),
                passphrase=pki.passphrase(),
                secret_ref=_secret_ref(pki),
                label=f"{unit.name} (demo)",
                by=None,
            )
            result.credentials.append(f"{unit.name}: PKCS#12")
    if not SealImage.objects.filter(unit=unit).exists():
        image = ContentFile(png_bytes(draw_demo_seal(unit.short_name or unit.name)), name="dau.png")
        services.seal_image_upload(
            unit=unit, file=image, diameter_mm=DEMO_SEAL_DIAMETER_MM, by=None
        )


def signing_demo_setup() -> DemoSigningResult:
    """Create the demo PKI under ``SIGNING_PKI_DIR`` and, if the demo data is loaded, the
    credentials, signature images and seals of the demo leaders and their units."""
    pki = ensure_demo_pki(Path(settings.SIGNING_PKI_DIR), base_url=settings.SITE_URL)
    softhsm.use_demo_token_conf(pki)
    result = DemoSigningResult(pki_dir=pki.directory)
    leader_logins = [a.login for a in DEMO_ACCOUNTS if Role.UNIT_LEADER in a.roles]
    leaders = User.objects.filter(email__in=leader_logins, unit__isnull=False).select_related(
        "unit"
    )
    for official in leaders.order_by("pk"):
        _person(pki, official, result)
        assert official.unit is not None
        _organisation(pki, official.unit, result)
    return result
