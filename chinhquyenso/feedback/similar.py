"""Open reports that look like a new one: same place, similar words.

Shown to a citizen before they send (so they can join an existing report instead of sending a
duplicate) and to screeners (so they can merge duplicates).

How it works, and why it stays fast:

1. Candidates come from the database: open reports (``workflow.OPEN_STATES`` plus *submitted*
   and *information requested*), never confidential ones, that are in the same commune or, when
   a position is given, inside a latitude/longitude box around it; only the latest
   :data:`MAX_CANDIDATES` by submission time are read.
2. In Python, candidates outside the commune are kept only if the haversine distance is at most
   ``settings.FEEDBACK_SIMILAR_RADIUS_M``.
3. Each candidate is scored by the Jaccard similarity of the texts' features: the words
   (syllables), folded (no case, no diacritics), without Vietnamese stop words, plus the pairs
   of neighbouring words, since most Vietnamese words have two syllables (``đèn đường``,
   ``rác thải``). Reports of the same category get :data:`CATEGORY_BONUS`. Candidates scoring
   below :data:`MIN_SCORE` are dropped; the rest come back best first.
"""

from __future__ import annotations

import itertools
import math
import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q

from chinhquyenso.core.text import fold, nfc
from chinhquyenso.feedback.models import Category, Report, Status
from chinhquyenso.feedback.workflow import OPEN_STATES

#: How many recent reports are compared at most.
MAX_CANDIDATES = 200
#: Lowest score for a report to count as similar.
MIN_SCORE = 0.25
#: Added to the score of a report of the same category.
CATEGORY_BONUS = 0.1

SIMILAR_STATES = OPEN_STATES | {Status.SUBMITTED, Status.INFO_REQUESTED}

#: Words too common to say anything about what a report is about (lower case, with diacritics:
#: folding first would also remove real words, e.g. "đá" (stone) would become "da" like "đã").
_STOP_WORDS_TEXT = """
của và là có không ở đã được cho này các những một thì mà với trong tại đến từ bị rất nhưng
cũng đang sẽ nên vì như khi lại ra vào rồi nữa đó kia ấy nào gì tôi chúng ta mình em anh
chị ông bà cháu bác cô chú xin đề nghị kính gửi nhờ giúp hay hoặc thế nay hôm ngày lúc để
về theo trên dưới sau trước nhiều ít quá lắm
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_EARTH_RADIUS_M = 6_371_000.0
_METRES_PER_DEGREE = 111_320.0
_WORD = re.compile(r"\w+")


def features(text: str) -> frozenset[str]:
    """The folded words of *text* without stop words, and pairs of neighbouring words."""
    words = _WORD.findall(nfc(text).lower())
    kept: list[str | None] = [None if w in STOP_WORDS or len(w) < 2 else fold(w) for w in words]
    unigrams = {w for w in kept if w}
    bigrams = {f"{a} {b}" for a, b in itertools.pairwise(kept) if a and b}
    return frozenset(unigrams | bigrams)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two feature sets, 0 (nothing shared) to 1 (the same)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _bounding_box(latitude: float, longitude: float, radius_m: float) -> Q:
    d_lat = radius_m / _METRES_PER_DEGREE
    d_lon = radius_m / (_METRES_PER_DEGREE * max(0.01, math.cos(math.radians(latitude))))

    def dec(value: float) -> Decimal:
        return Decimal(f"{value:.6f}")

    return Q(
        latitude__gte=dec(latitude - d_lat),
        latitude__lte=dec(latitude + d_lat),
        longitude__gte=dec(longitude - d_lon),
        longitude__lte=dec(longitude + d_lon),
    )


def similar_open_reports(
    *,
    commune: Any,
    text: str,
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
    category: Category | None = None,
    limit: int = 5,
    exclude: Report | None = None,
) -> list[Report]:
    """Open, non-confidential reports like *text* in *commune* (a Unit, its pk or ``None``) or
    near the position, best first, at most *limit*. *exclude* leaves out the report itself."""
    wanted = features(text)
    if not wanted or limit <= 0:
        return []
    radius = float(settings.FEEDBACK_SIMILAR_RADIUS_M)
    places = [Q(commune=commune)] if commune is not None else []
    if latitude is not None and longitude is not None:
        places.append(_bounding_box(float(latitude), float(longitude), radius))
    if not places:
        return []
    place = places[0] if len(places) == 1 else places[0] | places[1]
    candidates = (
        Report.objects.filter(place, status__in=SIMILAR_STATES, is_confidential=False)
        .select_related("category", "commune")
        .order_by("-submitted_at", "-pk")
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    commune_pk = getattr(commune, "pk", commune)
    category_pk = category.pk if category is not None else None
    scored: list[tuple[float, Report]] = []
    for report in candidates[:MAX_CANDIDATES]:
        if report.commune_id != commune_pk and not _near(report, latitude, longitude, radius):
            continue
        score = similarity(wanted, features(report.text))
        if category_pk is not None and report.category_id == category_pk:
            score += CATEGORY_BONUS
        if score >= MIN_SCORE:
            scored.append((score, report))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].submitted_at.timestamp()))
    return [report for _, report in scored[:limit]]


def _near(report: Report, latitude: Any, longitude: Any, radius: float) -> bool:
    if latitude is None or longitude is None:
        return False
    if report.latitude is None or report.longitude is None:
        return False
    return (
        distance_m(
            float(latitude), float(longitude), float(report.latitude), float(report.longitude)
        )
        <= radius
    )
