"""Reads for the public pages: published reports, without anything private.

Only reports a unit chose to publish (``is_published``) and that are not on the confidential
track are ever returned, and only their public columns: ``public_text`` and ``public_answer``
(personal data already removed by ``report_publish``), category, commune, status and dates.
The reporter's own text, the answer as sent to them, contacts, address and history never
leave this module.

Search is diacritic-insensitive over ``Report.public_search_text`` only: the public text and
answer, category, group and commune names, folded by ``report_publish``. Never
``Report.search_text``: that column holds the folded *private* text, and searching it would
tell a visitor whether a name or a phone number appears in a report. On PostgreSQL a
``pg_trgm`` GIN index on the published rows serves the ``LIKE '%word%'`` match, so a search
reads only the matching rows, over every published report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import quote

from django.core.cache import cache
from django.db.models import (
    CharField,
    Count,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Least, StrIndex, Substr
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from chinhquyenso.core.clock import day_start
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

#: Seconds the filter options are kept in the cache.
CHOICES_MAX_AGE = 300
_CHOICES_CACHE_KEY = "feedback:public-filter-choices"


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


def filter_reports(reports: QuerySet[Report], filters: PublicFilters) -> QuerySet[Report]:
    """Apply the visitor's filters; the period is on the day the report was sent."""
    return public_search(_filter_fields(reports, filters), filters.q)


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
        reports = reports.filter(submitted_at__gte=day_start(filters.date_from))
    if filters.date_to is not None:
        next_day = filters.date_to + dt.timedelta(days=1)
        reports = reports.filter(submitted_at__lt=day_start(next_day))
    return reports


def public_search(reports: QuerySet[Report], query: str) -> QuerySet[Report]:
    """Rows where every word of *query* is in the folded public document
    (``public_search_text``: public text and answer, category, group and commune names).

    The query is folded like the column (:func:`core.text.fold`), so ``duong`` and ``Đường``
    find the same rows; each word is a ``LIKE '%word%'`` that, on PostgreSQL, the trigram
    index on the published rows answers (words shorter than three letters give the index
    nothing to look up and are checked on the rows the other words left).
    """
    for word in fold(nfc(query)).split():
        reports = reports.filter(public_search_text__contains=word)
    return reports


#: A search page is first looked for among this many newest published reports passing the
#: other filters (see :func:`_search_rows`).
SEARCH_RECENT_ROWS = 1000

_LIST_COLUMNS = (
    "tracking_code",
    "status",
    "submitted_at",
    "commune_id",
    "category__name",
    "category__parent__name",
    "excerpt",
)


def _list_rows(reports: QuerySet[Report], start: int, stop: int) -> list[tuple[Any, ...]]:
    return list(
        reports.annotate(
            excerpt=Substr("public_text", 1, EXCERPT_CHARS, output_field=CharField())
        ).values_list(*_LIST_COLUMNS)[start:stop]
    )


def _search_rows(filters: PublicFilters, start: int, stop: int) -> list[tuple[Any, ...]]:
    """Rows ``start:stop`` of a search, over every published report.

    PostgreSQL cannot estimate how many rows several words match together (it multiplies the
    words' frequencies, while the words of a phrase go together), so left alone it reads every
    match through the trigram index and sorts them: 100 ms for a phrase found in a quarter of
    the reports. So a page is first looked for among the newest reports passing the other
    filters (published since :func:`_recent_start`), read in publication order, each row's
    text checked with ``strpos`` (which the trigram index does not serve, so the read follows
    the publication index and stops at the last row needed: 1 ms for a common phrase, 3 ms
    when the newest reports hold no match). Only when they hold too few
    matches is the trigram index asked, over all published reports: then the words are rare
    and it returns few rows. Both ways give the same rows, whatever the start: a match outside
    the newest ones is older than every one of them.
    """
    since = _recent_start(filters)
    recent = _filter_fields(published_reports(), filters)
    if since is not None:
        recent = recent.filter(published_at__gte=since)
    # One condition for all the words (the first position of the word found last), so
    # PostgreSQL guesses one fraction of rows, not a product that shrinks with each word.
    found = [StrIndex("public_search_text", Value(w)) for w in fold(nfc(filters.q)).split()]
    recent = recent.alias(found=Least(*found) if len(found) > 1 else found[0])
    rows = _list_rows(recent.filter(found__gt=0), start, stop)
    if since is None or len(rows) == stop - start:
        # Fewer reports than that pass the other filters (a commune, a category): all of them
        # were read, through their own index, and the answer is complete.
        return rows
    return _list_rows(filter_reports(published_reports(), filters), start, stop)


_NONE = "none"


def _recent_start(filters: PublicFilters) -> dt.datetime | None:
    """When the :data:`SEARCH_RECENT_ROWS`-th newest published report passing the filters
    other than the words was published (``None`` when fewer pass). Cached for
    :data:`CHOICES_MAX_AGE` seconds: any value gives the right rows (see :func:`_search_rows`),
    a stale one only a slightly larger or smaller first read."""
    key = ":".join(
        str(part)
        for part in (
            "feedback:public-recent",
            filters.commune_id,
            filters.category_id,
            filters.status,
            filters.date_from,
            filters.date_to,
        )
    )
    cached = cache.get(key)
    if cached is not None:
        return None if cached == _NONE else cached
    published = Report.objects.filter(is_published=True, is_confidential=False)
    newest = _filter_fields(published, filters).order_by("-published_at")
    window = SEARCH_RECENT_ROWS
    found = list(newest.values_list("published_at", flat=True)[window - 1 : window])
    since = found[0] if found else None
    cache.set(key, _NONE if since is None else since, CHOICES_MAX_AGE)
    return since


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
    """A page of the filtered list: one query (two or three with a search, see
    :func:`_search_rows`), no ``COUNT(*)``; commune names from the cached filter options (a
    query only for a commune missing there).

    Offset paging capped at :data:`MAX_PAGES` pages, so no request walks far into the index.
    Communes are not joined: with a search, whose match count PostgreSQL cannot estimate, the
    join can turn into a loop over every unit for each matching row.
    """
    number = min(max(page, 1), MAX_PAGES)
    start = (number - 1) * PAGE_SIZE
    stop = start + PAGE_SIZE + 1
    if fold(nfc(filters.q)).split():
        rows = _search_rows(filters, start, stop)
    else:
        rows = _list_rows(filter_reports(published_reports(), filters), start, stop)
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
