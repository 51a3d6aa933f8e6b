"""The slips of one dossier, built from its records.

:mod:`chinhquyenso.dossiers.slips` prints slips from plain values; this module reads a
:class:`~chinhquyenso.dossiers.models.Dossier` with its hand-overs, requests and apologies and
fills them in. Which slips a dossier has depends on what happened to it
(:func:`slips_available`): a receipt and a process-control slip once it was received, a request
slip once documents were asked for, a refusal slip when it was refused, an apology slip once the
agency apologised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import override

from chinhquyenso.accounts.models import AccountType
from chinhquyenso.dossiers import notify
from chinhquyenso.dossiers.models import (
    AdditionalRequest,
    Apology,
    Channel,
    Dossier,
    DossierEvent,
    FileKind,
    Handover,
    SlipKind,
    Status,
)
from chinhquyenso.dossiers.slips import (
    AdditionalDocumentsSlip,
    ApologySlip,
    HandoverRow,
    MissingItem,
    ProcessControlSlip,
    ReceiptSlip,
    RefusalSlip,
    Slip,
    SlipAgency,
    SlipApplicant,
    SlipComponent,
    SlipSigner,
    render_slip,
    slip_filename,
)
from chinhquyenso.procedures.models import ComponentForm, ResultType
from chinhquyenso.units.models import COMMUNE_LEVEL_KINDS, Unit, UnitKind


class SlipUnavailable(LookupError):
    """The dossier has no slip of that kind (yet)."""


# --- who issues a slip ------------------------------------------------------------------------

#: Kinds of unit whose own name is the place name once the kind's word is dropped.
_PLACE_PREFIXES = ("Phường ", "Xã ", "Đặc khu ", "Tỉnh ", "Thành phố ")


def _place(unit: Unit) -> str:
    """The place name of the date line: "Thành Vinh" for Phường Thành Vinh; for a provincial
    agency, the province ("Nghệ An")."""
    place_unit = unit if unit.kind in COMMUNE_LEVEL_KINDS else unit.get_root()
    name = place_unit.name
    for prefix in _PLACE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def body_name(unit: Unit) -> str:
    """The governing body as papers name it: "UBND phường Thành Vinh" for a ward, "UBND tỉnh
    Nghệ An" for the province, an agency's own name otherwise."""
    if unit.kind in (*COMMUNE_LEVEL_KINDS, UnitKind.PROVINCE):
        return _("UBND %(unit)s") % {"unit": unit.name[:1].lower() + unit.name[1:]}
    return unit.name


def _parent_body(unit: Unit) -> str:
    parent = unit.get_parent()
    return body_name(parent) if parent is not None else ""


def counter_agency(unit: Unit) -> SlipAgency:
    """The one-stop counter of the receiving *unit* (a service centre is its own counter)."""
    if unit.kind == UnitKind.SERVICE_CENTRE:
        return SlipAgency(name=unit.name, parent_name=_parent_body(unit), place=_place(unit))
    return SlipAgency(name=_("Bộ phận Một cửa"), parent_name=body_name(unit), place=_place(unit))


def _agency(unit: Unit) -> SlipAgency:
    return SlipAgency(name=body_name(unit), parent_name=_parent_body(unit), place=_place(unit))


def _applicant(dossier: Dossier) -> SlipApplicant:
    account = dossier.applicant
    return SlipApplicant(
        name=dossier.applicant_name,
        address=dossier.applicant_address,
        phone=dossier.applicant_phone,
        email=dossier.applicant_email,
        is_organisation=account is not None and account.account_type == AccountType.BUSINESS,
    )


def _name(user: Any) -> str:
    return str(user.full_name) if user is not None else ""


def _last_event(dossier: Dossier, *actions: str) -> DossierEvent | None:
    return (
        dossier.events.filter(action__in=actions)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )


# --- the slips --------------------------------------------------------------------------------


def _receipt(dossier: Dossier) -> ReceiptSlip:
    if dossier.received_at is None:
        raise SlipUnavailable(SlipKind.RECEIPT)
    online = dossier.channel == Channel.ONLINE
    components = list(dossier.version.components.order_by("order"))
    handed_in = set(
        dossier.files.filter(kind__in=[FileKind.COMPONENT, FileKind.ADDITIONAL]).values_list(
            "component_id", flat=True
        )
    )
    listed = [c for c in components if c.pk in handed_in] or [
        c for c in components if c.is_required
    ]
    accepted = _last_event(dossier, "accept")
    official = accepted.actor if accepted is not None else dossier.registered_by
    version = dossier.version
    counter = counter_agency(dossier.receiving_unit)
    delivery = f"{counter.name}, {counter.parent_name}".strip(", ")
    if online and version.result_type != ResultType.PAPER:
        delivery = _("Cổng dịch vụ công (bản điện tử) hoặc %(counter)s") % {"counter": delivery}
    fee_note = dossier.fee_exempt_reason
    if dossier.paid_at is not None and not fee_note:
        fee_note = _("đã nộp trực tuyến") if dossier.paid_online else _("đã nộp")
    return ReceiptSlip(
        agency=counter,
        code=dossier.code or "",
        procedure_name=version.name,
        applicant=_applicant(dossier),
        components=[
            SlipComponent(
                name=c.name,
                form=str(ComponentForm.E_COPY.label) if online else c.get_form_display(),
                quantity=c.quantity,
            )
            for c in listed
        ],
        received_at=dossier.received_at,
        appointment_at=dossier.original_due_at or dossier.due_at or dossier.received_at,
        receiving_official=_name(official),
        channel=dossier.get_channel_display(),
        processing_time=_("%(days)02d ngày làm việc") % {"days": version.processing_days},
        result_delivery=delivery,
        fee_amount=dossier.fee_amount,
        fee_note=fee_note,
        lookup_url=notify.lookup_url(dossier),
        applicant_signs=not online,
    )


def _latest_request(dossier: Dossier) -> AdditionalRequest:
    request = (
        AdditionalRequest.objects.filter(dossier=dossier)
        .select_related("requested_by__unit")
        .order_by("-requested_at", "-pk")
        .first()
    )
    if request is None:
        raise SlipUnavailable(SlipKind.ADDITIONAL)
    return request


def _additional(dossier: Dossier) -> AdditionalDocumentsSlip:
    request = _latest_request(dossier)
    official = request.requested_by
    # The counter asks at receipt; a processing unit asks in its own name.
    unit = getattr(official, "unit", None)
    if unit is None or unit.pk == dossier.receiving_unit_id:
        agency = counter_agency(dossier.receiving_unit)
    else:
        agency = _agency(unit)
    return AdditionalDocumentsSlip(
        agency=agency,
        code=dossier.code or "",
        procedure_name=dossier.version.name,
        applicant=_applicant(dossier),
        items=[
            MissingItem(document=str(item.get("name", "")), reason=str(item.get("reason", "")))
            for item in request.items
        ],
        requested_at=request.requested_at,
        official=_name(official),
        received_at=dossier.received_at,
        guidance=request.note,
    )


def _refusal(dossier: Dossier) -> RefusalSlip:
    refused = _last_event(dossier, "refuse")
    if dossier.status != Status.NOT_ACCEPTED or refused is None:
        raise SlipUnavailable(SlipKind.REFUSAL)
    return RefusalSlip(
        agency=counter_agency(dossier.receiving_unit),
        procedure_name=dossier.version.name,
        applicant=_applicant(dossier),
        reason=dossier.stop_reason or refused.note,
        refused_at=refused.at,
        official=_name(refused.actor),
        code=dossier.code or "",
    )


def _party(user: Any, fallback: Unit) -> str:
    if user is None:
        return fallback.name
    unit = getattr(user, "unit", None)
    return f"{user.full_name} ({unit.name})" if unit is not None else str(user.full_name)


def _process_control(dossier: Dossier) -> ProcessControlSlip:
    if dossier.received_at is None:
        raise SlipUnavailable(SlipKind.PROCESS_CONTROL)
    handovers = list(
        Handover.objects.filter(dossier=dossier)
        .select_related("step", "unit", "handed_by__unit", "done_by__unit")
        .order_by("handed_at", "pk")
    )
    rows = []
    for handover in handovers:
        if handover.handed_by is None and handover is handovers[0]:
            giver = _("Người nộp hồ sơ: %(name)s") % {"name": dossier.applicant_name}
        else:
            giver = _party(handover.handed_by, dossier.receiving_unit)
        step = handover.step.name if handover.step is not None else _("Xử lý")
        receiver = f"{step}, {handover.unit.name}"
        if handover.done_by is not None:
            receiver += f" ({handover.done_by.full_name})"
        rows.append(
            HandoverRow(
                from_party=giver,
                to_party=receiver,
                handed_at=handover.handed_at,
                due_at=handover.due_at,
                done_at=handover.done_at,
                note=handover.note,
            )
        )
    involved = {h.unit_id: h.unit for h in handovers}
    cooperating = [
        unit.name
        for pk, unit in involved.items()
        if pk not in (dossier.receiving_unit_id, dossier.handling_unit_id)
    ]
    return ProcessControlSlip(
        agency=counter_agency(dossier.receiving_unit),
        code=dossier.code or "",
        procedure_name=dossier.version.name,
        applicant=_applicant(dossier),
        received_at=dossier.received_at,
        appointment_at=dossier.due_at or dossier.received_at,
        rows=rows,
        handling_unit=body_name(dossier.handling_unit),
        cooperating_units=cooperating,
    )


def _apology(dossier: Dossier) -> ApologySlip:
    apology = (
        Apology.objects.filter(dossier=dossier)
        .select_related("by__unit")
        .order_by("-at", "-pk")
        .first()
    )
    if apology is None or dossier.received_at is None:
        raise SlipUnavailable(SlipKind.APOLOGY)
    signer = apology.by
    return ApologySlip(
        agency=_agency(dossier.handling_unit),
        code=dossier.code or "",
        procedure_name=dossier.version.name,
        applicant=_applicant(dossier),
        received_at=dossier.received_at,
        old_appointment_at=apology.old_due_at,
        new_appointment_at=apology.new_due_at,
        reason=apology.reason,
        signer=SlipSigner(
            name=_name(signer),
            title=(signer.job_title if signer is not None else "") or _("Lãnh đạo đơn vị"),
        ),
        issued_at=apology.at,
        recipients=[
            _("Bộ phận Một cửa %(unit)s") % {"unit": body_name(dossier.receiving_unit)},
            _("Lưu: VT"),
        ],
    )


_BUILDERS: dict[str, Callable[[Dossier], Slip]] = {
    SlipKind.RECEIPT: _receipt,
    SlipKind.ADDITIONAL: _additional,
    SlipKind.REFUSAL: _refusal,
    SlipKind.PROCESS_CONTROL: _process_control,
    SlipKind.APOLOGY: _apology,
}


def dossier_slip(dossier: Dossier, kind: str) -> Slip:
    """The slip of *kind* (a :class:`SlipKind` value) for *dossier*, as plain values.

    Raises :class:`SlipUnavailable` when the dossier has no such slip (yet) or *kind* is not
    one. Slips are official papers: their words are Vietnamese whoever prints them.
    """
    builder = _BUILDERS.get(kind)
    if builder is None:
        raise SlipUnavailable(kind)
    with override("vi"):
        return builder(dossier)


def render_dossier_slip(dossier: Dossier, kind: str) -> bytes:
    """The slip of *kind* for *dossier* as PDF bytes (see :func:`dossier_slip`)."""
    return render_slip(dossier_slip(dossier, kind))


def dossier_slip_filename(dossier: Dossier, kind: str) -> str:
    """The file name the slip is downloaded as, e.g. ``phieu-tiep-nhan-<code>.pdf``."""
    return slip_filename(dossier_slip(dossier, kind))


def slips_available(dossier: Dossier) -> list[str]:
    """The kinds of slip *dossier* has now, in the order of :class:`SlipKind`."""
    received = dossier.received_at is not None
    present = {
        SlipKind.RECEIPT: received,
        SlipKind.ADDITIONAL: AdditionalRequest.objects.filter(dossier=dossier).exists(),
        SlipKind.REFUSAL: dossier.status == Status.NOT_ACCEPTED,
        SlipKind.PROCESS_CONTROL: received,
        SlipKind.APOLOGY: received and Apology.objects.filter(dossier=dossier).exists(),
    }
    return [kind.value for kind in SlipKind if present[kind]]
