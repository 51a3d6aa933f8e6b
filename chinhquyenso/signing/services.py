"""Signing PDFs and registering what signers sign with (credentials, signature and seal images).

:func:`sign_pdf` is what the documents app calls. It produces PAdES baseline signatures
(ETSI EN 319 142): B-T with a time-stamp from the configured TSA, and B-LT (the certificates,
CRLs and OCSP answers in the document's security store) when revocation data is reachable.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from PIL import Image
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps import TimestampRequestError
from pyhanko.stamp import BaseStampStyle
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator import errors as cv_errors

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.permissions import has_role
from chinhquyenso.core import clock
from chinhquyenso.core.audit import audit_record
from chinhquyenso.signing import appearance as look
from chinhquyenso.signing import pdf as pdf_tools
from chinhquyenso.signing.appearance import AppearanceKind, Box, VisibleSignature
from chinhquyenso.signing.errors import CredentialError, SigningRefused
from chinhquyenso.signing.images import check_transparent_png
from chinhquyenso.signing.models import (
    CredentialKind,
    SealImage,
    SignatureImage,
    SigningCredential,
)
from chinhquyenso.signing.signers import (
    certificate_info,
    credential_certificate,
    open_signer,
    pkcs12_certificate,
)
from chinhquyenso.signing.sync import outside_event_loop
from chinhquyenso.signing.trust import time_stamper, validation_context
from chinhquyenso.units.models import Unit

logger = logging.getLogger(__name__)

#: Seals are 30–45 mm across in practice; outside this the value is surely a typing error.
SEAL_DIAMETER_RANGE_MM = (Decimal("20"), Decimal("60"))


def _date(moment: datetime) -> str:
    return formats.date_format(moment.astimezone(look.VIETNAM), "d/m/Y H:i")


# --- checks before signing ------------------------------------------------------------------


def check_certificate_for_signing(certificate: x509.Certificate) -> None:
    """Refuse a certificate that is expired, not yet valid, revoked or not trusted.

    The message names the problem in Vietnamese; the signer sees it as it is.
    """
    now = clock.now()
    if now > certificate.not_valid_after_utc:
        raise SigningRefused(
            _("Chứng thư số đã hết hạn từ %(date)s; không thể ký bằng chứng thư này.")
            % {"date": _date(certificate.not_valid_after_utc)},
            code="certificate_expired",
        )
    if now < certificate.not_valid_before_utc:
        raise SigningRefused(
            _("Chứng thư số chưa có hiệu lực (có hiệu lực từ %(date)s).")
            % {"date": _date(certificate.not_valid_before_utc)},
            code="certificate_not_yet_valid",
        )
    der = certificate.public_bytes(serialization.Encoding.DER)
    validator = CertificateValidator(
        asn1_x509.Certificate.load(der),
        validation_context=validation_context(for_certificates=[certificate]),
    )
    try:
        asyncio.run(validator.async_validate_usage({"non_repudiation"}))
    except cv_errors.RevokedError as error:
        raise SigningRefused(
            _("Chứng thư số đã bị thu hồi từ %(date)s; không thể ký bằng chứng thư này.")
            % {"date": _date(error.revocation_dt)},
            code="certificate_revoked",
        ) from None
    except (cv_errors.PathBuildingError, cv_errors.PathValidationError):
        raise SigningRefused(
            _(
                "Chứng thư số không do tổ chức cung cấp dịch vụ chứng thực được tin cậy cấp "
                "(không dẫn về chứng thư gốc đã cấu hình)."
            ),
            code="certificate_untrusted",
        ) from None
    except cv_errors.InvalidCertificateError:
        raise SigningRefused(
            _("Chứng thư số không dùng được để ký văn bản (thiếu mục đích chống chối bỏ)."),
            code="certificate_usage",
        ) from None


def _check_actor(credential: SigningCredential, by: User) -> None:
    """A person signs with their own key only; the unit's key is used by its clerk."""
    if not credential.is_active:
        raise SigningRefused(_("Chứng thư số này đã ngừng sử dụng."), code="credential_inactive")
    if credential.official_id is not None:
        allowed = by.pk == credential.official_id
    else:
        allowed = has_role(by, Role.CLERK) and by.unit_id == credential.unit_id
    if not allowed:
        raise SigningRefused(
            _("Bạn không được dùng chứng thư số này để ký."), code="credential_forbidden"
        )


# --- placing the visible signature ----------------------------------------------------------


def _person_style(credential: SigningCredential, visible: VisibleSignature) -> BaseStampStyle:
    if credential.official_id is None:
        raise SigningRefused(
            _("Chữ ký của người có thẩm quyền phải dùng chứng thư số cá nhân."),
            code="wrong_credential",
        )
    image_row = SignatureImage.objects.filter(official_id=credential.official_id).first()
    if image_row is None:
        raise SigningRefused(
            _("Chưa có ảnh chữ ký của người ký; xin tải ảnh chữ ký (PNG nền trong suốt) trước."),
            code="no_signature_image",
        )
    image = _load_image(image_row.image)
    if visible.title or visible.name:
        return look.PersonStampStyle(image=image, title=visible.title, name=visible.name)
    return look.image_style(image)


def _load_image(stored: Any) -> Image.Image:
    with stored.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def _seal(credential: SigningCredential) -> SealImage:
    if credential.unit_id is None:
        raise SigningRefused(
            _("Chữ ký của cơ quan phải dùng chứng thư số của cơ quan, tổ chức."),
            code="wrong_credential",
        )
    seal = SealImage.objects.filter(unit_id=credential.unit_id).first()
    if seal is None:
        raise SigningRefused(
            _("Chưa có ảnh con dấu của cơ quan; xin tải ảnh con dấu (PNG nền trong suốt) trước."),
            code="no_seal_image",
        )
    return seal


def _seal_box_for(person_box: Box, seal: SealImage) -> Box:
    return look.seal_box(
        person_box, diameter_mm=float(seal.diameter_mm), image_size=(seal.width_px, seal.height_px)
    )


def _resolve_box(
    pdf: bytes, reader: Any, visible: VisibleSignature, field_name: str
) -> tuple[int, Box] | None:
    """(page, box) of a new field for a person's signature; ``None`` to use the empty field."""
    pages = pdf_tools.page_count(reader)
    if not 1 <= visible.page <= pages:
        raise SigningRefused(
            _("Văn bản chỉ có %(pages)s trang, không có trang %(page)s.")
            % {"pages": pages, "page": visible.page},
            code="bad_page",
        )
    if visible.box is not None:
        return visible.page, visible.box
    if visible.placeholder:
        found = pdf_tools.find_placeholder(pdf, visible.placeholder)
        if found is None:
            raise SigningRefused(
                _("Không tìm thấy chỗ đặt chữ ký “%(text)s” trong văn bản.")
                % {"text": visible.placeholder},
                code="placeholder_not_found",
            )
        page, text_box = found
        return page, look.placeholder_box(text_box)
    if _empty_field_box(reader, field_name) is not None:
        return None
    raise SigningRefused(_("Chưa chọn vị trí đặt chữ ký trên văn bản."), code="no_position")


def _empty_field_box(reader: Any, field_name: str) -> tuple[int, Box] | None:
    for name, page, box, signed in pdf_tools.signature_field_boxes(reader):
        if name == field_name and not signed:
            return page, box
    return None


def _last_signature_box(reader: Any) -> tuple[int, Box] | None:
    """The visible box of the most recent signature (the competent person's, for the seal)."""
    boxes = {
        name: (page, box)
        for name, page, box, signed in pdf_tools.signature_field_boxes(reader)
        if signed
    }
    for embedded in reversed(reader.embedded_regular_signatures):
        if embedded.field_name in boxes:
            return boxes[embedded.field_name]
    return None


# --- signing ---------------------------------------------------------------------------------


@outside_event_loop
def sign_pdf(
    *,
    pdf: bytes,
    signer: SigningCredential,
    by: User,
    appearance: VisibleSignature | None = None,
    certify: bool = False,
    field_name: str = "",
    reason: str = "",
    location: str = "",
    secret: str | None = None,
    reserve_seal_for: Unit | None = None,
) -> bytes:
    """Sign *pdf* with *signer*'s key on behalf of *by*; the signed PDF (an incremental update).

    * ``appearance``: ``None`` for an invisible signature, else a :class:`VisibleSignature`
      (person's image, the unit's seal, or the text stamp of attachments and copies).
    * ``certify``: a certification signature allowing form filling and later signatures
      (DocMDP P=2): the first signer of a document that is numbered after signing.
    * ``field_name``: the signature field; defaults to ``chu_ky_nguoi_co_tham_quyen`` for a
      person and ``chu_ky_co_quan`` for the organisation (an empty field of that name is used).
    * ``secret``: the passphrase or PIN, when it is not configured on the credential.
    * ``reserve_seal_for``: with ``certify``, also make the empty seal field of this unit
      (real size, over the left third of the signature) so its later signature is an allowed
      change.

    Raises :class:`~chinhquyenso.signing.errors.SigningError` subclasses with a Vietnamese
    message: the PDF is refused, the certificate is expired/revoked/untrusted, the order is
    wrong (the organisation signs only after the person), the key cannot be opened.
    """
    _check_actor(signer, by)
    reader = pdf_tools.open_pdf(pdf)
    existing = reader.embedded_regular_signatures
    if certify and existing:
        raise SigningRefused(
            _("Văn bản đã có chữ ký; chữ ký chứng nhận phải là chữ ký đầu tiên."),
            code="certify_not_first",
        )
    certificate = credential_certificate(signer)
    check_certificate_for_signing(certificate)

    kind = appearance.kind if appearance is not None else None
    field_name = field_name or (
        pdf_tools.SEAL_FIELD if signer.unit_id is not None else pdf_tools.PERSON_FIELD
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    style: BaseStampStyle | None = None
    placement: tuple[int, Box] | None = None
    text_params: dict[str, str] = {}
    if appearance is not None and kind == AppearanceKind.PERSON:
        style = _person_style(signer, appearance)
        placement = _resolve_box(pdf, reader, appearance, field_name)
    elif appearance is not None and kind == AppearanceKind.SEAL:
        seal = _seal(signer)
        if not existing:
            raise SigningRefused(
                _(
                    "Cơ quan, tổ chức chỉ ký số sau khi người có thẩm quyền đã ký; văn bản chưa "
                    "có chữ ký nào."
                ),
                code="seal_before_person",
            )
        style = look.image_style(_load_image(seal.image))
        if appearance.box is not None:
            placement = (appearance.page, appearance.box)
        elif _empty_field_box(reader, field_name) is None:
            person = _last_signature_box(reader)
            if person is None:
                raise SigningRefused(
                    _("Không tìm thấy chữ ký hiện của người có thẩm quyền để đặt con dấu."),
                    code="no_person_signature",
                )
            placement = (person[0], _seal_box_for(person[1], seal))
    elif appearance is not None and kind == AppearanceKind.COPY_STAMP:
        if signer.unit_id is None:
            raise SigningRefused(
                _("Bản sao và phụ lục do cơ quan, tổ chức ký số."), code="wrong_credential"
            )
        if not appearance.document_number.strip():
            raise SigningRefused(
                _("Thiếu số, ký hiệu văn bản để ghi trên chữ ký."), code="no_document_number"
            )
        style = look.copy_stamp_style()
        text_params = {"document_number": appearance.document_number.strip()}
        placement = (1, look.copy_stamp_box(pdf_tools.page_box(reader, 1)))

    if reserve_seal_for is not None:
        if not certify or placement is None:
            raise ValueError("reserve_seal_for needs certify=True and a new visible signature")
        reserved = SealImage.objects.filter(unit=reserve_seal_for).first()
        if reserved is None:
            raise SigningRefused(
                _("Chưa có ảnh con dấu của %(unit)s.") % {"unit": reserve_seal_for},
                code="no_seal_image",
            )
        page, box = placement
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(
                sig_field_name=pdf_tools.SEAL_FIELD,
                on_page=page - 1,
                box=_int_box(_seal_box_for(box, reserved)),
            ),
        )

    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason or None,
        location=location or None,
        certify=certify,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=True,
        validation_context=validation_context(for_certificates=[certificate]),
    )
    new_field = (
        fields.SigFieldSpec(
            sig_field_name=field_name, on_page=placement[0] - 1, box=_int_box(placement[1])
        )
        if placement is not None
        else None
    )
    try:
        with open_signer(signer, secret=secret) as key:
            pdf_signer = signers.PdfSigner(
                meta,
                signer=key,
                timestamper=time_stamper(),
                stamp_style=style,
                new_field_spec=new_field,
            )
            signed = pdf_signer.sign_pdf(
                writer, appearance_text_params=text_params or None
            ).getvalue()
    except TimestampRequestError:
        raise SigningRefused(
            _("Không lấy được dấu thời gian từ dịch vụ cấp dấu thời gian; xin thử lại sau."),
            code="timestamp_failed",
        ) from None
    except PyHankoSigningError as error:
        logger.warning("Signing failed for credential %s: %s", signer.pk, error)
        raise SigningRefused(
            _("Không ký được văn bản: %(reason)s") % {"reason": error}, code="signing_failed"
        ) from None

    with transaction.atomic():
        audit_record(
            actor=by,
            action="signing.sign",
            obj=signer,
            changes={
                "field": [None, field_name],
                "appearance": [None, str(kind) if kind else "invisible"],
                "certify": [None, certify],
                "sha256": [hashlib.sha256(pdf).hexdigest(), hashlib.sha256(signed).hexdigest()],
            },
        )
    return signed


def _int_box(box: Box) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = box
    return (round(x1), round(y1), round(x2), round(y2))


# --- credentials and images ------------------------------------------------------------------


def _owner_check(official: User | None, unit: Unit | None) -> None:
    if (official is None) == (unit is None):
        raise ValueError("a credential belongs to exactly one official or one unit")
    if official is not None and not official.is_official:
        raise ValidationError(_("Chỉ cán bộ, công chức mới có chứng thư ký số trên hệ thống."))


def _credential_fields(certificate: x509.Certificate) -> dict[str, Any]:
    info = certificate_info(certificate)
    return {
        "certificate_pem": certificate.public_bytes(serialization.Encoding.PEM).decode(),
        "subject_name": info.subject_name[:300],
        "organization": info.organization[:300],
        "issuer_name": info.issuer_name[:300],
        "serial_number": info.serial_number[:80],
        "fingerprint_sha256": info.fingerprint_sha256,
        "valid_from": info.valid_from,
        "valid_to": info.valid_to,
    }


@transaction.atomic
def credential_register_pkcs12(
    *,
    official: User | None = None,
    unit: Unit | None = None,
    pkcs12_data: bytes,
    passphrase: str,
    secret_ref: str = "",
    label: str = "",
    by: User | None,
) -> SigningCredential:
    """Keep a PKCS#12 file for an official or a unit. The passphrase is checked, not stored:
    ``secret_ref`` says where to read it at signing time (or the signer types it)."""
    _owner_check(official, unit)
    certificate = pkcs12_certificate(pkcs12_data, passphrase)
    credential = SigningCredential(
        official=official,
        unit=unit,
        kind=CredentialKind.PKCS12,
        label=label,
        secret_ref=secret_ref,
        **_credential_fields(certificate),
    )
    credential.pkcs12_file.save("credential.p12", ContentFile(pkcs12_data), save=False)
    credential.save()
    audit_record(actor=by, action="signing.credential_register", obj=credential)
    return credential


@transaction.atomic
def credential_register_pkcs11(
    *,
    official: User | None = None,
    unit: Unit | None = None,
    certificate_pem: str,
    token_label: str,
    key_label: str,
    module: str = "",
    secret_ref: str = "",
    label: str = "",
    by: User | None,
) -> SigningCredential:
    """Name a key kept on a PKCS#11 token or HSM (module, token label, key label)."""
    _owner_check(official, unit)
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
    except ValueError:
        raise CredentialError(_("Chứng thư số (PEM) không đọc được.")) from None
    credential = SigningCredential.objects.create(
        official=official,
        unit=unit,
        kind=CredentialKind.PKCS11,
        label=label,
        pkcs11_module=module,
        token_label=token_label,
        key_label=key_label,
        secret_ref=secret_ref,
        **_credential_fields(certificate),
    )
    audit_record(actor=by, action="signing.credential_register", obj=credential)
    return credential


@transaction.atomic
def credential_deactivate(*, credential: SigningCredential, by: User | None) -> SigningCredential:
    credential = SigningCredential.objects.select_for_update().get(pk=credential.pk)
    if credential.is_active:
        credential.is_active = False
        credential.save(update_fields=["is_active"])
        audit_record(
            actor=by,
            action="signing.credential_deactivate",
            obj=credential,
            changes={"is_active": [True, False]},
        )
    return credential


@transaction.atomic
def signature_image_upload(*, official: User, file: File, by: User | None) -> SignatureImage:
    """Set *official*'s signature image (transparent PNG, checked by content)."""
    checked = check_transparent_png(file)
    row = SignatureImage.objects.select_for_update().filter(official=official).first()
    before = row.image.name if row else None
    row = row or SignatureImage(official=official)
    row.width_px, row.height_px = checked.width, checked.height
    row.image.save("signature.png", ContentFile(checked.data), save=False)
    row.save()
    audit_record(
        actor=by,
        action="signing.signature_image_upload",
        obj=row,
        changes={"image": [before, row.image.name]},
    )
    return row


@transaction.atomic
def seal_image_upload(
    *, unit: Unit, file: File, diameter_mm: Decimal, by: User | None
) -> SealImage:
    """Set *unit*'s seal image (transparent PNG) and the seal's real diameter in millimetres."""
    low, high = SEAL_DIAMETER_RANGE_MM
    if not low <= Decimal(diameter_mm) <= high:
        raise ValidationError(
            _("Đường kính con dấu phải từ %(low)s đến %(high)s mm."),
            code="seal_diameter",
            params={"low": low, "high": high},
        )
    checked = check_transparent_png(file)
    row = SealImage.objects.select_for_update().filter(unit=unit).first()
    before = row.image.name if row else None
    row = row or SealImage(unit=unit)
    row.width_px, row.height_px = checked.width, checked.height
    row.diameter_mm = Decimal(diameter_mm)
    row.image.save("seal.png", ContentFile(checked.data), save=False)
    row.save()
    audit_record(
        actor=by,
        action="signing.seal_image_upload",
        obj=row,
        changes={"image": [before, row.image.name], "diameter_mm": [None, str(diameter_mm)]},
    )
    return row
