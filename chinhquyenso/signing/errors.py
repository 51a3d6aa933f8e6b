"""The one family of errors the signing app raises; each carries a Vietnamese message and a code."""

from __future__ import annotations


class SigningError(Exception):
    """Base class: ``message`` is shown to people as it is, ``code`` is for programs."""

    code = "signing_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class PdfRefused(SigningError):
    """A PDF we will not sign or verify: not a PDF, broken, encrypted, with JavaScript, …"""

    code = "pdf_refused"


class SigningRefused(SigningError):
    """Signing is refused: expired or revoked certificate, wrong order, not allowed, …"""

    code = "signing_refused"


class CredentialError(SigningError):
    """The key cannot be used: wrong passphrase or PIN, token missing, bad PKCS#12 file."""

    code = "credential_error"


class AppearanceError(SigningError):
    """The visible signature cannot be made: no font, placeholder not found, no image."""

    code = "appearance_error"
