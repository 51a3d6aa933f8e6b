"""Putting demo keys on a SoftHSM2 token, so the PKCS#11 path is used like a real HSM or USB token.

The token's files live in the demo PKI folder (``softhsm2.conf`` and ``softhsm-tokens/``);
``SOFTHSM2_CONF`` points the SoftHSM2 library at them unless the environment already does.
The PIN is the demo PKI's passphrase. The token is made with ``softhsm2-util`` (the only way to
initialise one); keys and certificates are written through PKCS#11 itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from chinhquyenso.signing.pki import DemoPki

DEMO_TOKEN_LABEL = "cqs-demo"  # noqa: S105 - a token name, not a secret
DEFAULT_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


class SoftHsmUnavailable(Exception):
    """SoftHSM2 is not installed (``softhsm2-util`` or its PKCS#11 module is missing)."""


def conf_path(pki: DemoPki) -> Path:
    return pki.directory / "softhsm2.conf"


def softhsm_available(module: str = DEFAULT_MODULE) -> bool:
    return shutil.which("softhsm2-util") is not None and Path(module).exists()


def use_demo_token_conf(pki: DemoPki) -> None:
    """Point SoftHSM2 at the demo token folder (before the library is first loaded)."""
    if conf_path(pki).exists():
        os.environ.setdefault("SOFTHSM2_CONF", str(conf_path(pki)))


def _write_conf(pki: DemoPki) -> None:
    tokens = pki.directory / "softhsm-tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf_path(pki).write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n",
        encoding="utf-8",
    )


def _token(module: str, label: str) -> Any:
    import pkcs11

    try:
        return pkcs11.lib(module).get_token(token_label=label)
    except pkcs11.NoSuchToken:
        return None


def load_demo_token(pki: DemoPki, names: list[str], *, module: str = DEFAULT_MODULE) -> str:
    """Put the keys and certificates *names* of the demo PKI on the demo token; its label.

    Creates the token the first time; a key already on it (same label) is left alone.
    """
    if not softhsm_available(module):
        raise SoftHsmUnavailable("softhsm2 is not installed")
    if not conf_path(pki).exists():
        _write_conf(pki)
    use_demo_token_conf(pki)
    if os.environ.get("SOFTHSM2_CONF") != str(conf_path(pki)):
        raise SoftHsmUnavailable(
            "SOFTHSM2_CONF points elsewhere; unset it to use the demo token "
            f"({os.environ.get('SOFTHSM2_CONF')})"
        )
    pin = pki.passphrase()
    if _token(module, DEMO_TOKEN_LABEL) is None:
        subprocess.run(  # noqa: S603 - fixed program, arguments we made
            [
                shutil.which("softhsm2-util") or "softhsm2-util",
                "--init-token",
                "--free",
                "--label",
                DEMO_TOKEN_LABEL,
                "--pin",
                pin,
                "--so-pin",
                pin,
            ],
            check=True,
            capture_output=True,
            env=os.environ.copy(),
            timeout=60,
        )
        # SoftHSM2 reads its token folder when the library is initialised.
        import pkcs11

        pkcs11.lib(module).reinitialize()
    token = _token(module, DEMO_TOKEN_LABEL)
    if token is None:
        raise SoftHsmUnavailable("the demo token was not created")
    _put_keys(token, pki, names, pin)
    return DEMO_TOKEN_LABEL


def _put_keys(token: Any, pki: DemoPki, names: list[str], pin: str) -> None:
    from asn1crypto import core
    from pkcs11 import Attribute, CertificateType, KeyType, ObjectClass
    from pkcs11.util.rsa import decode_rsa_private_key

    with token.open(user_pin=pin, rw=True) as session:
        for index, name in enumerate(names, start=1):
            existing = list(session.get_objects({Attribute.LABEL: name}))
            if existing:
                continue
            issued = pki.load(name)
            key_id = f"{index:02x}".encode() + name.encode()[:30]
            private = issued.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
            attributes = decode_rsa_private_key(private)
            attributes.update(
                {
                    Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                    Attribute.KEY_TYPE: KeyType.RSA,
                    Attribute.LABEL: name,
                    Attribute.ID: key_id,
                    Attribute.TOKEN: True,
                    Attribute.PRIVATE: True,
                    Attribute.SENSITIVE: True,
                    Attribute.SIGN: True,
                }
            )
            session.create_object(attributes)
            certificate = issued.certificate
            session.create_object(
                {
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    Attribute.LABEL: name,
                    Attribute.ID: key_id,
                    Attribute.TOKEN: True,
                    Attribute.SUBJECT: certificate.subject.public_bytes(),
                    Attribute.ISSUER: certificate.issuer.public_bytes(),
                    Attribute.SERIAL_NUMBER: core.Integer(certificate.serial_number).dump(),
                    Attribute.VALUE: certificate.public_bytes(serialization.Encoding.DER),
                }
            )
