"""The integration API, version 1, under ``/api/v1/``."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="Chính quyền số API",
    version="1.0.0",
    description="API tích hợp của nền tảng Chính quyền số (vai trò LGSP).",
    urls_namespace="api-v1",
)

# Each app contributes its router; the paths are part of the public, versioned contract.
from chinhquyenso.core.api import router as calendar_router  # noqa: E402
from chinhquyenso.units.api import router as units_router  # noqa: E402

api.add_router("/calendar/", calendar_router)
api.add_router("/units/", units_router)
