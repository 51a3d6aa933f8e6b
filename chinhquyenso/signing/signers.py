"""From a stored credential to a pyHanko signer: a PKCS#12 file or a key on a PKCS#11 token."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.sign.signers import Signer, SimpleSigner

from chinhquyenso.signing.errors import CredentialError
from chinhquyenso.signing.models import CredentialKind, SigningCredential


@dataclass(frozen=True)
class CertificateInfo:
    """What people are shown about a certificate."""

    subject_name: str
    organization: str
    issuer_name: str
    serial_number: str
    fingerprint_sha256: str
    valid_from: datetime
    valid_to: datetime


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def certificate_info(certificate: x509.Certificate) -> CertificateInfo:
    return CertificateInfo(
        subject_name=_attribute(certificate.subject, NameOID.COMMON_NAME)
        or certificate.subject.rfc4514_string(),
        organization=_attribute(certificate.subject, NameOID.ORGANIZATION_NAME),
        issuer_name=_attribute(certificate.issuer, NameOID.COMMON_NAME)
        or certificate.issuer.rfc4514_string(),
        serial_number=format(certificate.serial_number, "X"),
        fingerprint_sha256=hashlib.sha256(
            certificate.public_bytes(serialization.Encoding.DER)
        ).hexdigest(),
        valid_from=certificate.not_valid_before_utc,
        valid_to=certificate.not_valid_after_utc,
    )


def credential_certificate(credential: SigningCredential) -> x509.Certificate:
    return x509.load_pem_x509_certificate(credential.certificate_pem.encode())


def read_secret(reference: str) -> str | None:
    """The passphrase or PIN a ``secret_ref`` points to: ``env:NAME`` or ``file:/path``."""
    if not reference:
        return None
    scheme, _colon, where = reference.partition(":")
    if scheme == "env":
        value = os.environ.get(where)
        if value is None:
            raise CredentialError(_("Chưa cấu hình mật khẩu khóa ký (biến môi trường thiếu)."))
        return value
    if scheme == "file":
        try:
            return Path(where).read_text(encoding="utf-8").strip()
        except OSError:
            raise CredentialError(_("Không đọc được tệp mật khẩu của khóa ký.")) from None
    raise CredentialError(_("Nơi lấy mật khẩu của khóa ký không hợp lệ."))


def pkcs12_certificate(data: bytes, passphrase: str | None) -> x509.Certificate:
    """The signer's certificate in a PKCS#12 file (checks the passphrase)."""
    try:
        _key, certificate, _others = pkcs12.load_key_and_certificates(
            data, passphrase.encode() if passphrase else None
        )
    except ValueError:
        raise CredentialError(_("Không mở được tệp PKCS#12: sai mật khẩu hoặc tệp hỏng.")) from None
    if certificate is None:
        raise CredentialError(_("Tệp PKCS#12 không chứa chứng thư số."))
    return certificate


# python-pkcs11 loads a module once per process; sessions on one token are used one at a time.
_TOKEN_LOCK = threading.Lock()


@contextmanager
def open_signer(credential: SigningCredential, *, secret: str | None = None) -> Iterator[Signer]:
    """A pyHanko signer for *credential*, open for the duration of the ``with`` block."""
    passphrase = secret if secret is not None else read_secret(credential.secret_ref)
    chain = _chain_for(credential)
    if credential.kind == CredentialKind.PKCS12:
        with credential.pkcs12_file.open("rb") as handle:
            data = handle.read()
        try:
            signer = SimpleSigner.load_pkcs12_data(
                data,
                other_certs=chain,
                passphrase=passphrase.encode() if passphrase else None,
            )
        except ValueError:
            raise CredentialError(
                _("Không mở được tệp PKCS#12: sai mật khẩu hoặc tệp hỏng.")
            ) from None
        yield signer
        return
    yield from _pkcs11_signer(credential, passphrase, chain)


def _pkcs11_signer(
    credential: SigningCredential, pin: str | None, chain: list[asn1_x509.Certificate]
) -> Iterator[Signer]:
    from pkcs11 import PKCS11Error
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    from chinhquyenso.signing.softhsm import use_demo_token_conf
    from chinhquyenso.signing.trust import demo_pki

    module = credential.pkcs11_module or settings.SIGNING_PKCS11_MODULE
    pki = demo_pki()
    if pki is not None:
        use_demo_token_conf(pki)
    with _TOKEN_LOCK:
        try:
            session = open_pkcs11_session(
                module, token_criteria=TokenCriteria(label=credential.token_label), user_pin=pin
            )
        except (PKCS11Error, OSError, RuntimeError) as error:
            raise CredentialError(
                _("Không mở được thiết bị ký số “%(token)s”: %(error)s")
                % {"token": credential.token_label, "error": type(error).__name__}
            ) from None
        try:
            yield PKCS11Signer(
                session,
                key_label=credential.key_label,
                signing_cert=asn1_x509.Certificate.load(
                    credential_certificate(credential).public_bytes(serialization.Encoding.DER)
                ),
                ca_chain=chain,
            )
        finally:
            session.close()


def _chain_for(credential: SigningCredential) -> list[asn1_x509.Certificate]:
    """Issuer certificates to embed: those we know (extra certificates, the demo PKI's)."""
    from chinhquyenso.signing.trust import demo_pki, load_certificates

    chain = load_certificates(settings.SIGNING_EXTRA_CERTS)
    pki = demo_pki()
    if pki is not None:
        chain.extend([pki.ca.asn1_certificate, pki.root.asn1_certificate])
    return chain
