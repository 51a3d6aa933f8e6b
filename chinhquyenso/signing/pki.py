"""A small public-key infrastructure of our own, so signing works offline in the demo and tests.

It mirrors the national one (NEAC's root CA above the licensed CAs): a root named like the
national root, one CA under it that issues personal and organisation certificates, a time-stamping
authority (RFC 3161) and an OCSP responder. The CA keeps an index of what it issued and revoked,
publishes a CRL and answers OCSP requests in-process. Everything lives in one folder
(``SIGNING_PKI_DIR``, under ``var/`` by default); creating it again changes nothing.

Nothing here is for production: the keys are stored unencrypted beside the certificates, and the
demo root is trusted only when ``SIGNING_TRUST_DEMO_ROOT`` is on.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# X.509 limits each name part to 64 bytes (UTF-8), so the long names are split over CN and O.
ROOT_NAME = "Root CA demo — NEAC mô phỏng"
ROOT_ORGANISATION = "Bộ Thông tin và Truyền thông (mô phỏng)"
CA_NAME = "CA demo — Chính quyền số (mô phỏng)"
TSA_NAME = "TSA demo — dấu thời gian (mô phỏng)"
OCSP_NAME = "OCSP demo — trạng thái chứng thư"
PKI_ORGANISATION = "Chính quyền số — PKI mô phỏng"

#: How long a published CRL is good for; :meth:`DemoPki.crl` makes a new one when it runs out.
CRL_LIFETIME = dt.timedelta(days=7)
OCSP_LIFETIME = dt.timedelta(days=1)
END_ENTITY_YEARS = 3
KEY_SIZE = 2048
CA_KEY_SIZE = 3072

_SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


class PkiError(Exception):
    """A request the demo PKI cannot satisfy (unknown name, bad OCSP request)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def slug(text: str) -> str:
    """A file-name-safe ASCII form of *text* (``Nguyễn Văn Hùng`` → ``nguyen-van-hung``)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80] or "chung-thu"


@dataclass(frozen=True, eq=False)
class Issued:
    """A certificate of the demo PKI with its private key."""

    name: str
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    @cached_property
    def asn1_certificate(self) -> asn1_x509.Certificate:
        return to_asn1(self.certificate)

    @cached_property
    def asn1_key(self) -> asn1_keys.PrivateKeyInfo:
        return asn1_keys.PrivateKeyInfo.load(
            self.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


@lru_cache(maxsize=256)
def _load_issued(name: str, certificate_path: str, key_path: str, mtime: float) -> Issued:
    # Our own key files: skipping the RSA consistency check saves ~0.3 s per 3072-bit key.
    key = serialization.load_pem_private_key(
        Path(key_path).read_bytes(), password=None, unsafe_skip_rsa_key_validation=True
    )
    assert isinstance(key, rsa.RSAPrivateKey)
    certificate = x509.load_pem_x509_certificate(Path(certificate_path).read_bytes())
    return Issued(name=name, certificate=certificate, key=key)


def to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _fit(text: str, limit: int = 64) -> str:
    """*text* cut to *limit* bytes of UTF-8 at a character boundary (X.509 name limits)."""
    encoded = text.strip().encode()[:limit]
    return encoded.decode(errors="ignore").strip()


def _name(common_name: str, *, organisation: str = "", unit: str = "", uid: str = "") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    for oid, value in (
        (NameOID.ORGANIZATION_NAME, organisation),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, unit),
        (NameOID.USER_ID, uid),
        (NameOID.COMMON_NAME, common_name),
    ):
        if value.strip():
            attributes.append(x509.NameAttribute(oid, _fit(value)))
    return x509.Name(attributes)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


class DemoPki:
    """The demo PKI stored in *directory*; see :func:`ensure_demo_pki`."""

    def __init__(self, directory: Path, base_url: str) -> None:
        self.directory = Path(directory)
        self.base_url = base_url.rstrip("/")

    # --- files -------------------------------------------------------------------------------

    @property
    def index_path(self) -> Path:
        return self.directory / "index.json"

    @property
    def crl_path(self) -> Path:
        return self.directory / "ca.crl"

    @property
    def root_crl_path(self) -> Path:
        return self.directory / "root.crl"

    @property
    def passphrase_path(self) -> Path:
        """The passphrase of every demo PKCS#12 file (and the PIN of the demo token)."""
        return self.directory / "secrets" / "passphrase.txt"

    def certificate_path(self, name: str) -> Path:
        return self.directory / "certs" / f"{name}.pem"

    def key_path(self, name: str) -> Path:
        return self.directory / "keys" / f"{name}.key.pem"

    def pkcs12_path(self, name: str) -> Path:
        return self.directory / "pkcs12" / f"{name}.p12"

    @property
    def crl_url(self) -> str:
        return f"{self.base_url}/ky-so/pki/ca.crl"

    @property
    def root_crl_url(self) -> str:
        return f"{self.base_url}/ky-so/pki/root.crl"

    @property
    def ocsp_url(self) -> str:
        return f"{self.base_url}/ky-so/pki/ocsp"

    def _index(self) -> dict[str, Any]:
        if not self.index_path.exists():
            return {"issued": {}}
        data: dict[str, Any] = json.loads(self.index_path.read_text(encoding="utf-8"))
        return data

    def _save_index(self, index: dict[str, Any]) -> None:
        temporary = self.index_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(index, ensure_ascii=False, indent=2), encoding="utf-8")
        temporary.replace(self.index_path)

    def exists(self) -> bool:
        return self.index_path.exists() and self.certificate_path("root").exists()

    def has(self, name: str) -> bool:
        return name in self._index()["issued"]

    def load(self, name: str) -> Issued:
        """The certificate *name* with its private key."""
        path = self.certificate_path(name)
        if not path.exists():
            raise PkiError(f"no certificate named {name!r} in {self.directory}")
        return _load_issued(name, str(path), str(self.key_path(name)), path.stat().st_mtime)

    def certificate(self, name: str) -> x509.Certificate:
        return self.load(name).certificate

    def passphrase(self) -> str:
        return self.passphrase_path.read_text(encoding="utf-8").strip()

    @property
    def root(self) -> Issued:
        return self.load("root")

    @property
    def ca(self) -> Issued:
        return self.load("ca")

    @property
    def tsa(self) -> Issued:
        return self.load("tsa")

    # --- creating ----------------------------------------------------------------------------

    def create_authorities(self) -> None:
        """Root, CA, TSA and OCSP responder, each only if missing."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if not self.passphrase_path.exists():
            _write_private(self.passphrase_path, secrets.token_urlsafe(18).encode())
        index = self._index()
        now = _now()
        if "root" not in index["issued"]:
            key = rsa.generate_private_key(public_exponent=65537, key_size=CA_KEY_SIZE)
            name = _name(ROOT_NAME, organisation=ROOT_ORGANISATION)
            builder = (
                x509.CertificateBuilder()
                .subject_name(name)
                .issuer_name(name)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=365 * 20))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(_ca_key_usage(), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            )
            self._store(index, "root", builder.sign(key, hashes.SHA256()), key, role="root")
        root = self.load("root")
        if "ca" not in index["issued"]:
            key = rsa.generate_private_key(public_exponent=65537, key_size=CA_KEY_SIZE)
            builder = (
                self._issued_by(root, key, _name(CA_NAME, organisation=PKI_ORGANISATION))
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=365 * 10))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(_ca_key_usage(), critical=True)
                .add_extension(_crl_points(self.root_crl_url), critical=False)
            )
            self._store(index, "ca", builder.sign(root.key, hashes.SHA256()), key, role="ca")
        ca = self.load("ca")
        for service, common_name, usage in (
            ("tsa", TSA_NAME, ExtendedKeyUsageOID.TIME_STAMPING),
            ("ocsp", OCSP_NAME, ExtendedKeyUsageOID.OCSP_SIGNING),
        ):
            if service in index["issued"]:
                continue
            key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
            builder = (
                self._issued_by(ca, key, _name(common_name, organisation=PKI_ORGANISATION))
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=365 * 5))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(_signing_key_usage(non_repudiation=False), critical=True)
                .add_extension(x509.ExtendedKeyUsage([usage]), critical=True)
            )
            if service == "ocsp":
                builder = builder.add_extension(x509.OCSPNoCheck(), critical=False)
            else:
                builder = builder.add_extension(_crl_points(self.crl_url), critical=False)
            self._store(index, service, builder.sign(ca.key, hashes.SHA256()), key, role=service)
        self._save_index(index)
        self.crl(refresh=not self.crl_path.exists())
        self.root_crl(refresh=not self.root_crl_path.exists())

    def issue(
        self,
        name: str,
        *,
        common_name: str,
        organisation: str = "",
        unit: str = "",
        uid: str = "",
        organisation_certificate: bool = False,
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
    ) -> Issued:
        """A signing certificate issued by the CA, with a PKCS#12 file; the existing one if any.

        A personal certificate names the person (``CN``) and their unit and organisation; an
        organisation certificate (``organisation_certificate``) names the organisation itself,
        as for a seal.
        """
        if not _SAFE_NAME.match(name):
            raise PkiError(f"certificate name {name!r} must be lower-case ASCII")
        index = self._index()
        if name in index["issued"]:
            return self.load(name)
        ca = self.load("ca")
        now = _now()
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
        start = not_before or now - dt.timedelta(minutes=5)
        builder = (
            self._issued_by(
                ca, key, _name(common_name, organisation=organisation, unit=unit, uid=uid)
            )
            .not_valid_before(start)
            .not_valid_after(not_after or start + dt.timedelta(days=365 * END_ENTITY_YEARS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_signing_key_usage(non_repudiation=True), critical=True)
            .add_extension(_crl_points(self.crl_url), critical=False)
            .add_extension(
                x509.AuthorityInformationAccess(
                    [
                        x509.AccessDescription(
                            x509.oid.AuthorityInformationAccessOID.OCSP,
                            x509.UniformResourceIdentifier(self.ocsp_url),
                        )
                    ]
                ),
                critical=False,
            )
        )
        certificate = builder.sign(ca.key, hashes.SHA256())
        role = "organisation" if organisation_certificate else "person"
        self._store(index, name, certificate, key, role=role)
        self._save_index(index)
        _write_private(
            self.pkcs12_path(name),
            pkcs12.serialize_key_and_certificates(
                name=name.encode(),
                key=key,
                cert=certificate,
                cas=[ca.certificate, self.load("root").certificate],
                encryption_algorithm=serialization.BestAvailableEncryption(
                    self.passphrase().encode()
                ),
            ),
        )
        return Issued(name=name, certificate=certificate, key=key)

    def revoke(
        self, name: str, *, at: dt.datetime | None = None, reason: str = "key_compromise"
    ) -> None:
        """Revoke a certificate the CA issued and publish a new CRL."""
        index = self._index()
        entry = index["issued"].get(name)
        if entry is None:
            raise PkiError(f"no certificate named {name!r}")
        entry["revoked_at"] = (at or _now()).isoformat()
        entry["reason"] = reason
        self._save_index(index)
        self.crl(refresh=True)

    def _issued_by(
        self, issuer: Issued, key: rsa.RSAPrivateKey, subject: x509.Name
    ) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), False
            )
        )

    def _store(
        self,
        index: dict[str, Any],
        name: str,
        certificate: x509.Certificate,
        key: rsa.RSAPrivateKey,
        *,
        role: str,
    ) -> None:
        path = self.certificate_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        _write_private(self.key_path(name), _key_pem(key))
        index["issued"][name] = {
            "serial": format(certificate.serial_number, "x"),
            "role": role,
            "subject": certificate.subject.rfc4514_string(),
            "revoked_at": None,
            "reason": None,
        }

    # --- revocation --------------------------------------------------------------------------

    def _revoked_by(self, issuer_role: str) -> list[tuple[int, dt.datetime, str]]:
        """(serial, when, reason) of the revoked certificates *issuer_role* issued."""
        revoked = []
        for entry in self._index()["issued"].values():
            if not entry.get("revoked_at"):
                continue
            issued_by_root = entry["role"] == "ca"
            if issued_by_root != (issuer_role == "root"):
                continue
            revoked.append(
                (
                    int(entry["serial"], 16),
                    dt.datetime.fromisoformat(entry["revoked_at"]),
                    entry.get("reason") or "unspecified",
                )
            )
        return revoked

    def crl(self, *, refresh: bool = False) -> bytes:
        """The CA's current CRL (DER); a new one is published when the stored one ran out."""
        return self._crl(self.crl_path, "ca", refresh=refresh)

    def root_crl(self, *, refresh: bool = False) -> bytes:
        """The root's CRL (DER), listing revoked CA certificates."""
        return self._crl(self.root_crl_path, "root", refresh=refresh)

    def _crl(self, path: Path, issuer_role: str, *, refresh: bool) -> bytes:
        if path.exists() and not refresh:
            data = path.read_bytes()
            current = x509.load_der_x509_crl(data)
            next_update = current.next_update_utc
            if next_update is not None and next_update - dt.timedelta(days=1) > _now():
                return data
        issuer = self.load(issuer_role)
        now = _now()
        previous_number = 0
        if path.exists():
            number = x509.load_der_x509_crl(path.read_bytes()).extensions.get_extension_for_class(
                x509.CRLNumber
            )
            previous_number = number.value.crl_number
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(issuer.certificate.subject)
            .last_update(now - dt.timedelta(minutes=1))
            .next_update(now + CRL_LIFETIME)
            .add_extension(x509.CRLNumber(previous_number + 1), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), False
            )
        )
        for serial, when, reason in self._revoked_by(issuer_role):
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(when)
                .add_extension(x509.CRLReason(x509.ReasonFlags[reason]), critical=False)
                .build()
            )
        data = builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
        path.write_bytes(data)
        return data

    def status_of(self, serial: int) -> tuple[str, dt.datetime | None, str | None]:
        """``("good" | "revoked" | "unknown", revoked at, reason)`` for a serial the CA issued."""
        for entry in self._index()["issued"].values():
            if int(entry["serial"], 16) != serial or entry["role"] in {"root", "ca"}:
                continue
            if entry.get("revoked_at"):
                return "revoked", dt.datetime.fromisoformat(entry["revoked_at"]), entry["reason"]
            return "good", None, None
        return "unknown", None, None

    def ocsp_response(self, request_der: bytes) -> bytes:
        """Answer an OCSP request (RFC 6960) about a certificate of the CA, as the responder."""
        try:
            request = ocsp.load_der_ocsp_request(request_der)
        except ValueError:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST
            ).public_bytes(serialization.Encoding.DER)
        ca = self.load("ca")
        status, revoked_at, reason = self.status_of(request.serial_number)
        if status == "unknown" or request.issuer_key_hash != _key_hash(
            ca.certificate, request.hash_algorithm
        ):
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED
            ).public_bytes(serialization.Encoding.DER)
        return self._ocsp_for(
            request.serial_number, status, revoked_at, reason, request.hash_algorithm, request
        )

    def ocsp_response_for(self, certificate: x509.Certificate) -> bytes | None:
        """A fresh OCSP response for a certificate of the CA, or ``None`` for a stranger's."""
        status, revoked_at, reason = self.status_of(certificate.serial_number)
        if status == "unknown" or certificate.issuer != self.load("ca").certificate.subject:
            return None
        return self._ocsp_for(
            certificate.serial_number, status, revoked_at, reason, hashes.SHA256(), None
        )

    def _ocsp_for(
        self,
        serial: int,
        status: str,
        revoked_at: dt.datetime | None,
        reason: str | None,
        algorithm: hashes.HashAlgorithm,
        request: ocsp.OCSPRequest | None,
    ) -> bytes:
        ca = self.load("ca")
        responder = self.load("ocsp")
        subject = _certificate_with_serial(self, serial)
        now = _now()
        builder = ocsp.OCSPResponseBuilder().add_response(
            cert=subject,
            issuer=ca.certificate,
            algorithm=_hash_for(algorithm),
            cert_status=(
                ocsp.OCSPCertStatus.REVOKED if status == "revoked" else ocsp.OCSPCertStatus.GOOD
            ),
            this_update=now - dt.timedelta(minutes=1),
            next_update=now + OCSP_LIFETIME,
            revocation_time=revoked_at if status == "revoked" else None,
            revocation_reason=x509.ReasonFlags[reason] if status == "revoked" and reason else None,
        )
        builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, responder.certificate)
        builder = builder.certificates([responder.certificate])
        if request is not None:
            try:
                nonce = request.extensions.get_extension_for_class(x509.OCSPNonce)
                builder = builder.add_extension(nonce.value, critical=False)
            except x509.ExtensionNotFound:
                pass
        response = builder.sign(responder.key, hashes.SHA256())
        return response.public_bytes(serialization.Encoding.DER)

    def issued_certificates(self) -> dict[str, dict[str, Any]]:
        """The index: name → serial (hex), role, subject, revocation."""
        issued: dict[str, dict[str, Any]] = self._index()["issued"]
        return issued


def _certificate_with_serial(pki: DemoPki, serial: int) -> x509.Certificate:
    for name, entry in pki.issued_certificates().items():
        if int(entry["serial"], 16) == serial:
            return pki.load(name).certificate
    raise PkiError(f"no certificate with serial {serial:x}")


def _hash_for(algorithm: hashes.HashAlgorithm) -> hashes.HashAlgorithm:
    # cryptography builds OCSP answers with SHA-1, SHA-224…SHA-512 CertIDs.
    return algorithm if isinstance(algorithm, hashes.SHA1 | hashes.SHA256) else hashes.SHA256()


def _key_hash(certificate: x509.Certificate, algorithm: hashes.HashAlgorithm) -> bytes:
    digest = hashes.Hash(_hash_for(algorithm))
    digest.update(
        asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
        .public_key["public_key"]
        .contents[1:]
    )
    return digest.finalize()


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _signing_key_usage(*, non_repudiation: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=non_repudiation,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _crl_points(url: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints(
        [
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(url)],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            )
        ]
    )


def ensure_demo_pki(directory: Path, *, base_url: str) -> DemoPki:
    """The demo PKI in *directory*, created the first time (root, CA, TSA, OCSP responder)."""
    pki = DemoPki(directory, base_url)
    pki.create_authorities()
    return pki
