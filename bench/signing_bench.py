"""Signing throughput and verification time, measured in-process (no HTTP).

    .venv/bin/python bench/signing_bench.py                 # 40 signatures, 20 verifications
    .venv/bin/python bench/signing_bench.py --signatures 100 --verifications 50

Everything happens in a temporary folder: its own SQLite database, the demo PKI (root, CA, TSA,
OCSP responder), a commune with its chairman (PKCS#12 key, signature image) and clerk
(organisation key, seal). Then, in one worker (this process, one thread):

* signing: the chairman signs a two-page decision (WeasyPrint, 2 pages) with a visible
  signature, PAdES B-LT: RFC 3161 time-stamp from the in-process TSA, the CA's CRL and an OCSP
  answer embedded; each signature is made on the unsigned draft;
* verification: ``verify_pdf`` on the issued decision with two signatures (the chairman's
  certification, the number filled in, the organisation's seal), with the difference analysis.

Prints a Markdown table of signatures (or verifications) per second and p50/p95 latencies.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DRAFT = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 20mm 20mm 20mm 30mm; }
body { font-family: "Liberation Serif", serif; font-size: 14pt; }
</style></head><body>
<p><b>ỦY BAN NHÂN DÂN PHƯỜNG THÀNH VINH</b></p><p><b>QUYẾT ĐỊNH</b></p>
<p style="page-break-after: always">Điều 1. Nội dung.</p>
<p>Điều 2. Hiệu lực.</p><p>TM. ỦY BAN NHÂN DÂN<br>CHỦ TỊCH</p><p>Nguyễn Văn Hùng</p>
</body></html>"""
BOX = (400.0, 592.0, 540.0, 680.0)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--signatures", type=int, default=40)
    parser.add_argument("--verifications", type=int, default=20)
    options = parser.parse_args()

    load_before = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="cqs-signing-bench-"))
    try:
        run(workdir, options.signatures, options.verifications, load_before)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(workdir: Path, signatures: int, verifications: int, load_before: tuple[float, ...]) -> None:
    os.environ.update(
        {
            "CQS_VAR_DIR": str(workdir),
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "chinhquyenso.settings",
            "DEMO_MODE": "1",
            "LOG_LEVEL": "ERROR",
        }
    )
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from weasyprint import HTML

    from chinhquyenso.accounts.models import Role
    from chinhquyenso.accounts.services import official_create
    from chinhquyenso.signing import services
    from chinhquyenso.signing.appearance import VisibleSignature
    from chinhquyenso.signing.images import draw_demo_seal, draw_demo_signature, png_bytes
    from chinhquyenso.signing.pdf import TextFieldSpec, fill_fields, prepare_fields
    from chinhquyenso.signing.pki import ensure_demo_pki
    from chinhquyenso.signing.verification import verify_pdf
    from chinhquyenso.units.models import UnitKind
    from chinhquyenso.units.services import unit_create

    call_command("migrate", verbosity=0)
    pki = ensure_demo_pki(workdir / "signing-pki", base_url="http://localhost:8000")
    province = unit_create(
        parent=None, kind=UnitKind.PROVINCE, name="Tỉnh Nghệ An", code="40", by=None
    )
    commune = unit_create(
        parent=province, kind=UnitKind.WARD, name="Phường Thành Vinh", code="16681", by=None
    )
    mayor = official_create(
        full_name="Nguyễn Văn Hùng",
        unit=commune,
        roles=[Role.UNIT_LEADER],
        email="chutich@bench.example",
        password=None,
        by=None,
    )
    clerk = official_create(
        full_name="Đặng Thị Mai",
        unit=commune,
        roles=[Role.CLERK],
        email="vanthu@bench.example",
        password=None,
        by=None,
    )
    secret = f"file:{pki.passphrase_path}"
    pki.issue("chu-tich", common_name=mayor.full_name, organisation=commune.name)
    pki.issue(
        "ubnd", common_name="Ủy ban nhân dân phường Thành Vinh", organisation_certificate=True
    )
    person = services.credential_register_pkcs12(
        official=mayor,
        pkcs12_data=pki.pkcs12_path("chu-tich").read_bytes(),
        passphrase=pki.passphrase(),
        secret_ref=secret,
        by=None,
    )
    organisation = services.credential_register_pkcs12(
        unit=commune,
        pkcs12_data=pki.pkcs12_path("ubnd").read_bytes(),
        passphrase=pki.passphrase(),
        secret_ref=secret,
        by=None,
    )
    services.signature_image_upload(
        official=mayor, file=ContentFile(png_bytes(draw_demo_signature("x")), name="s.png"), by=None
    )
    services.seal_image_upload(
        unit=commune,
        file=ContentFile(png_bytes(draw_demo_seal("UBND")), name="d.png"),
        diameter_mm=Decimal("36"),
        by=None,
    )
    draft = prepare_fields(
        HTML(string=DRAFT).write_pdf(),
        text_fields=[TextFieldSpec("so_ky_hieu", 1, (85.0, 560.0, 300.0, 580.0))],
    )

    def sign_once() -> bytes:
        return services.sign_pdf(
            pdf=draft,
            signer=person,
            by=mayor,
            appearance=VisibleSignature.person(page=2, box=BOX),
        )

    sign_once()  # warm-up: imports, font loading
    sign_times = []
    started = time.perf_counter()
    for _ in range(signatures):
        begin = time.perf_counter()
        sign_once()
        sign_times.append(time.perf_counter() - begin)
    sign_total = time.perf_counter() - started

    certified = services.sign_pdf(
        pdf=draft,
        signer=person,
        by=mayor,
        appearance=VisibleSignature.person(page=2, box=BOX),
        certify=True,
        reserve_seal_for=commune,
    )
    issued = services.sign_pdf(
        pdf=fill_fields(certified, {"so_ky_hieu": "Số: 15/QĐ-UBND"}),
        signer=organisation,
        by=clerk,
        appearance=VisibleSignature.seal(),
    )
    report = verify_pdf(issued)
    assert len(report.signatures) == 2 and report.all_valid, report
    verify_times = []
    started = time.perf_counter()
    for _ in range(verifications):
        begin = time.perf_counter()
        verify_pdf(issued)
        verify_times.append(time.perf_counter() - begin)
    verify_total = time.perf_counter() - started

    print(f"Load average (1, 5, 15 min) before: {load_before}, after: {os.getloadavg()}")
    print(
        f"Draft: {len(draft)} bytes, 2 pages; signed: {len(sign_once())} bytes; "
        f"issued (2 signatures): {len(issued)} bytes\n"
    )
    print("| operation | runs | per second | p50 (ms) | p95 (ms) | mean (ms) |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, times, total in (
        ("sign (PKCS#12, visible, B-LT)", sign_times, sign_total),
        ("verify (2 signatures)", verify_times, verify_total),
    ):
        print(
            f"| {label} | {len(times)} | {len(times) / total:.2f} | "
            f"{percentile(times, 0.5) * 1000:.0f} | {percentile(times, 0.95) * 1000:.0f} | "
            f"{statistics.mean(times) * 1000:.0f} |"
        )


if __name__ == "__main__":
    main()
