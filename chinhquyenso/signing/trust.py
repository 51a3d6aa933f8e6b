"""What we trust and where revocation data comes from: roots, intermediates, CRLs, OCSP, the TSA.

Trusted roots are files named by ``SIGNING_TRUST_ROOTS`` (the national root, NEAC, in
production), plus the demo PKI's root when ``SIGNING_TRUST_DEMO_ROOT`` is on. Revocation data is
fetched over the network (CRL distribution points, OCSP) when ``SIGNING_FETCH_REVOCATION`` is on;
the demo PKI's CRLs and OCSP answers are always supplied in-process, so the demo works offline.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from chinhquyenso.signing.pki import DemoPki

logger = logging.getLogger(__name__)


def demo_pki() -> DemoPki | None:
    """The demo PKI if it was created (``chinhquyenso signing-demo-pki``), else ``None``."""
    pki = DemoPki(Path(settings.SIGNING_PKI_DIR), settings.SITE_URL)
    return pki if pki.exists() else None


@lru_cache(maxsize=64)
def _certificates_in(path: str, mtime: float) -> tuple[asn1_x509.Certificate, ...]:
    data = Path(path).read_bytes()
    if pem.detect(data):
        return tuple(
            asn1_x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(data, True)
        )
    return (asn1_x509.Certificate.load(data),)


def load_certificates(paths: Iterable[str]) -> list[asn1_x509.Certificate]:
    """Certificates from PEM (one or more) or DER files; a missing file is a configuration error."""
    certificates: list[asn1_x509.Certificate] = []
    for path in paths:
        try:
            certificates.extend(_certificates_in(path, Path(path).stat().st_mtime))
        except (OSError, ValueError) as error:
            raise ImproperlyConfigured(
                f"Certificate file {path!r} cannot be read: {error}"
            ) from None
    return certificates


def trusted_roots() -> list[asn1_x509.Certificate]:
    roots = load_certificates(settings.SIGNING_TRUST_ROOTS)
    pki = demo_pki()
    if settings.SIGNING_TRUST_DEMO_ROOT and pki is not None:
        roots.append(pki.root.asn1_certificate)
    return roots


def validation_context(
    *,
    moment: datetime | None = None,
    for_certificates: Iterable[x509.Certificate] = (),
    other_certs: Iterable[asn1_x509.Certificate] = (),
    crls: Iterable[Any] = (),
    ocsps: Iterable[Any] = (),
) -> ValidationContext:
    """A validation context with our trust roots and every revocation source we have.

    *for_certificates* are certificates about to be checked: the demo PKI answers OCSP for its
    own in-process, so their status is known without the network. *other_certs*, *crls* and
    *ocsps* add what a document carries (its DSS).
    """
    pki = demo_pki()
    known_certs = [*load_certificates(settings.SIGNING_EXTRA_CERTS), *other_certs]
    crl_list: list[Any] = list(crls)
    ocsp_list: list[Any] = list(ocsps)
    if pki is not None:
        known_certs.append(pki.ca.asn1_certificate)
        crl_list.extend([pki.crl(), pki.root_crl()])
        for certificate in for_certificates:
            answer = pki.ocsp_response_for(certificate)
            if answer is not None:
                ocsp_list.append(answer)
    return ValidationContext(
        trust_roots=trusted_roots(),
        other_certs=known_certs,
        crls=crl_list,
        ocsps=ocsp_list,
        allow_fetching=settings.SIGNING_FETCH_REVOCATION,
        revocation_mode="soft-fail",
        moment=moment,
    )


def time_stamper() -> TimeStamper | None:
    """The RFC 3161 time-stamping service: ``SIGNING_TSA_URL``, else the demo TSA if enabled."""
    if settings.SIGNING_TSA_URL:
        return HTTPTimeStamper(settings.SIGNING_TSA_URL, timeout=10)
    pki = demo_pki()
    if settings.SIGNING_DEMO_TSA and pki is not None:
        tsa = pki.tsa
        return DummyTimeStamper(
            tsa_cert=tsa.asn1_certificate,
            tsa_key=tsa.asn1_key,
            certs_to_embed=SimpleCertificateStore.from_certs(
                [pki.ca.asn1_certificate, pki.root.asn1_certificate]
            ),
        )
    logger.warning("No time-stamping service configured: signatures will be PAdES B-B only.")
    return None
