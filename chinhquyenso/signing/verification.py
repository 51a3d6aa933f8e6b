"""Checking the signatures of a PDF, with the results in plain Vietnamese.

For each signature: who signed (the certificate's name and organisation), when (the time-stamp
if there is one, else the time the signer's software claimed), whether the signed bytes are
intact, whether the document changed after signing and whether that change is allowed (form
filling and later signatures after a certification that allows them, validation data), whether
the certificate chains to a configured trusted root, and its revocation status when known.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    async_validate_pdf_signature,
)
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.status import SignatureCoverageLevel

from chinhquyenso.signing import pdf as pdf_tools
from chinhquyenso.signing.appearance import iso_vietnam
from chinhquyenso.signing.sync import outside_event_loop
from chinhquyenso.signing.trust import validation_context

#: Revocation status values.
REVOCATION_GOOD = "good"
REVOCATION_REVOKED = "revoked"
REVOCATION_UNKNOWN = "unknown"

_LEVELS = {
    ModificationLevel.NONE: "none",
    ModificationLevel.LTA_UPDATES: "validation_data",
    ModificationLevel.FORM_FILLING: "form_filling",
    ModificationLevel.ANNOTATIONS: "annotations",
    ModificationLevel.OTHER: "other",
}

#: The form fields the platform fills or signs after the person's signature, as a reader knows
#: them (a PDF names its fields for machines: ``so_ky_hieu``).
_FIELD_LABELS = {
    pdf_tools.NUMBER_FIELD: gettext_lazy("số, ký hiệu"),
    pdf_tools.DATE_FIELD: gettext_lazy("ngày ban hành"),
    pdf_tools.PERSON_FIELD: gettext_lazy("chữ ký của người có thẩm quyền"),
    pdf_tools.SEAL_FIELD: gettext_lazy("chữ ký của cơ quan, tổ chức"),
}


@dataclass(frozen=True)
class SignatureReport:
    """One signature of the document, as the verification page and the API show it."""

    field_name: str
    signer_name: str
    organization: str
    issuer_name: str
    serial_number: str
    certificate_valid_from: str  # ISO 8601, +07:00
    certificate_valid_to: str
    signed_at: str | None  # ISO 8601, +07:00
    signed_at_source: str  # "timestamp" (trusted TSA) or "signer" (claimed by the signer)
    timestamped: bool
    intact: bool  # the signed bytes are unchanged and the signature value checks out
    valid: bool  # intact, and no change after signing other than allowed ones, not revoked
    trusted: bool  # the certificate chains to a configured trusted root and is usable
    modified_after_signing: bool  # the document content changed after this signature
    modification_allowed: bool | None  # that change is allowed (None: no change)
    modification: str  # none, validation_data, form_filling, annotations, other
    changed_fields: list[str]
    certification: bool  # a certification (DocMDP) signature
    revocation: str  # good, revoked, unknown
    revoked_at: str | None
    level: str  # PAdES baseline level: B-B, B-T, B-LT
    summary: str  # one Vietnamese sentence
    problems: list[str] = field(default_factory=list)  # Vietnamese, one per problem

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def changed_field_labels(self) -> list[str]:
        """:attr:`changed_fields` for a reader: the platform's own fields by what they hold,
        any other by its name in the PDF."""
        return [str(_FIELD_LABELS.get(name, name)) for name in self.changed_fields]


@dataclass(frozen=True)
class VerificationReport:
    signatures: list[SignatureReport]

    @property
    def all_valid(self) -> bool:
        return bool(self.signatures) and all(s.valid and s.trusted for s in self.signatures)

    def as_dict(self) -> dict[str, Any]:
        return {"signatures": [s.as_dict() for s in self.signatures]}


@outside_event_loop
def verify_pdf(data: bytes) -> VerificationReport:
    """Check every signature of *data*; raises PdfRefused for a file we will not read."""
    reader = pdf_tools.open_pdf(data)
    certs, crls, ocsps = _document_revinfo(reader)
    reports = []
    for embedded in reader.embedded_regular_signatures:
        reports.append(_verify_one(embedded, certs, crls, ocsps))
    return VerificationReport(signatures=reports)


def _document_revinfo(reader: PdfFileReader) -> tuple[list[Any], list[Any], list[Any]]:
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return [], [], []
    context = dss.as_validation_context({"trust_roots": []})
    return list(dss.load_certs()), list(context.crls), list(context.ocsps)


def _verify_one(
    embedded: EmbeddedPdfSignature, certs: list[Any], crls: list[Any], ocsps: list[Any]
) -> SignatureReport:
    signer_cert: asn1_x509.Certificate = embedded.signer_cert
    context = validation_context(other_certs=certs, crls=crls, ocsps=ocsps)
    status: PdfSignatureStatus = asyncio.run(
        async_validate_pdf_signature(embedded, signer_validation_context=context)
    )
    subject = signer_cert.subject.native
    issuer = signer_cert.issuer.native
    timestamp = status.timestamp_validity
    signed_at: datetime | None
    if timestamp is not None and timestamp.intact and timestamp.valid:
        signed_at, source = timestamp.timestamp, "timestamp"
    else:
        signed_at, source = status.signer_reported_dt, "signer"
    level = status.modification_level
    modified = status.coverage != SignatureCoverageLevel.ENTIRE_FILE and level not in (
        ModificationLevel.NONE,
        ModificationLevel.LTA_UPDATES,
    )
    allowed = bool(status.docmdp_ok) if modified else None
    intact = bool(status.intact and status.valid)
    revocation, revoked_at = _revocation(status, signer_cert, [*crls, *context.crls], context.ocsps)
    valid = intact and (not modified or bool(allowed)) and revocation != REVOCATION_REVOKED
    changed = (
        sorted(getattr(status.diff_result, "changed_form_fields", None) or []) if modified else []
    )
    has_dss = bool(crls or ocsps)
    report_level = "B-LT" if timestamp is not None and has_dss else "B-T" if timestamp else "B-B"
    problems = _problems(status, intact, modified, allowed, revocation, signer_cert)
    return SignatureReport(
        field_name=str(embedded.field_name),
        signer_name=str(subject.get("common_name", "")),
        organization=str(subject.get("organization_name", "")),
        issuer_name=str(issuer.get("common_name", "")),
        serial_number=format(signer_cert.serial_number, "X"),
        certificate_valid_from=iso_vietnam(signer_cert.not_valid_before),
        certificate_valid_to=iso_vietnam(signer_cert.not_valid_after),
        signed_at=iso_vietnam(signed_at) if signed_at else None,
        signed_at_source=source,
        timestamped=timestamp is not None,
        intact=intact,
        valid=valid,
        trusted=bool(status.trusted),
        modified_after_signing=modified,
        modification_allowed=allowed,
        modification=_LEVELS.get(level, "other") if level is not None else "none",
        changed_fields=[str(name) for name in changed],
        certification=embedded.docmdp_level is not None,
        revocation=revocation,
        revoked_at=iso_vietnam(revoked_at) if revoked_at else None,
        level=report_level,
        summary=_summary(valid, bool(status.trusted), intact, modified),
        problems=problems,
    )


def _revocation(
    status: PdfSignatureStatus,
    certificate: asn1_x509.Certificate,
    crls: Iterable[Any],
    ocsps: Iterable[Any],
) -> tuple[str, datetime | None]:
    if status.revocation_details is not None:
        return REVOCATION_REVOKED, status.revocation_details.revocation_date
    issuer = certificate.issuer
    for response in ocsps:
        answer = response if isinstance(response, asn1_ocsp.OCSPResponse) else None
        if answer is None:
            answer = asn1_ocsp.OCSPResponse.load(bytes(response))
        try:
            for single in answer.basic_ocsp_response["tbs_response_data"]["responses"]:
                if single["cert_id"]["serial_number"].native == certificate.serial_number:
                    return REVOCATION_GOOD, None
        except (KeyError, ValueError, TypeError):
            continue
    for listed in crls:
        crl = listed if isinstance(listed, asn1_crl.CertificateList) else None
        if crl is None:
            crl = asn1_crl.CertificateList.load(bytes(listed))
        if crl.issuer == issuer:
            return REVOCATION_GOOD, None
    return REVOCATION_UNKNOWN, None


def _summary(valid: bool, trusted: bool, intact: bool, modified: bool) -> str:
    if valid and trusted:
        return _("Chữ ký số hợp lệ.")
    if not intact:
        return _("Chữ ký số không hợp lệ: nội dung đã ký bị thay đổi.")
    if not valid and modified:
        return _("Chữ ký số không hợp lệ: văn bản bị sửa đổi sau khi ký.")
    if not valid:
        return _("Chữ ký số không hợp lệ.")
    return _("Chữ ký còn nguyên vẹn nhưng chứng thư số không được tin cậy.")


def _problems(
    status: PdfSignatureStatus,
    intact: bool,
    modified: bool,
    allowed: bool | None,
    revocation: str,
    certificate: asn1_x509.Certificate,
) -> list[str]:
    problems = []
    if not intact:
        problems.append(_("Dữ liệu đã ký không còn nguyên vẹn."))
    if modified and not allowed:
        problems.append(_("Văn bản bị sửa đổi sau khi ký theo cách không được phép."))
    if revocation == REVOCATION_REVOKED:
        problems.append(_("Chứng thư số của người ký đã bị thu hồi."))
    if not status.trusted and revocation != REVOCATION_REVOKED:
        indication = str(status.trust_problem_indic or "")
        if "EXPIRED" in indication or "OUT_OF_BOUNDS" in indication:
            problems.append(
                _("Chứng thư số đã hết hạn (hiệu lực đến %(date)s).")
                % {"date": iso_vietnam(certificate.not_valid_after)}
            )
        elif "NOT_YET_VALID" in indication:
            problems.append(_("Chứng thư số chưa có hiệu lực vào lúc kiểm tra."))
        else:
            problems.append(
                _("Chứng thư số không dẫn về chứng thư gốc tin cậy đã cấu hình trên hệ thống.")
            )
    if status.timestamp_validity is not None and not (
        status.timestamp_validity.intact and status.timestamp_validity.valid
    ):
        problems.append(_("Dấu thời gian không hợp lệ."))
    return problems


__all__ = [
    "REVOCATION_GOOD",
    "REVOCATION_REVOKED",
    "REVOCATION_UNKNOWN",
    "SignatureReport",
    "VerificationReport",
    "verify_pdf",
]
