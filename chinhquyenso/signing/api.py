"""Public API of the signing app: checking the signatures of a PDF (no key needed).

Verification is public, as on the web page: anyone holding a document may check it, the way
anyone may look at a paper seal. Nothing is stored; the answer concerns the uploaded file only.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from chinhquyenso.api.errors import ApiValidationError, ErrorOut
from chinhquyenso.signing.errors import PdfRefused
from chinhquyenso.signing.verification import verify_pdf

router = Router(tags=["signatures"])


class SignatureOut(Schema):
    field_name: str
    signer_name: str
    organization: str
    issuer_name: str
    serial_number: str
    certificate_valid_from: str
    certificate_valid_to: str
    signed_at: str | None
    signed_at_source: str
    timestamped: bool
    intact: bool
    valid: bool
    trusted: bool
    modified_after_signing: bool
    modification_allowed: bool | None
    modification: str
    changed_fields: list[str]
    certification: bool
    revocation: str
    revoked_at: str | None
    level: str
    summary: str
    problems: list[str]


class VerificationOut(Schema):
    signatures: list[SignatureOut]


@router.post(
    "/verify",
    response={200: VerificationOut, 400: ErrorOut},
    auth=None,
    summary="Kiểm tra chữ ký số trên tệp PDF",
    description=(
        "Gửi tệp PDF trong trường `file` (multipart/form-data); không cần khóa API. Trả về "
        "từng chữ ký: người ký (`signer_name`), tổ chức (`organization`), thời điểm ký "
        "(`signed_at`, ISO 8601 +07:00, lấy từ dấu thời gian nếu có), dữ liệu đã ký còn "
        "nguyên vẹn (`intact`), chữ ký hợp lệ (`valid`: nguyên vẹn, không bị sửa đổi trái "
        "phép sau khi ký, không bị thu hồi), chứng thư dẫn về chứng thư gốc tin cậy "
        "(`trusted`), văn bản có thay đổi sau khi ký (`modified_after_signing`) và thay đổi "
        "đó có được phép không (`modification_allowed`), tình trạng thu hồi (`revocation`: "
        "good, revoked, unknown). Tệp không phải PDF, tệp mã hóa hoặc có JavaScript bị từ "
        "chối với mã lỗi 400. Tệp không được lưu lại."
    ),
    operation_id="signatures_verify",
)
def verify(request: HttpRequest, file: File[UploadedFile]) -> VerificationOut:
    data = file.read()
    try:
        report = verify_pdf(data)
    except PdfRefused as refused:
        raise ApiValidationError(
            refused.message, details=[{"field": "file", "message": refused.message}]
        ) from None
    return VerificationOut.model_validate(report.as_dict())
