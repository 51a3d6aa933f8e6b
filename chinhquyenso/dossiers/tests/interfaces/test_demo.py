"""The dossier demo data: made through the services, in many states, once."""

import datetime as dt
import random

import pytest
from django.test import override_settings
from django.utils import timezone

from chinhquyenso.accounts.models import User
from chinhquyenso.core.demo import demo_load
from chinhquyenso.core.models import AuditEntry
from chinhquyenso.dossiers.demo import (
    DEMO_CITIZEN,
    DEMO_DAYS_BACK,
    DEMO_KEY_PREFIX,
    dossiers_demo_load,
    form_data_for,
)
from chinhquyenso.dossiers.models import Dossier, DossierEvent, FileKind, Handover, Status
from chinhquyenso.dossiers.services import ApplicantInput
from chinhquyenso.procedures.eforms import validate_form_data
from chinhquyenso.procedures.models import ProcedureVersion
from chinhquyenso.units.models import Unit

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Dossier, DossierEvent, Handover, User, AuditEntry)
    }


@override_settings(DEMO_MODE=True)
def test_demo_dossiers_load_once_in_many_states():
    result = demo_load(dossiers=80)
    assert result.dossiers_created == 80
    first = counts()
    assert dossiers_demo_load(dossiers=80).dossiers_created == 0
    assert counts() == first
    demo = Dossier.objects.filter(submission_key__startswith=DEMO_KEY_PREFIX)
    assert demo.count() == 80
    statuses = set(demo.values_list("status", flat=True))
    assert {Status.NEW, Status.PROCESSING, Status.RETURNED} <= statuses
    assert len(statuses) >= 7
    assert demo.values("receiving_unit").distinct().count() >= 3
    assert demo.filter(files__kind=FileKind.RESULT).exists()
    assert demo.filter(paid_online=True).exists()
    # Backdated: sent over the last three months, every move in the past.
    now = timezone.now()
    oldest = demo.order_by("submitted_at").first()
    assert oldest is not None and oldest.submitted_at > now - dt.timedelta(days=DEMO_DAYS_BACK + 1)
    assert not DossierEvent.objects.filter(at__gt=now).exists()
    # The demo citizen sees a few of their own dossiers in different states.
    own = Dossier.objects.filter(applicant=User.objects.get(phone=DEMO_CITIZEN))
    assert own.count() >= 5
    assert own.values("status").distinct().count() >= 4
    # Asking for more adds only the difference.
    assert dossiers_demo_load(dossiers=83).dossiers_created == 3


@override_settings(DEMO_MODE=True)
def test_every_demo_procedure_gets_a_valid_e_form():
    demo_load(dossiers=0)
    unit = Unit.objects.get(code="16681")
    applicant = ApplicantInput(name="Trần Thị Dân", id_number="040190000001", phone="0900000001")
    versions = ProcedureVersion.objects.exclude(form_schema={}).select_related("procedure")
    assert versions.count() >= 20
    for version in versions:
        for seed in range(5):
            data = form_data_for(
                version,
                rng=random.Random(seed),
                applicant=applicant,
                unit=unit,
                day=dt.date(2026, 10, 15),
            )
            assert validate_form_data(version.form_schema, data) == {}, version.procedure.code
