"""The slips of the one-stop mechanism, printed as PDF.

The forms follow the annex of Decree 118/2025/NĐ-CP (in the shape Circular 01/2018/TT-VPCP gave
them), in our own words:

- form 01, :class:`ReceiptSlip`: receipt of the dossier and appointment to return the result,
  with a QR code of the dossier code;
- form 02, :class:`AdditionalDocumentsSlip`: request to supplement or complete the dossier,
  everything missing listed at once, each with its reason;
- form 03, :class:`RefusalSlip`: refusal to receive the dossier, with the reason;
- form 04, :class:`ApologySlip`: apology for the delay and new appointment date;
- form 05, :class:`ProcessControlSlip`: each hand-over between units and people, its deadline and
  whether it was before, on or after time.

The slips hold plain values (names, texts, aware datetimes), not models: the dossier code builds
them from its records, :func:`render_slip` turns any of them into PDF bytes and
:func:`slip_filename` names the file. Slips are official papers in Vietnamese, so they are
rendered in Vietnamese whatever language the person printing them reads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from chinhquyenso.core.pdf import (
    Heading,
    qr_svg_data_uri,
    render_pdf,
    vietnamese_date,
    vietnamese_datetime,
    vietnamese_time,
)


@dataclass(frozen=True, kw_only=True)
class SlipAgency:
    """Who issues the slip: ``name`` (e.g. "Bộ phận Một cửa") under ``parent_name`` (e.g.
    "UBND phường Thành Vinh"); ``place`` is the place name of the date line, ``phone`` the
    number to call with questions."""

    name: str
    parent_name: str = ""
    place: str = ""
    phone: str = ""


@dataclass(frozen=True, kw_only=True)
class SlipApplicant:
    """The person or organisation who submitted the dossier."""

    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    is_organisation: bool = False


@dataclass(frozen=True, kw_only=True)
class SlipComponent:
    """A document handed in: its name, its form ("Bản chính", "Bản sao có chứng thực", "Bản
    điện tử"…) and how many copies."""

    name: str
    form: str = ""
    quantity: int = 1


@dataclass(frozen=True, kw_only=True)
class MissingItem:
    """A document to add or correct, and why."""

    document: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class SlipSigner:
    """Who signs for the agency: ``title`` ("Chủ tịch"), optionally under ``authority`` ("TM.
    Ủy ban nhân dân", "KT. Chủ tịch")."""

    name: str
    title: str
    authority: str = ""


@dataclass(frozen=True, kw_only=True)
class HandoverRow:
    """One hand-over of the dossier: who handed it to whom and when, the deadline of the step
    it opened and when that step was done (``None`` while it is not)."""

    from_party: str
    to_party: str
    handed_at: dt.datetime
    due_at: dt.datetime | None = None
    done_at: dt.datetime | None = None
    note: str = ""

    @property
    def is_late(self) -> bool:
        return self.done_at is not None and self.due_at is not None and self.done_at > self.due_at

    @property
    def outcome(self) -> str:
        """The result column: "Trước hạn" (done on a day before the deadline's), "Đúng hạn",
        "Quá hạn", or empty while the step is open."""
        if self.done_at is None or self.due_at is None:
            return ""
        if self.is_late:
            return _("Quá hạn")
        if timezone.localtime(self.done_at).date() < timezone.localtime(self.due_at).date():
            return _("Trước hạn")
        return _("Đúng hạn")


@dataclass(frozen=True, kw_only=True)
class ReceiptSlip:
    """Form 01: the dossier is received; the result is due at ``appointment_at``.

    ``channel`` is the label of how it came in ("Trực tiếp", "Trực tuyến", "Bưu chính công
    ích"); ``processing_time`` the time the law allows, as text ("05 ngày làm việc");
    ``result_delivery`` where or how the result will be returned; ``fee_amount`` in đồng (``None``
    prints no fee line, 0 prints that there is none) with ``fee_note`` (an exemption, say);
    ``lookup_url`` where the dossier can be followed with its code. ``applicant_signs`` is false
    for a dossier received online, where nobody signs at the counter.
    """

    agency: SlipAgency
    code: str
    procedure_name: str
    applicant: SlipApplicant
    components: Sequence[SlipComponent]
    received_at: dt.datetime
    appointment_at: dt.datetime
    receiving_official: str
    channel: str
    processing_time: str = ""
    result_delivery: str = ""
    fee_amount: int | None = None
    fee_note: str = ""
    dossier_count: int = 1
    lookup_url: str = ""
    applicant_signs: bool = True


@dataclass(frozen=True, kw_only=True)
class AdditionalDocumentsSlip:
    """Form 02: what the applicant must add or correct, all at once, each with its reason.

    ``official`` is the official who gives the guidance; ``guidance`` free text added to it.
    """

    agency: SlipAgency
    code: str
    procedure_name: str
    applicant: SlipApplicant
    items: Sequence[MissingItem]
    requested_at: dt.datetime
    official: str
    received_at: dt.datetime | None = None
    guidance: str = ""


@dataclass(frozen=True, kw_only=True)
class RefusalSlip:
    """Form 03: the dossier is not received, because of ``reason`` (under ``legal_basis``).

    ``code`` is empty for a dossier refused at the counter before it was given one.
    """

    agency: SlipAgency
    procedure_name: str
    applicant: SlipApplicant
    reason: str
    refused_at: dt.datetime
    official: str
    code: str = ""
    legal_basis: str = ""


@dataclass(frozen=True, kw_only=True)
class ProcessControlSlip:
    """Form 05: the dossier's hand-overs, from the counter to the result, in order."""

    agency: SlipAgency
    code: str
    procedure_name: str
    applicant: SlipApplicant
    received_at: dt.datetime
    appointment_at: dt.datetime
    rows: Sequence[HandoverRow]
    handling_unit: str = ""
    cooperating_units: Sequence[str] = ()


@dataclass(frozen=True, kw_only=True)
class ApologySlip:
    """Form 04: the result will be late; the agency apologises and sets a new date.

    ``recipients`` are the lines of "Nơi nhận" after the applicant ("Lưu: VT" …).
    """

    agency: SlipAgency
    code: str
    procedure_name: str
    applicant: SlipApplicant
    received_at: dt.datetime
    old_appointment_at: dt.datetime
    new_appointment_at: dt.datetime
    reason: str
    signer: SlipSigner
    issued_at: dt.datetime
    recipients: Sequence[str] = ()


Slip = ReceiptSlip | AdditionalDocumentsSlip | RefusalSlip | ProcessControlSlip | ApologySlip


@dataclass(frozen=True)
class _Form:
    template: str
    file_prefix: str
    dated_by: Callable[[Any], dt.datetime]


_FORMS: Mapping[type, _Form] = {
    ReceiptSlip: _Form("dossiers/slips/receipt.html", "phieu-tiep-nhan", lambda s: s.received_at),
    AdditionalDocumentsSlip: _Form(
        "dossiers/slips/additional.html", "phieu-yeu-cau-bo-sung", lambda s: s.requested_at
    ),
    RefusalSlip: _Form("dossiers/slips/refusal.html", "phieu-tu-choi", lambda s: s.refused_at),
    ProcessControlSlip: _Form(
        "dossiers/slips/process_control.html", "phieu-kiem-soat", lambda s: s.received_at
    ),
    ApologySlip: _Form("dossiers/slips/apology.html", "phieu-xin-loi", lambda s: s.issued_at),
}


def _form(slip: Slip) -> _Form:
    try:
        return _FORMS[type(slip)]
    except KeyError:
        raise TypeError(f"not a slip: {type(slip).__name__}") from None


def _handover_row(row: HandoverRow) -> dict[str, Any]:
    moments = (
        (_("Giao, nhận:"), row.handed_at),
        (_("Hạn xử lý:"), row.due_at),
        (_("Hoàn thành:"), row.done_at),
    )
    return {
        "row": row,
        # (label, time, date): the table breaks a line between the time and the date only.
        "moments": [
            (label, vietnamese_time(moment), vietnamese_date(moment))
            for label, moment in moments
            if moment is not None
        ],
    }


def _context(slip: Slip, form: _Form) -> dict[str, Any]:
    agency = slip.agency
    context: dict[str, Any] = {
        "slip": slip,
        "heading": Heading(
            agency=agency.name,
            parent_agency=agency.parent_name,
            place=agency.place,
            issued_on=form.dated_by(slip),
        ),
        # Every datetime of the slip in words: {{ at.appointment_at }}.
        "at": {
            field.name: vietnamese_datetime(value)
            for field in dataclasses.fields(slip)
            if isinstance(value := getattr(slip, field.name), dt.datetime)
        },
        "salutation": _("Quý tổ chức") if slip.applicant.is_organisation else _("Ông/Bà"),
    }
    if isinstance(slip, ReceiptSlip):
        context["qr"] = qr_svg_data_uri(slip.code)
        if slip.fee_amount is not None:
            context["fee"] = (
                _("%(amount)s đồng")
                % {"amount": formats.number_format(slip.fee_amount, force_grouping=True)}
                if slip.fee_amount
                else _("Không thu")
            )
    if isinstance(slip, ProcessControlSlip):
        context["rows"] = [_handover_row(row) for row in slip.rows]
    return context


def render_slip(slip: Slip) -> bytes:
    """The slip as a one-page (or, for a long process-control slip, longer) A4 PDF."""
    form = _form(slip)
    with translation.override("vi"):
        return render_pdf(form.template, _context(slip, form))


def slip_filename(slip: Slip) -> str:
    """A file name for the slip: ``phieu-tiep-nhan-000.00.01.H40-261127-0001.pdf``."""
    form = _form(slip)
    suffix = slip.code or f"{timezone.localtime(form.dated_by(slip)):%Y%m%d-%H%M}"
    return f"{form.file_prefix}-{suffix}.pdf"
