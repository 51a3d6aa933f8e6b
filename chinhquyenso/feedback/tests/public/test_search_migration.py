"""Migration 0002: the public search text of reports published before it, and the index."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from chinhquyenso.core.text import fold
from chinhquyenso.feedback.models import Report

from .conftest import PRIVATE_NAME, PRIVATE_PHONE

migration = importlib.import_module(
    "chinhquyenso.feedback.migrations.0002_report_public_search_text"
)

pytestmark = pytest.mark.django_db


def test_migration_fills_published_reports_only_in_batches(seed_report, road_category, monkeypatch):
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches
    road = seed_report(category=road_category, public_text="Đường Hồng Bàng sụt lún.")
    others = [seed_report() for _ in range(3)]
    hidden = seed_report(published=False)
    Report.objects.update(public_search_text="")  # as before the migration

    migration.fill_public_search_text(apps, SimpleNamespace(connection=connection))

    road.refresh_from_db()
    assert road.public_search_text == fold(
        "Đường Hồng Bàng sụt lún. Đã xử lý, đã gọi cho người phản ánh. "
        "Đường giao thông Giao thông Phường Thành Vinh"
    )
    for report in others:
        report.refresh_from_db()
        assert "rac thai" in report.public_search_text
        assert "moi truong" in report.public_search_text
        assert fold(PRIVATE_NAME) not in report.public_search_text
        assert PRIVATE_PHONE not in report.public_search_text
    hidden.refresh_from_db()
    assert hidden.public_search_text == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram index: PostgreSQL only")
def test_trigram_index_on_published_rows_exists():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [migration.INDEX])
        (definition,) = cursor.fetchone()
    assert "gin_trgm_ops" in definition
    assert "is_published" in definition
