"""The integration API, version 1, under ``/api/v1/``."""

from __future__ import annotations

from ninja import NinjaAPI, Swagger

from chinhquyenso.api.errors import install_error_handlers

DESCRIPTION = """API tích hợp của nền tảng Chính quyền số (vai trò LGSP).

**Xác thực.** Gửi khóa API trong tiêu đề `Authorization: Bearer <khóa>`. Mỗi khóa chỉ được
các quyền (scope) và đơn vị đã cấp; đơn vị được cấp bao gồm cả các đơn vị trực thuộc.
Thông tin công khai gọi không cần khóa: lịch làm việc (`/calendar/`) và danh mục thủ tục
hành chính (`/procedures/`), vốn được công bố cho mọi người.

**Lỗi.** Mọi lỗi trả về cùng một dạng:
`{"error": {"code": "...", "message": "...", "details": [{"field": "...", "message": "..."}]}}`.
Mã lỗi: `validation_error` (400), `not_authenticated` (401), `forbidden` (403),
`not_found` (404), `conflict` (409), `too_many_requests` (429), `internal_error` (500).
Một chuỗi chứa ký tự NUL (`%00` trong địa chỉ, `\\u0000` trong JSON) luôn bị từ chối với
`validation_error`, nêu tên từng trường chứa nó.

**Phân trang.** Danh sách nhận `limit` và `offset`, trả về `{"items": [...], "count": n}`.
Danh sách văn bản thêm `count_exact`: một tìm kiếm quá rộng chỉ được đếm đến 1.000 bản ghi
(sau trang đang xem); khi đó `count_exact` là `false` và `count` là số tối thiểu.
"""

api = NinjaAPI(
    title="Chính quyền số API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    # Served from ninja's own static files ("ninja" in INSTALLED_APPS); no validator badge,
    # which would call an outside service.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
)
install_error_handlers(api)

# Each app contributes its router; the paths are part of the public, versioned contract.
from chinhquyenso.core.api import router as calendar_router  # noqa: E402
from chinhquyenso.documents.api import router as documents_router  # noqa: E402
from chinhquyenso.dossiers.api import router as dossiers_router  # noqa: E402
from chinhquyenso.dossiers.api_public import router as public_dossiers_router  # noqa: E402
from chinhquyenso.feedback.api import router as feedback_router  # noqa: E402
from chinhquyenso.procedures.api import router as procedures_router  # noqa: E402
from chinhquyenso.signing.api import router as signatures_router  # noqa: E402
from chinhquyenso.units.api import router as units_router  # noqa: E402

api.add_router("/calendar/", calendar_router)
api.add_router("/units/", units_router)
api.add_router("/feedback/", feedback_router)
api.add_router("/dossiers/", dossiers_router)
api.add_router("/procedures/", procedures_router)
api.add_router("/public/dossiers/", public_dossiers_router)
api.add_router("/signatures/", signatures_router)
api.add_router("/documents/", documents_router)
