"""edXML with a document issued through the whole outgoing chain (the chairman's PAdES
signature, the number filled in, the commune's seal): the package carries the signed PDF byte
for byte, the receiving commune registers it with both signatures verified, and its answer
comes back to the sender's delivery. The cast (keys, signature image, seal, the other commune
with its agency ID and clerk) is the outgoing tests' (``outgoing/conftest.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chinhquyenso.accounts.models import User
from chinhquyenso.documents import edxml, edxml_status
from chinhquyenso.documents.models import DeliveryStatus, DocumentFile, DocumentType, Status
from chinhquyenso.documents.selectors import current_file
from chinhquyenso.documents.tests.outgoing.conftest import (
    OTHER_AGENCY_CODE,
    assert_pdfsig_all_valid,
    file_bytes,
    issued,
)
from chinhquyenso.signing.verification import verify_pdf
from chinhquyenso.units.models import Unit


def test_a_signed_decision_crosses_over_edxml_with_its_signatures(
    issuing: dict[str, Any],
    decision_type: DocumentType,
    other_unit: Unit,
    other_clerk: User,
    tmp_path: Path,
) -> None:
    document = issued(
        issuing,
        decision_type,
        recipients_text=f"UBND xã Anh Sơn ({OTHER_AGENCY_CODE})",
    )
    assert document.status == Status.ISSUED
    sent = current_file(document)
    assert sent is not None and sent.kind == DocumentFile.Kind.ISSUED
    delivery = document.deliveries.get(recipient_code=OTHER_AGENCY_CODE)

    package = edxml.document_package(document, by=issuing["clerk"])
    received = edxml.package_import(data=package, unit=other_unit, by=other_clerk)

    assert (received.reference, received.subject) == (document.reference, document.subject)
    stored = current_file(received)
    assert stored is not None and stored.kind == DocumentFile.Kind.RECEIVED
    data = file_bytes(stored)
    assert data == file_bytes(sent)
    # Both signatures (the chairman's, then the commune's) arrive intact and trusted, as the
    # register shows them and as poppler's pdfsig and pyHanko check them again.
    assert stored.verification is not None
    assert len(stored.verification["signatures"]) == 2
    assert all(s["valid"] and s["trusted"] for s in stored.verification["signatures"])
    assert verify_pdf(data).all_valid
    assert_pdfsig_all_valid(data, tmp_path, 2)

    answer = edxml_status.status_message_for(
        received, status=DeliveryStatus.ACCEPTED, by=other_clerk
    )
    edxml_status.status_apply(data=answer, by=None)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.ACCEPTED
    assert delivery.messages.filter(status=DeliveryStatus.ACCEPTED, by_name__contains="Hồ Thị Lan")
