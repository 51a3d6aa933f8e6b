"""The integration API, version 1, under ``/api/v1/``."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="Chính quyền số API",
    version="1.0.0",
    description="API tích hợp của nền tảng Chính quyền số (vai trò LGSP).",
    urls_namespace="api-v1",
)
