"""The outgoing documents demo: drafts at every step, documents issued with both signatures."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from chinhquyenso.core.demo import demo_load
from chinhquyenso.documents.demo_outgoing import ISSUERS, outgoing_demo_load
from chinhquyenso.documents.models import DeliveryStatus, Direction, Document, Status
from chinhquyenso.documents.selectors import current_file
from chinhquyenso.documents.tests.outgoing.conftest import assert_pdfsig_all_valid, file_bytes
from chinhquyenso.signing.verification import verify_pdf

pytestmark = pytest.mark.django_db


@override_settings(DEMO_MODE=True)
def test_demo_outgoing_documents_at_every_step_once(tmp_path: Path) -> None:
    # As `make demo` loads it: the outgoing documents first, then the incoming registers.
    loaded = demo_load(dossiers=0, feedback_reports=0, outgoing_documents=True)
    outgoing = Document.objects.filter(direction=Direction.OUTGOING, unit__code__in=ISSUERS)
    assert loaded.outgoing_documents_created == outgoing.count() == 12
    assert set(outgoing.values_list("status", flat=True)) == {
        Status.DRAFT,
        Status.IN_REVIEW,
        Status.APPROVED,
        Status.SIGNED,
        Status.ISSUED,
    }
    issued = outgoing.filter(status=Status.ISSUED)
    assert loaded.outgoing_documents_issued == issued.count() == 4
    for document in issued:
        data = file_bytes(current_file(document))  # type: ignore[arg-type]
        assert_pdfsig_all_valid(data, tmp_path, 2)
        assert all(s.valid and s.trusted for s in verify_pdf(data).signatures)
        assert document.deliveries.exists()
    # The recipients' clerks accepted part of what arrived and left the rest in their queue.
    statuses = {d.status for doc in issued for d in doc.deliveries.all()}
    assert DeliveryStatus.ARRIVED in statuses
    assert statuses & {DeliveryStatus.ACCEPTED, DeliveryStatus.ASSIGNED}
    references = set(issued.values_list("notation", flat=True))
    assert {"UBND-ĐC", "BC-UBND", "SXD-QLXD", "TB-SXD"} == references

    again = outgoing_demo_load()
    assert again.created == 0 and again.skipped == []
