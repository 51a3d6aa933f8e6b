"""Reads for the public pages: published reports, without anything private.

Only reports a unit chose to publish (``is_published``) and that are not on the confidential
track are ever returned, and only their public columns: ``public_text`` and ``public_answer``
(personal data already removed by ``report_publish``), category, commune, status and dates.
The reporter's own text, the answer as sent to them, contacts, address and history never
leave this module.

Search is diacritic-insensitive over the public columns and the category names only, never
``Report.search_text``: that column holds the folded *private* text, and searching it would
tell a visitor whether a name or a phone number appears in a report. On PostgreSQL the public
columns are folded with ``unaccent``; on SQLite by a small SQL function registered on the
connection (:func:`_sqlite_fold_ready`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import quote

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    F,
    Func,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce, Concat, Substr
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from chinhquyenso.core.text import fold, nfc
from chinhquyenso.feedback.codes import normalise_tracking_code
from chinhquyenso.feedback.models import Attachment, Category, Report, Status
from chinhquyenso.units.models import COMMUNE_LEVEL_KINDS, Unit

#: Statuses a published report can be in (reopened reports stay published while handled again).
PUBLIC_STATUSES = (
    Status.ANSWERED,
    Status.CLOSED,
    Status.REOPEN_REQUESTED,
    Status.IN_PROGRESS,
)

#: Reports per page of the public list, and how deep the list may be paged (offset cap).
PAGE_SIZE = 20
MAX_PAGES = 50

#: Most points sent to the map (the newest published ones).
MAP_MAX_POINTS = 2000
#: Coordinates on the map are rounded to 4 decimals: about 11 m of latitude.
MAP_DECIMALS = Decimal("0.0001")

#: Characters of the public text shown in the list.
EXCERPT_CHARS = 280

#: Public columns searched (the category names come in through joins).
SEARCH_FIELDS = ("public_text", "public_answer", "category__name", "category__parent__name")

#: Search reads at most this many of the newest published reports matching the other filters;
#: a period filter reaches older ones. (A trigram index would lift this limit: see the report.)
SEARCH_WINDOW = 5000

#: Seconds the filter options are kept in the cache.
CHOICES_MAX_AGE = 300
_CHOICES_CACHE_KEY = "feedback:public-filter-choices"

_SQLITE_FOLD = "cqs_public_fold"


@dataclass(frozen=True)
class PublicFilters:
    """What a visitor narrowed the public list to; every part optional."""

    commune_id: int | None = None
    #: A group finds its sub-categories too.
    category_id: int | None = None
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""


def published_reports() -> QuerySet[Report]:
    """Every report the public may see, newest publication first."""
    return Report.objects.filter(
        is_published=True, is_confidential=False, category__is_confidential=False
    ).order_by("-published_at")


def _local_day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_reports(reports: QuerySet[Report], filters: PublicFilters) -> QuerySet[Report]:
    """Apply the visitor's filters; the period is on the day the report was sent."""
    reports = _filter_fields(reports, filters)
    if not fold(nfc(filters.q)).split():
        return reports
    since = _search_window_start(filters)
    if since is not None:
        reports = reports.filter(published_at__gte=since)
    return public_search(reports, filters.q)


def _filter_fields(reports: QuerySet[Report], filters: PublicFilters) -> QuerySet[Report]:
    if filters.commune_id is not None:
        reports = reports.filter(commune_id=filters.commune_id)
    if filters.category_id is not None:
        reports = reports.filter(
            Q(category_id=filters.category_id) | Q(category__parent_id=filters.category_id)
        )
    if filters.status:
        reports = reports.filter(status=filters.status)
    if filters.date_from is not None:
        reports = reports.filter(submitted_at__gte=_local_day_start(filters.date_from))
    if filters.date_to is not None:
        next_day = filters.date_to + dt.timedelta(days=1)
        reports = reports.filter(submitted_at__lt=_local_day_start(next_day))
    return reports


class _SqliteFold(Func):
    """``cqs_public_fold(text)``: the text folded like :func:`core.text.fold` (SQLite only)."""

    function = _SQLITE_FOLD
    output_field = TextField()


def _fold_or_empty(value: str | None) -> str:
    return fold(value) if value else ""


def _sqlite_fold_ready() -> None:
    """Register the folding function on this SQLite connection (cheap, idempotent)."""
    connection.ensure_connection()
    raw: Any = connection.connection
    raw.create_function(_SQLITE_FOLD, 1, _fold_or_empty, deterministic=True)


def _search_window_start(filters: PublicFilters) -> dt.datetime | None:
    """When the :data:`SEARCH_WINDOW`-th newest report passing the other filters was published
    (``None`` when fewer pass): a search reads only reports published since then.

    A query of its own, so the search's query gets a constant it can use the publication index
    with; confidential categories are left to that query (no join here).
    """
    published = Report.objects.filter(is_published=True, is_confidential=False)
    newest = _filter_fields(published, filters).order_by("-published_at")
    found = list(newest.values_list("published_at", flat=True)[SEARCH_WINDOW - 1 : SEARCH_WINDOW])
    return found[0] if found else None


def public_search(reports: QuerySet[Report], query: str) -> QuerySet[Report]:
    """Rows where every word of *query* is in the public text, public answer or category name.

    :func:`filter_reports` first narrows *reports* to the :data:`SEARCH_WINDOW` newest that pass
    the other filters, so a search costs the same whatever the number of reports (a word found
    nowhere would otherwise read every published row). Each row's public document is matched
    once per word: on
    PostgreSQL by a regular expression where each letter stands for all its accented forms, on
    SQLite by folding it with :func:`core.text.fold`.
    """
    words = fold(nfc(query)).split()
    if not words:
        return reports
    parts: list[Any] = []
    for field in SEARCH_FIELDS:
        parts += [Coalesce(F(field), Value(""), output_field=TextField()), Value(" ")]
    document = Concat(*parts, output_field=TextField())
    if connection.vendor == "postgresql":
        # A regular expression on the text as stored (NFC) is about 2.5 times cheaper per row
        # than folding it with unaccent first.
        reports = reports.alias(public_document=document)
        for word in words:
            reports = reports.filter(public_document__regex=_diacritic_pattern(word))
        return reports
    _sqlite_fold_ready()
    reports = reports.alias(public_document=_SqliteFold(document))
    for word in words:
        reports = reports.filter(public_document__contains=word)
    return reports


def _letter_variants() -> dict[str, str]:
    """Each letter a–z → every precomposed letter (either case) that folds to it: "d" → "dDđĐ"."""
    variants: dict[str, list[str]] = {}
    for block in (range(0x41, 0x5B), range(0x61, 0x7B), range(0xC0, 0x250), range(0x1E00, 0x1F00)):
        for code in block:
            letter = chr(code)
            base = fold(letter)
            if len(base) == 1 and "a" <= base <= "z":
                variants.setdefault(base, []).append(letter)
    return {base: "".join(letters) for base, letters in variants.items()}


_LETTER_VARIANTS = _letter_variants()


def _diacritic_pattern(folded_word: str) -> str:
    """A PostgreSQL regular expression matching *folded_word* written with any diacritics and
    in any case: ``duong`` → ``[dDđĐ][uUúÚ…][oO…]…``."""
    pattern = []
    for char in folded_word:
        if char in _LETTER_VARIANTS:
            pattern.append(f"[{_LETTER_VARIANTS[char]}]")
        elif char.isalnum():
            pattern.append(char)
        else:
            pattern.append("\\" + char)
    return "".join(pattern)


@dataclass(frozen=True)
class ReportCard:
    """What the list shows of one report, ready to print (no model objects: the list is the
    busiest public page, and building models and resolving template lookups was most of it)."""

    tracking_code: str
    url: str
    category: str
    commune: str
    excerpt: str
    truncated: bool
    submitted_iso: str
    submitted_display: str
    status: str
    status_label: str


@dataclass(frozen=True)
class ReportPage:
    """One page of the public list."""

    reports: Sequence[ReportCard]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def at_cap(self) -> bool:
        """The last page that may be shown: narrow the filters to see older reports."""
        return self.number >= MAX_PAGES and self.has_next


def report_page(filters: PublicFilters, page: int = 1) -> ReportPage:
    """A page of the filtered list: one query, no ``COUNT(*)``; commune names from the cached
    filter options (a query only for a commune missing there).

    Offset paging capped at :data:`MAX_PAGES` pages, so no request walks far into the index.
    Communes are not joined: with a search, whose match count PostgreSQL cannot estimate, the
    join can turn into a loop over every unit for each matching row.
    """
    number = min(max(page, 1), MAX_PAGES)
    start = (number - 1) * PAGE_SIZE
    rows = list(
        filter_reports(published_reports(), filters)
        .annotate(excerpt=Substr("public_text", 1, EXCERPT_CHARS, output_field=CharField()))
        .values_list(
            "tracking_code",
            "status",
            "submitted_at",
            "commune_id",
            "category__name",
            "category__parent__name",
            "excerpt",
        )[start : start + PAGE_SIZE + 1]
    )
    communes = dict(filter_choices().communes)
    missing = {row[3] for row in rows} - communes.keys()
    if missing:
        communes.update(Unit.objects.filter(pk__in=missing).values_list("pk", "name"))
    labels = {value: str(label) for value, label in Status.choices}
    detail = reverse("feedback:public_detail", args=["CODE"])
    cards = []
    for code, status, submitted_at, commune_id, category, group, excerpt in rows[:PAGE_SIZE]:
        submitted_on = timezone.localdate(submitted_at)
        cards.append(
            ReportCard(
                tracking_code=code,
                url=detail.replace("CODE", quote(code)),
                category=f"{group} › {category}" if group else category,
                commune=communes.get(commune_id, ""),
                excerpt=excerpt,
                truncated=len(excerpt) >= EXCERPT_CHARS,
                submitted_iso=submitted_on.isoformat(),
                submitted_display=f"{submitted_on:%d/%m/%Y}",
                status=status,
                status_label=labels.get(status, status),
            )
        )
    return ReportPage(reports=cards, number=number, has_next=len(rows) > PAGE_SIZE)


def public_report(tracking_code: str) -> Report:
    """The published report with this code, or :class:`Http404` (missing or not public alike)."""
    report = (
        published_reports()
        .select_related("category", "category__parent", "commune")
        .only(
            "tracking_code",
            "status",
            "submitted_at",
            "answered_at",
            "published_at",
            "public_text",
            "public_answer",
            "category__name",
            "category__parent__name",
            "commune__name",
        )
        .filter(tracking_code=normalise_tracking_code(tracking_code) or tracking_code)
        .first()
    )
    if report is None:
        raise Http404("not published")
    return report


def public_attachments(report: Report) -> list[Attachment]:
    """Attachments of a published report that have a public copy (location data removed)."""
    return list(
        Attachment.objects.filter(report=report)
        .exclude(public_file="")
        .only("pk", "original_name", "content_type", "size", "is_answer", "public_file")
        .order_by("is_answer", "pk")
    )


def public_attachment(tracking_code: str, attachment_id: int) -> Attachment:
    """One public attachment of a published report, or :class:`Http404`."""
    report = public_report(tracking_code)
    attachment = (
        Attachment.objects.filter(report=report, pk=attachment_id).exclude(public_file="").first()
    )
    if attachment is None:
        raise Http404("no public attachment")
    attachment.report = report
    return attachment


def _round(value: Decimal) -> float:
    return float(value.quantize(MAP_DECIMALS, rounding=ROUND_HALF_UP))


def map_features(filters: PublicFilters) -> list[dict[str, Any]]:
    """GeoJSON features of published reports with coordinates (rounded, nothing personal)."""
    rows = (
        filter_reports(published_reports(), filters)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .values_list(
            "tracking_code", "latitude", "longitude", "status", "category__name", "published_at"
        )[:MAP_MAX_POINTS]
    )
    labels = dict(Status.choices)
    features = []
    for code, latitude, longitude, status, category, published_at in rows:
        if latitude is None or longitude is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [_round(longitude), _round(latitude)]},
                "properties": {
                    "code": code,
                    "category": category,
                    "status": str(labels.get(status, status)),
                    "published": timezone.localdate(published_at).isoformat()
                    if published_at
                    else None,
                },
            }
        )
    return features


@dataclass(frozen=True)
class CommuneCount:
    commune_id: int
    name: str
    reports: int
    with_location: int


def counts_by_commune(filters: PublicFilters) -> list[CommuneCount]:
    """Published reports per commune (one aggregate query), most reports first."""
    rows = (
        filter_reports(published_reports(), filters)
        .order_by()
        .values("commune_id", "commune__name")
        .annotate(
            reports=Count("pk"),
            with_location=Count("pk", filter=Q(latitude__isnull=False, longitude__isnull=False)),
        )
        .order_by("-reports", "commune__name")
    )
    return [
        CommuneCount(
            commune_id=row["commune_id"],
            name=row["commune__name"],
            reports=row["reports"],
            with_location=row["with_location"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class FilterChoices:
    """The options of the filters: ``(id, label)`` pairs, sub-categories under their group."""

    communes: list[tuple[int, str]]
    categories: list[tuple[int, str, int]]  # id, name, level (0 group, 1 sub-category)


def filter_choices() -> FilterChoices:
    """The commune-level units and the active public categories (cached for a few minutes:
    every visit of the list needs them and they change a few times a year)."""
    choices: FilterChoices | None = cache.get(_CHOICES_CACHE_KEY)
    if choices is not None:
        return choices
    communes = list(
        Unit.objects.filter(kind__in=COMMUNE_LEVEL_KINDS).order_by("name").values_list("pk", "name")
    )
    children: dict[int | None, list[tuple[int, str]]] = {}
    for pk, parent_id, name in (
        Category.objects.filter(is_active=True, is_confidential=False)
        .order_by("sort_order", "name")
        .values_list("pk", "parent_id", "name")
    ):
        children.setdefault(parent_id, []).append((pk, name))
    categories: list[tuple[int, str, int]] = []
    for pk, name in children.get(None, []):
        categories.append((pk, name, 0))
        categories += [(child, child_name, 1) for child, child_name in children.get(pk, [])]
    choices = FilterChoices(communes=communes, categories=categories)
    cache.set(_CHOICES_CACHE_KEY, choices, CHOICES_MAX_AGE)
    return choices
