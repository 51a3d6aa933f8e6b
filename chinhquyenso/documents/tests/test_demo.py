"""The incoming documents demo: registers of several units, documents in every state, once."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import timezone

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.core.demo import demo_load
from chinhquyenso.documents.demo import DEMO_UNITS, documents_demo_load
from chinhquyenso.documents.models import Direction, Document, DocumentEvent, Status
from chinhquyenso.documents.selectors import late

pytestmark = pytest.mark.django_db


@override_settings(DEMO_MODE=True)
def test_demo_registers_hold_documents_in_every_state_once() -> None:
    result = demo_load(dossiers=0, feedback_reports=0)
    assert result.incoming_documents_created >= 20
    incoming = Document.objects.filter(direction=Direction.INCOMING)
    assert incoming.values("unit").distinct().count() == len(DEMO_UNITS)
    states = set(incoming.values_list("status", flat=True))
    assert {
        Status.REGISTERED,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.COMPLETED,
        Status.REJECTED,
    } <= states
    assert late(incoming, today=timezone.localdate()).count() >= len(DEMO_UNITS)
    assert incoming.exclude(secrecy="none").exists()
    assert incoming.exclude(urgency="normal").exists()
    assert not DocumentEvent.objects.filter(at__gt=timezone.now()).exists()
    # Every demo unit has a clerk who can log in.
    for code in DEMO_UNITS:
        clerk = User.objects.get(
            unit__code=code, roles__role=Role.CLERK, email__endswith="demo.example"
        )
        assert clerk.check_password("demo12345")
    # Loading again adds nothing.
    count = incoming.count()
    again = documents_demo_load()
    assert again.incoming_created == 0
    assert Document.objects.filter(direction=Direction.INCOMING).count() == count
