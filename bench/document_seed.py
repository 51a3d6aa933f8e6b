"""Seed many official documents for the search benchmark (bench data only, never a real
installation).

Rows go in with PostgreSQL's ``COPY`` (``copy_rows`` of ``bench/dossier_seed.py``), not through
the services: registering half a million documents one by one (signature checks, text
extraction, audit) is not what the search benchmark measures. The rows look like what the
services leave: incoming documents with their arrival number, consecutive per register and year,
and the sender's number and notation; outgoing ones numbered per unit, notation and year
(``15/QĐ-UBND``, ``12/UBND-VP``), most issued, some still drafts without a number; subjects
drawn from the phrases of real administrative documents; about a fifth with the text of their
PDF (``full_text``), a few of them with rarer words the benchmark looks for; ``search_text``
filled by ``services.document_search_text`` exactly as the services fill it. The register
counters are set to the last number given, so documents registered afterwards continue the
numbering. Needs the demo units (``chinhquyenso demo --load-only``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cqs_document_bench \\
        .venv/bin/python bench/document_seed.py --count 500000

Deterministic for a given ``--seed``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.db import connection
from django.utils import timezone
from dossier_seed import copy_rows  # also sets Django up

from chinhquyenso.documents.models import (
    Direction,
    Document,
    DocumentType,
    Register,
    RegisterCounter,
    Secrecy,
    Status,
    Urgency,
)
from chinhquyenso.documents.services import document_search_text, register_for
from chinhquyenso.units.models import Unit

#: Senders of incoming documents outside the platform, with the abbreviation of their notations.
SENDERS = (
    ("Văn phòng Chính phủ", "VPCP"),
    ("Bộ Nội vụ", "BNV"),
    ("Bộ Tài chính", "BTC"),
    ("Bộ Tài nguyên và Môi trường", "BTNMT"),
    ("Ủy ban nhân dân tỉnh Nghệ An", "UBND"),
    ("Văn phòng Ủy ban nhân dân tỉnh Nghệ An", "VP"),
    ("Sở Nội vụ tỉnh Nghệ An", "SNV"),
    ("Sở Tài chính tỉnh Nghệ An", "STC"),
    ("Sở Xây dựng tỉnh Nghệ An", "SXD"),
    ("Sở Y tế tỉnh Nghệ An", "SYT"),
    ("Sở Giáo dục và Đào tạo tỉnh Nghệ An", "SGDĐT"),
    ("Sở Nông nghiệp và Môi trường tỉnh Nghệ An", "SNNMT"),
    ("Sở Khoa học và Công nghệ tỉnh Nghệ An", "SKHCN"),
    ("Công an tỉnh Nghệ An", "CAT"),
    ("Bộ Chỉ huy Quân sự tỉnh Nghệ An", "BCH"),
    ("Bảo hiểm xã hội tỉnh Nghệ An", "BHXH"),
    ("Kho bạc Nhà nước khu vực X", "KBNN"),
    ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Nghệ An", "MTTQ"),
)
#: Offices that draft a công văn (its notation ends with theirs: ``12/UBND-VP``).
DRAFTING = ("VP", "KT", "VX", "TCKH", "ĐT", "NV")
ACTIONS = (
    "Về việc triển khai",
    "Về việc tổ chức",
    "Về việc báo cáo kết quả",
    "Về việc hướng dẫn thực hiện",
    "Về việc đôn đốc thực hiện",
    "Về việc kiểm tra",
    "Về việc tăng cường",
    "Phê duyệt kế hoạch",
    "Về việc góp ý dự thảo",
    "Về việc điều chỉnh",
    "Về việc phân bổ kinh phí",
    "Về việc tổng kết",
)
TOPICS = (
    "công tác cải cách hành chính",
    "phòng, chống thiên tai và tìm kiếm cứu nạn",
    "chuyển đổi số và Đề án 06",
    "xây dựng nông thôn mới nâng cao",
    "phòng cháy, chữa cháy và cứu nạn, cứu hộ",
    "tiêm chủng mở rộng cho trẻ em",
    "quản lý, bảo vệ và phát triển rừng",
    "Tết Trung thu cho thiếu nhi",
    "giải phóng mặt bằng dự án đường ven biển",
    "cấp giấy chứng nhận quyền sử dụng đất",
    "quyết toán ngân sách nhà nước",
    "tuyển sinh vào lớp 10 trung học phổ thông",
    "bảo đảm vệ sinh an toàn thực phẩm",
    "thu ngân sách và chống thất thu thuế",
    "sắp xếp đơn vị hành chính cấp xã",
    "chi trả trợ cấp cho người có công",
    "phòng, chống dịch bệnh trên đàn gia súc",
    "bầu cử đại biểu Hội đồng nhân dân",
    "tuyển dụng công chức cấp xã",
    "xử lý vi phạm trật tự xây dựng",
    "thu gom, xử lý rác thải sinh hoạt",
    "quản lý hoạt động karaoke và dịch vụ văn hóa",
)
SUFFIXES = ("", "", " năm {year}", " năm {year}", " quý {quarter} năm {year}", " trên địa bàn")
SIGNERS = (
    ("Nguyễn Văn Hùng", "Chủ tịch"),
    ("Lê Thị Hương", "Phó Chủ tịch"),
    ("Trần Đình Phúc", "Phó Chủ tịch"),
    ("Phạm Quốc Bảo", "Giám đốc"),
    ("Hoàng Thị Lan", "Phó Giám đốc"),
    ("Võ Minh Tuấn", "Chánh Văn phòng"),
)
#: Sentences of document bodies (the PDF text of about a fifth of the documents).
SENTENCES = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 02 năm 2025.",
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư.",
    "Theo đề nghị của Trưởng phòng Văn hóa - Xã hội.",
    "Yêu cầu các đơn vị, địa phương nghiêm túc triển khai thực hiện, báo cáo kết quả trước "
    "ngày 25 hằng tháng.",
    "Giao Văn phòng chủ trì, phối hợp với các phòng, ban liên quan theo dõi, đôn đốc.",
    "Kinh phí thực hiện từ nguồn ngân sách địa phương và các nguồn huy động hợp pháp khác.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, kịp thời báo cáo để xem xét, "
    "giải quyết.",
    "Quyết định này có hiệu lực kể từ ngày ký.",
    "Chánh Văn phòng, Thủ trưởng các cơ quan, đơn vị có liên quan chịu trách nhiệm thi hành "
    "Quyết định này.",
    "Tổ chức tuyên truyền sâu rộng đến cán bộ, đảng viên và Nhân dân trên địa bàn.",
)
#: Words found only in some PDF texts (what ``document_bench.py`` searches as "PDF word").
RARE_PHRASES = (
    "trồng cây keo lai giâm hom",
    "nuôi cá tầm thương phẩm",
    "kè chống sạt lở bờ sông Lam",
    "cầu treo bản Huồi Giảng",
    "chợ nông sản Quỳnh Lưu",
    "nước sạch liên xã Nghi Phong",
)


def _pick_status(rng: random.Random, direction: str) -> str:
    if direction == Direction.OUTGOING:
        return rng.choices(
            (Status.ISSUED, Status.DRAFT, Status.IN_REVIEW, Status.RECALLED, Status.REPLACED),
            (88, 6, 3, 1, 2),
        )[0]
    return rng.choices(
        (Status.COMPLETED, Status.IN_PROGRESS, Status.ASSIGNED, Status.REGISTERED),
        (72, 10, 10, 8),
    )[0]


class Seeder:
    """Builds document rows; keeps the numbers given so far per register and notation."""

    def __init__(self, *, rng: random.Random, now: dt.datetime, years: int) -> None:
        self.rng = rng
        self.now = now
        self.years = years
        self.units = [u for u in Unit.objects.order_by("path") if u.agency_code or u.short_name]
        self.types = list(DocumentType.objects.order_by("sort_order"))
        self.cong_van = next(t for t in self.types if t.code == "cong-van")
        self.registers = {
            (unit.pk, direction): register_for(unit, direction)
            for unit in self.units
            for direction in (Direction.INCOMING, Direction.OUTGOING)
        }
        #: Last number of each register in each year (arrival numbers of incoming registers,
        #: numbers of outgoing ones), continuing what the database holds.
        self.last: dict[tuple[int, int], int] = {
            (c.register_id, c.year): c.last_number for c in RegisterCounter.objects.all()
        }

    def _next(self, register: Register, year: int) -> int:
        key = (register.pk, year)
        self.last[key] = self.last.get(key, 0) + 1
        return self.last[key]

    def _subject(self, day: dt.date) -> str:
        rng = self.rng
        suffix = rng.choice(SUFFIXES).format(year=day.year, quarter=(day.month - 1) // 3 + 1)
        return f"{rng.choice(ACTIONS)} {rng.choice(TOPICS)}{suffix}"

    def _full_text(self, subject: str) -> str:
        rng = self.rng
        parts = [subject, *rng.sample(SENTENCES, rng.randint(3, 8))]
        if rng.random() < 0.05:
            parts.insert(2, f"Hỗ trợ {rng.choice(RARE_PHRASES)} theo kế hoạch đã phê duyệt.")
        return " ".join(parts * rng.randint(1, 3))

    def _type(self) -> DocumentType:
        rng = self.rng
        if rng.random() < 0.45:
            return self.cong_van
        return rng.choice(self.types[:29])

    def rows(self, count: int) -> Iterator[dict[str, Any]]:
        rng = self.rng
        span = self.years * 365 * 86_400
        # Oldest first, as a register fills up: the table's physical order follows the time of
        # registration, which is what an index scan "newest first" meets in a real database.
        ages = sorted((rng.randint(600, span) for _ in range(count)), reverse=True)
        for age in ages:
            unit = rng.choice(self.units)
            direction = Direction.INCOMING if rng.random() < 0.6 else Direction.OUTGOING
            created = timezone.localtime(self.now - dt.timedelta(seconds=age))
            day = created.date()
            year = day.year
            document_type = self._type()
            status = _pick_status(rng, direction)
            signer_name, signer_title = rng.choice(SIGNERS)
            subject = self._subject(day)
            row: dict[str, Any] = {
                "unit_id": unit.pk,
                "direction": direction,
                "status": status,
                "document_type": document_type,
                "subject": subject,
                "signer_name": signer_name,
                "signer_title": signer_title,
                "urgency": rng.choices(list(Urgency.values), (85, 10, 4, 1))[0],
                "secrecy": Secrecy.NONE if rng.random() < 0.99 else Secrecy.CONFIDENTIAL,
                "year": year,
                "created_at": created,
                "full_text": self._full_text(subject) if rng.random() < 0.2 else "",
                "page_count": rng.randint(1, 12),
            }
            register = self.registers[(unit.pk, direction)]
            if direction == Direction.INCOMING:
                sender, abbreviation = rng.choice(SENDERS)
                issuer = (
                    f"{document_type.abbreviation}-{abbreviation}"
                    if document_type.abbreviation
                    else f"{abbreviation}-{rng.choice(DRAFTING)}"
                )
                issued_on = day - dt.timedelta(days=rng.randint(0, 5))
                row |= {
                    "register_id": register.pk,
                    "number": rng.randint(1, 2500),
                    "notation": issuer,
                    "issued_on": issued_on,
                    "arrival_number": self._next(register, year),
                    "arrived_at": created,
                    "sender_name": sender,
                    "due_on": day + dt.timedelta(days=rng.randint(5, 30))
                    if rng.random() < 0.4
                    else None,
                    "completed_at": created + dt.timedelta(days=rng.randint(1, 20))
                    if status == Status.COMPLETED
                    else None,
                }
            else:
                short = unit.short_name or "UBND"
                notation = (
                    f"{document_type.abbreviation}-{short}"
                    if document_type.abbreviation
                    else f"{short}-{rng.choice(DRAFTING)}"
                )
                numbered = status not in (Status.DRAFT, Status.IN_REVIEW)
                number = self._next(register, year) if numbered else None
                row |= {
                    "register_id": register.pk if numbered else None,
                    "number": number,
                    "notation": notation if numbered else "",
                    "issued_on": day if numbered else None,
                    "recipients_text": "Như trên;\nLưu: VT.",
                }
            document = Document(
                document_type=document_type,
                number=row["number"],
                notation=row["notation"],
                subject=subject,
                sender_name=row.get("sender_name", ""),
                signer_name=signer_name,
                full_text=row["full_text"],
            )
            row["search_text"] = document_search_text(document)
            row["document_type_id"] = row.pop("document_type").pk
            yield row

    def counters(self) -> list[dict[str, Any]]:
        return [
            {"register_id": register_id, "year": year, "last_number": number}
            for (register_id, year), number in self.last.items()
        ]


def seed(count: int, *, rng: random.Random, batch: int, years: int) -> int:
    seeder = Seeder(rng=rng, now=timezone.now(), years=years)
    if not seeder.units or not seeder.types:
        raise SystemExit("No units or document types: run `manage.py demo --load-only` first.")
    began = time.perf_counter()
    written = 0
    rows = seeder.rows(count)
    while written < count:
        chunk = [row for _, row in zip(range(batch), rows, strict=False)]
        written += copy_rows(Document, chunk)
        print(f"  {written} documents ({time.perf_counter() - began:.0f} s)", file=sys.stderr)
    RegisterCounter.objects.all().delete()
    copy_rows(RegisterCounter, seeder.counters())
    with connection.cursor() as cursor:
        for model in (Document, RegisterCounter):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500_000)
    parser.add_argument("--batch", type=int, default=25_000)
    parser.add_argument("--years", type=int, default=3, help="spread over the last N years")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        parser.error("PostgreSQL only (COPY): set DATABASE_URL")
    if not 0 <= args.count <= 2_000_000:
        parser.error("--count must be between 0 and 2,000,000")
    if args.count:
        began = time.perf_counter()
        written = seed(args.count, rng=random.Random(args.seed), batch=args.batch, years=args.years)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Document._meta.db_table}")
        print(f"Seeded {written} documents in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
