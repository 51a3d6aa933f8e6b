"""Seed many feedback reports for the benchmarks (bench data only, never a real installation).

Rows are written with ``bulk_create`` in batches, not through the services: the services'
per-report work (deadlines, notifications, audit) is not what the benchmark of the *read*
pages measures, and 200,000 reports through them would take an hour. The rows look like what
the services leave: ``search_text`` folded from the private text, about a third published with
``public_text``/``public_answer`` (personal data already replaced), and the rest spread over
the other states. Needs the demo units and categories (``chinhquyenso demo --load-only``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cqs_feedback_bench \\
        .venv/bin/python bench/feedback_seed.py --count 200000

Deterministic for a given ``--seed``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyenso.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from chinhquyenso.core.search import searchable_text  # noqa: E402
from chinhquyenso.feedback.codes import ALPHABET, PREFIX  # noqa: E402
from chinhquyenso.feedback.models import Category, Report, Status, Urgency  # noqa: E402
from chinhquyenso.units.models import COMMUNE_LEVEL_KINDS, Unit, UnitKind  # noqa: E402

STREETS = (
    "đường Lê Lợi",
    "đường Hồng Bàng",
    "đường Nguyễn Du",
    "đường Quang Trung",
    "đường Trần Phú",
    "đường Phan Bội Châu",
    "đường Lê Duẩn",
    "đường Hồ Tùng Mậu",
    "quốc lộ 1A",
    "quốc lộ 46",
    "tỉnh lộ 535",
    "đường liên xã",
    "ngõ 12",
    "ngõ 45",
    "khối 3",
    "xóm Đông",
    "xóm Bắc",
)
PROBLEMS = (
    "Rác thải sinh hoạt đổ trộm thành đống, bốc mùi hôi thối nhiều ngày",
    "Mặt đường bị sụt lún, xuất hiện nhiều ổ gà gây nguy hiểm cho xe máy",
    "Đèn chiếu sáng công cộng bị hỏng, buổi tối tối om",
    "Cống thoát nước bị tắc, mưa xuống là ngập sâu",
    "Quán karaoke hát to quá 23 giờ đêm, ảnh hưởng giấc ngủ của người dân",
    "Lấn chiếm vỉa hè để kinh doanh, người đi bộ phải xuống lòng đường",
    "Nước sinh hoạt bị đục, có mùi lạ",
    "Cây xanh gãy đổ sau bão chưa được dọn",
    "Xe tải chở vật liệu làm rơi vãi đất cát trên đường",
    "Trạm y tế đóng cửa trong giờ hành chính",
    "Cột điện nghiêng, dây điện võng thấp sát mái nhà",
    "Khói bụi từ xưởng sản xuất gạch gây ô nhiễm không khí",
)
ANSWERS = (
    "Đơn vị đã kiểm tra hiện trường và chỉ đạo xử lý dứt điểm.",
    "Công ty môi trường đã thu gom, vệ sinh khu vực và lắp biển cấm đổ rác.",
    "Ban quản lý dự án đã vá các ổ gà, hoàn thành trong tuần.",
    "Điện lực đã thay bóng đèn và kiểm tra lại hệ thống chiếu sáng.",
    "Đã lập biên bản, nhắc nhở hộ kinh doanh và sẽ tiếp tục kiểm tra.",
    "Đã nạo vét cống, khơi thông dòng chảy.",
)
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em")
REDACTED = "[đã ẩn]"
# Nghệ An's mainland, roughly.
LATITUDE = (18.55, 19.95)
LONGITUDE = (103.9, 105.75)

OTHER_STATES = (
    (Status.SUBMITTED, 8),
    (Status.ACCEPTED, 8),
    (Status.IN_PROGRESS, 20),
    (Status.INFO_REQUESTED, 3),
    (Status.AWAITING_APPROVAL, 5),
    (Status.ANSWERED, 10),
    (Status.CLOSED, 30),
    (Status.REFUSED, 8),
    (Status.HANDED_OFF, 3),
    (Status.MERGED, 5),
)


def tracking_codes(rng: random.Random, taken: set[str]):
    """Unique codes of the real shape (random part only; the check character is not needed)."""
    while True:
        body = "".join(rng.choice(ALPHABET) for _ in range(8))
        code = f"{PREFIX}-{body[:4]}-{body[4:]}"
        if code not in taken:
            taken.add(code)
            yield code


def build(rng, codes, now, communes, departments, categories, confidential):
    published = rng.random() < 1 / 3
    submitted = now - dt.timedelta(seconds=rng.randint(3600, 365 * 86400))
    commune = rng.choice(communes)
    handling = commune if rng.random() < 0.7 or not departments else rng.choice(departments)
    name, phone = rng.choice(NAMES), f"09{rng.randint(10_000_000, 99_999_999)}"
    street, problem = rng.choice(STREETS), rng.choice(PROBLEMS)
    text = f"{problem} tại {street}. Liên hệ {name}, điện thoại {phone}."
    public_text = f"{problem} tại {street}. Liên hệ {REDACTED}, điện thoại {REDACTED}."
    is_confidential = not published and confidential and rng.random() < 0.02
    category = rng.choice(confidential) if is_confidential else rng.choice(categories)
    if published:
        status = rng.choice((Status.ANSWERED, Status.CLOSED, Status.CLOSED, Status.CLOSED))
    else:
        states, weights = zip(*OTHER_STATES, strict=True)
        status = rng.choices(states, weights)[0]
    accepted = submitted + dt.timedelta(hours=rng.randint(1, 30))
    answered = None
    due = accepted + dt.timedelta(days=14)
    if published or status in (Status.ANSWERED, Status.CLOSED):
        answered = accepted + dt.timedelta(hours=rng.randint(2, 24 * 20))
        answered = min(answered, now)
    answer = rng.choice(ANSWERS) if answered else ""
    with_location = rng.random() < 0.7
    return Report(
        tracking_code=next(codes),
        status=status,
        category=category,
        urgency=Urgency.NORMAL,
        text=text,
        commune=commune,
        address=f"{street}, {commune.name}",
        latitude=Decimal(f"{rng.uniform(*LATITUDE):.6f}") if with_location else None,
        longitude=Decimal(f"{rng.uniform(*LONGITUDE):.6f}") if with_location else None,
        receiving_unit=commune,
        handling_unit=None if status == Status.SUBMITTED else handling,
        is_confidential=is_confidential,
        submitted_at=submitted,
        accept_due_at=submitted + dt.timedelta(hours=8),
        accepted_at=None if status == Status.SUBMITTED else accepted,
        answer_due_at=None if status == Status.SUBMITTED else due,
        answered_at=answered,
        answer=answer,
        is_published=published,
        public_text=public_text if published else "",
        public_answer=answer if published else "",
        published_at=(answered + dt.timedelta(hours=2)) if published and answered else None,
        channel="bench",
        search_text=searchable_text(text, f"{street}, {commune.name}", answer),
        # As report_publish fills it (services._public_search_text).
        public_search_text=searchable_text(
            public_text,
            answer,
            category.name,
            category.parent.name if category.parent else "",
            commune.name,
        )
        if published
        else "",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if not 1 <= args.count <= 1_000_000:
        parser.error("--count must be between 1 and 1,000,000")

    communes = list(Unit.objects.filter(kind__in=COMMUNE_LEVEL_KINDS))
    departments = list(Unit.objects.filter(kind=UnitKind.DEPARTMENT))
    leaves = Category.objects.filter(children__isnull=True, is_active=True).select_related("parent")
    categories = list(leaves.filter(is_confidential=False))
    confidential = list(leaves.filter(is_confidential=True))
    if not communes or not categories:
        print("No communes or categories: run `manage.py demo --load-only` first.", file=sys.stderr)
        return 1

    rng = random.Random(args.seed)
    codes = tracking_codes(rng, set(Report.objects.values_list("tracking_code", flat=True)))
    now = timezone.now()
    began = time.perf_counter()
    done = 0
    while done < args.count:
        size = min(args.batch, args.count - done)
        rows = [
            build(rng, codes, now, communes, departments, categories, confidential)
            for _ in range(size)
        ]
        with transaction.atomic():
            Report.objects.bulk_create(rows)
        done += size
        print(f"  {done} reports ({time.perf_counter() - began:.0f} s)", file=sys.stderr)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE feedback_report")
    published = Report.objects.filter(is_published=True).count()
    print(
        f"Seeded {done} reports ({published} published in all) in "
        f"{time.perf_counter() - began:.0f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
