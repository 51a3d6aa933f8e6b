"""Reads on documents: who may see which document, who may act on it, queues, follow-up, search.

Visibility (:func:`documents_visible_to`):

- officials see the documents of their own unit; leaders (and the operations centre, system
  administrators) also those of the units below (``accounts.permissions.units_visible_to``);
- officials of a unit or person assigned to handle an incoming document see it too;
- a document with a secrecy mark (mật, tối mật, tuyệt mật) is seen only by the leaders of its
  unit or of a unit above, the clerks of its unit (who register and keep it), the people
  assigned to it by name, and the people who drafted or sign it;
- citizens and anonymous visitors see nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan
from django.db.models.sql import Query
from django.http import Http404

from chinhquyenso.accounts.models import Role
from chinhquyenso.accounts.permissions import roles_of, units_visible_to
from chinhquyenso.core.search import search_conditions
from chinhquyenso.core.sql import column
from chinhquyenso.core.text import fold, joined, nfc
from chinhquyenso.documents.models import (
    Assignment,
    BusinessType,
    Delivery,
    DeliveryStatus,
    Direction,
    Document,
    DocumentFile,
    DocumentType,
    Secrecy,
    Status,
)
from chinhquyenso.documents.numbering import parse_reference
from chinhquyenso.documents.search_sample import text_sample, trigrams
from chinhquyenso.documents.workflow import INCOMING_OPEN, TRANSITIONS
from chinhquyenso.units.models import Unit

#: Incoming actions taken by the people assigned to the document (and its leaders).
HANDLING_ACTIONS = frozenset({"add_opinion", "pass_on", "attach_result", "complete"})
#: Deliveries waiting in a recipient's "arrived" queue: sent through the platform, not yet
#: accepted or refused. A recall is answered elsewhere, not registered.
ARRIVAL_STATUSES = (DeliveryStatus.SENT, DeliveryStatus.ARRIVED)
ARRIVAL_BUSINESS_TYPES = (BusinessType.NEW, BusinessType.UPDATE, BusinessType.REPLACE)
#: Kinds of file that are the document itself (not an annex, not a handler's result).
MAIN_FILE_KINDS = (
    DocumentFile.Kind.DRAFT,
    DocumentFile.Kind.SIGNED,
    DocumentFile.Kind.ISSUED,
    DocumentFile.Kind.SCAN,
    DocumentFile.Kind.RECEIVED,
)
LIST_RELATED = ("unit", "document_type", "register", "sender_unit")


def _is_official(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_official)


def _leader_path(user: Any) -> str | None:
    """The tree path under which *user* leads (their unit's), or ``None`` if not a leader."""
    if not _is_official(user) or user.unit_id is None:
        return None
    if Role.UNIT_LEADER not in roles_of(user):
        return None
    path: str = user.unit.path
    return path


def supervises(user: Any, unit: Unit | None) -> bool:
    """Whether *user* is a leader of *unit* or of a unit above it."""
    path = _leader_path(user)
    return path is not None and unit is not None and unit.path.startswith(path)


def is_clerk_of(user: Any, unit: Unit | None) -> bool:
    return (
        _is_official(user)
        and unit is not None
        and user.unit_id == unit.pk
        and Role.CLERK in roles_of(user)
    )


def documents_visible_to(user: Any) -> QuerySet[Document]:
    """The documents *user* may read (see the module docstring)."""
    if not _is_official(user):
        return Document.objects.none()
    if user.is_superuser and user.unit_id is None:
        return Document.objects.all()
    mine = Assignment.objects.filter(user=user).values("document_id")
    assigned = Assignment.objects.filter(Q(user=user) | Q(unit_id=user.unit_id)).values(
        "document_id"
    )
    ordinary = Q(unit__in=units_visible_to(user)) | Q(pk__in=assigned)
    secret = Q(pk__in=mine) | Q(drafted_by=user) | Q(signer=user)
    leader_path = _leader_path(user)
    if leader_path is not None:
        secret |= Q(unit__path__startswith=leader_path)
    if Role.CLERK in roles_of(user):
        secret |= Q(unit_id=user.unit_id)
    return Document.objects.filter(
        (Q(secrecy=Secrecy.NONE) & ordinary) | (~Q(secrecy=Secrecy.NONE) & secret)
    )


def get_document_for_user(user: Any, pk: int | str) -> Document:
    """The document *pk* if *user* may see it; ``Http404`` whether missing or forbidden."""
    try:
        return documents_visible_to(user).select_related(*LIST_RELATED, "signer").get(pk=int(pk))
    except (Document.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


def current_file(document: Document) -> DocumentFile | None:
    """The current version of the document itself (not an annex or a result), or ``None``."""
    return (
        document.files.filter(is_current=True, kind__in=MAIN_FILE_KINDS)
        .order_by("-uploaded_at", "-pk")
        .first()
    )


# --- Who may act --------------------------------------------------------------------------------


def open_assignments(document: Document) -> QuerySet[Assignment]:
    return document.assignments.filter(completed_at__isnull=True)


def _assignment_of(user: Any) -> Q:
    """Assignments that name *user*, or their unit (never for a secret document's unit)."""
    return Q(user=user) | Q(unit_id=user.unit_id, user__isnull=True)


def assignment_for(user: Any, document: Document) -> Assignment | None:
    """The open assignment through which *user* handles *document* (their own before their
    unit's, the lead before the others), or ``None``."""
    if not _is_official(user):
        return None
    condition = Q(user=user)
    if document.secrecy == Secrecy.NONE:
        condition = _assignment_of(user)
    found = list(open_assignments(document).filter(condition))
    found.sort(key=lambda a: (a.user_id != user.pk, a.role != Assignment.Role.LEAD, a.pk))
    return found[0] if found else None


def handles(user: Any, document: Document) -> bool:
    """Whether *user* is assigned to *document* (by name, or through their unit)."""
    return assignment_for(user, document) is not None


def leads(user: Any, document: Document) -> bool:
    """Whether *user* is the lead handler (chủ trì), or a leader of the document's unit."""
    if supervises(user, document.unit):
        return True
    assignment = assignment_for(user, document)
    return assignment is not None and assignment.role == Assignment.Role.LEAD


def can_act(user: Any, document: Document, action: str) -> bool:
    """Whether *user* may take *action* on *document* now (role, unit, assignment; the state
    is checked by the services)."""
    move = TRANSITIONS[action]
    if not _is_official(user) or move.direction != document.direction:
        return False
    if not roles_of(user) & move.roles:
        return False
    if action in HANDLING_ACTIONS:
        return supervises(user, document.unit) or handles(user, document)
    if action == "assign":
        return supervises(user, document.unit)
    return user.unit_id == document.unit_id or supervises(user, document.unit)


def allowed_incoming_actions(user: Any, document: Document) -> list[str]:
    """The incoming actions *user* may take on *document* in its current state."""
    return [
        name
        for name, move in TRANSITIONS.items()
        if move.direction == Direction.INCOMING
        and document.status in move.sources
        and can_act(user, document, name)
        and (name != "complete" or leads(user, document))
    ]


# --- Queues ----------------------------------------------------------------------------------


def arrivals_for(user: Any) -> QuerySet[Delivery]:
    """Documents sent to *user*'s unit through the platform and waiting to be registered:
    for its clerks and leaders."""
    if not _is_official(user) or user.unit_id is None:
        return Delivery.objects.none()
    if not roles_of(user) & {Role.CLERK, Role.UNIT_LEADER}:
        return Delivery.objects.none()
    return (
        Delivery.objects.filter(
            recipient_unit_id=user.unit_id,
            status__in=ARRIVAL_STATUSES,
            business_type__in=ARRIVAL_BUSINESS_TYPES,
        )
        .select_related("document", "document__unit", "document__document_type")
        .order_by("sent_at", "pk")
    )


def get_arrival_for_user(user: Any, pk: int | str) -> Delivery:
    """A delivery of *user*'s arrival queue; ``Http404`` otherwise."""
    try:
        return arrivals_for(user).get(pk=int(pk))
    except (Delivery.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


def incoming_visible_to(user: Any) -> QuerySet[Document]:
    return documents_visible_to(user).filter(direction=Direction.INCOMING)


def waiting_assignment(user: Any) -> QuerySet[Document]:
    """Registered incoming documents waiting for a leader to assign them."""
    return incoming_visible_to(user).filter(status=Status.REGISTERED)


def assigned_to(user: Any) -> QuerySet[Document]:
    """Open incoming documents *user* handles, by name or through their unit."""
    if not _is_official(user):
        return Document.objects.none()
    mine = Assignment.objects.filter(
        Q(user=user) | Q(unit_id=user.unit_id, user__isnull=True, document__secrecy=Secrecy.NONE),
        completed_at__isnull=True,
    ).values("document_id")
    return incoming_visible_to(user).filter(
        status__in=(Status.ASSIGNED, Status.IN_PROGRESS), pk__in=mine
    )


def late(documents: QuerySet[Document], *, today: dt.date) -> QuerySet[Document]:
    """Open incoming documents past their due date."""
    return documents.filter(
        direction=Direction.INCOMING, status__in=INCOMING_OPEN, due_on__lt=today
    )


def due_soon(
    documents: QuerySet[Document], *, today: dt.date, until: dt.date
) -> QuerySet[Document]:
    """Open incoming documents due from *today* to *until* (both included)."""
    return documents.filter(
        direction=Direction.INCOMING,
        status__in=INCOMING_OPEN,
        due_on__gte=today,
        due_on__lte=until,
    )


# --- Search ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentFilters:
    """What a list of documents is narrowed to; empty values do not filter."""

    direction: str = ""
    status: str = ""
    unit: Unit | None = None  # the unit and the units below it
    document_type: str = ""  # DocumentType.code
    number: int | None = None
    notation: str = ""  # "QĐ-UBND", or a whole reference "15/QĐ-UBND"
    sender: str = ""
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    arrived_from: dt.datetime | None = None
    arrived_to: dt.datetime | None = None  # excluded
    q: str = ""


def text_search(
    documents: QuerySet[Document], query: str, *, indexed: bool = True
) -> QuerySet[Document]:
    """Documents whose number, notation, subject, sender, signer or PDF text hold every word
    of *query*, ignoring case and diacritics.

    One ``LIKE '%word%'`` per word on the folded ``search_text`` column, on every database; on
    PostgreSQL its trigram GIN index (migration 0002) answers these without reading the table.
    With *indexed* false the same test is written so that no index can serve it
    (``strpos``): for a few rows already chosen, which the index would only get in the way of.
    """
    words = fold(nfc(query or "")).split()
    return documents.filter(_holding(words, indexed=indexed)) if words else documents


def _holding(texts: list[str], *, indexed: bool) -> Q:
    """The search text holds every one of the folded *texts*.

    Through the index, a word with marks inside (``kh-syt``) is looked for joined first
    (``LIKE '%khsyt%'``), then tested as it is: every search text holding the word holds it
    joined (``core.text.with_joined_words``), so this finds the same documents. The trigram
    index splits ``kh-syt`` at its mark into ``kh`` and ``syt``, whose runs of three characters
    half the register holds; ``khs`` and ``hsy`` mostly come from that notation alone."""
    if not indexed:
        return _positions(texts)
    conditions, marked = [], []
    for text in texts:
        form = joined(text) if " " not in text else None
        if form is not None and trigrams(form):
            conditions.append(Q(search_text__contains=form))
            marked.append(text)
        else:
            conditions.append(Q(search_text__contains=text))
    if marked:
        conditions.append(_positions(marked))
    return functools.reduce(operator.and_, conditions)


def _positions(texts: list[str]) -> Q:
    """The search text holds every one of *texts*, tested so that no index serves it: one
    test per text, as the ORM writes it (below); the texts go as parameters."""
    sql, params, at = _position_test()
    values = [
        text if index == at else value for text in texts for index, value in enumerate(params)
    ]
    tests = " AND ".join([sql] * len(texts))
    return Q(RawSQL(f"({tests})", values, BooleanField()))  # noqa: S611


@functools.cache
def _position_test() -> tuple[str, tuple[Any, ...], int]:
    """``strpos(search_text, %s) > 0`` as this database writes it (``instr`` on SQLite), its
    parameters, and the place of the searched text among them. Written once per process: the
    window tests every word of every search this way, and building the expression for each
    word took about a tenth of the time a search spends in Python."""
    query = Query(Document)
    placeholder = "\x00"
    test: Any = GreaterThan(StrIndex("search_text", Value(placeholder)), 0)
    sql, params = test.resolve_expression(query).as_sql(
        query.get_compiler(connection=connection), connection
    )
    return sql, tuple(params), list(params).index(placeholder)


def filter_documents(documents: QuerySet[Document], filters: DocumentFilters) -> QuerySet[Document]:
    reference = _query_reference(documents, filters)
    if reference is not None:
        return reference
    return _text_filters(_exact_filters(documents, filters), filters)


def _exact_filters(documents: QuerySet[Document], filters: DocumentFilters) -> QuerySet[Document]:
    """Every filter but the words: each served by a column's own index."""
    if filters.direction:
        documents = documents.filter(direction=filters.direction)
    if filters.status:
        documents = documents.filter(status=filters.status)
    if filters.unit is not None:
        documents = documents.filter(unit__path__startswith=filters.unit.path)
    if filters.document_type:
        documents = documents.filter(document_type__code=filters.document_type)
    number, notation = filters.number, nfc(filters.notation or "").strip()
    reference = parse_reference(notation) if notation else None
    if reference is not None:
        number, notation = reference
    if number is not None:
        documents = documents.filter(number=number)
    if notation:
        documents = documents.filter(notation__iexact=notation.replace(" ", "").upper())
    if filters.issued_from:
        documents = documents.filter(issued_on__gte=filters.issued_from)
    if filters.issued_to:
        documents = documents.filter(issued_on__lte=filters.issued_to)
    if filters.arrived_from:
        documents = documents.filter(arrived_at__gte=filters.arrived_from)
    if filters.arrived_to:
        documents = documents.filter(arrived_at__lt=filters.arrived_to)
    return documents


def _text_conditions(filters: DocumentFilters, *, indexed: bool = True) -> list[Q]:
    """The sender and the words of ``q``, matched in the folded search text."""
    texts = _searched_texts(filters)
    if not texts:
        return []
    conditions = [_holding(texts, indexed=indexed)]
    if fold(nfc(filters.sender or "")):
        # The sender's own column too (the folded phrase may be elsewhere in the text).
        conditions += search_conditions(filters.sender, ["sender_name"])
    return conditions


def _searched_texts(filters: DocumentFilters) -> list[str]:
    """The folded texts :func:`_text_conditions` looks for in the search text."""
    sender = fold(nfc(filters.sender or ""))
    return ([sender] if sender else []) + fold(nfc(filters.q or "")).split()


def _text_filters(
    documents: QuerySet[Document], filters: DocumentFilters, *, indexed: bool = True
) -> QuerySet[Document]:
    for condition in _text_conditions(filters, indexed=indexed):
        documents = documents.filter(condition)
    return documents


def _query_reference(
    documents: QuerySet[Document], filters: DocumentFilters
) -> QuerySet[Document] | None:
    """A query that is a whole reference (``15/QĐ-UBND``) finds that number and notation
    exactly, through their index, not ``115/QĐ-UBND`` as well; ``None`` when the query is no
    reference or no document has it (a partial notation, say: then it is searched as words)."""
    query = filters.q or ""
    reference = parse_reference(query) if "-" in query else None
    if reference is None:
        return None
    exact = _text_filters(_exact_filters(documents, filters), replace(filters, q="")).filter(
        number=reference[0], notation__iexact=reference[1].upper()
    )
    return exact if exact.exists() else None


#: Newest documents in which a search looks for its page first, and at most.
SEARCH_WINDOW = 1000
SEARCH_WINDOW_MAX = 5000


@dataclass(frozen=True)
class SearchPage:
    """One page of a search: its documents' keys in order, how many match, whether that is
    exact. :func:`listed_documents` reads the documents."""

    keys: Sequence[int]
    count: int
    count_exact: bool


@dataclass(frozen=True)
class WindowedSearch:
    """A search by words, newest first, paged by looking among the newest documents that
    pass the other filters first.

    Those newest matches are the first matches overall (any other match is older than all of
    them), so when they fill the page asked for, the page comes from a few thousand rows read
    in index order rather than from every match of common words. The window starts at
    :data:`SEARCH_WINDOW` documents and grows as the share of matches found says the page
    needs, up to :data:`SEARCH_WINDOW_MAX`; when even that would not fill the page, the words
    are rare and every match is gathered through the trigram index instead. A process's sample
    of the register (``search_sample``) often tells that before any window is read.

    Each text test reads long texts (the PDFs' words), so each set of rows is tested once: a
    window gives the ordered keys of its matches (their number is the count), and the rare
    words' statement counts its matches as it pages them."""

    filters: DocumentFilters
    #: The documents passing the other filters, in the search's order.
    candidates: QuerySet[Document]
    order: tuple[str, ...]

    def window(self, size: int) -> tuple[list[int], bool]:
        """The keys of the matches among the *size* newest candidates, in order, and whether
        those are all the candidates.

        One walk down the newest-first index: each of the *size* + 1 newest candidates comes
        with whether it matches, its text tested where the row is read (a match found through
        the trigram index, or the window's keys matched again by primary key, would read each
        row twice). The one row past the window only tells that there are more."""
        conditions = _text_conditions(self.filters, indexed=False)
        matches = ExpressionWrapper(
            functools.reduce(operator.and_, conditions), output_field=BooleanField()
        )
        rows = list(self.candidates.annotate(hit=matches).values_list("pk", "hit")[: size + 1])
        return [pk for pk, hit in rows[:size] if hit], len(rows) <= size

    def everything(self) -> QuerySet[Document]:
        """Every match. Reached when the words are rare: ``NULLS LAST`` (no document lacks a
        creation time) keeps PostgreSQL from walking the newest-first index through the whole
        table looking for them, and has it gather the few matches from the trigram index."""
        order = [F(name.lstrip("-")).desc(nulls_last=True) for name in self.order]
        return _text_filters(self.candidates, self.filters).order_by(*order)

    def page(self, offset: int, limit: int) -> SearchPage:
        """The documents *offset* to *offset* + *limit* and the number of matches."""
        need = offset + limit
        if self._rare_in_sample(need):
            return self._rare_page(offset, limit)
        size = SEARCH_WINDOW
        while True:
            keys, complete = self.window(size)
            if complete or len(keys) >= need:
                return SearchPage(keys[offset:need], len(keys), complete)
            if _too_rare(len(keys) / size, need) or size >= SEARCH_WINDOW_MAX:
                return self._rare_page(offset, limit)
            size = min(SEARCH_WINDOW_MAX, math.ceil(1.5 * need * size / len(keys)))

    def _rare_in_sample(self, need: int) -> bool:
        """Whether the sample of the register (``search_sample``) already says what the
        windows would find: a share of matches too small for any window."""
        share = text_sample().share_at_most(_searched_texts(self.filters))
        return share is not None and _too_rare(share, need)

    def _rare_page(self, offset: int, limit: int) -> SearchPage:
        """A page of :meth:`everything`, counted in the same statement (few matches), which
        reads only the keys."""
        matches = self.everything().annotate(matches_total=Window(Count("pk")))
        rows = list(matches.values_list("pk", "matches_total")[offset : offset + limit])
        if not rows:
            return SearchPage([], self.everything().count() if offset else 0, True)
        return SearchPage([pk for pk, _total in rows], rows[0][1], True)


def _too_rare(share: float, need: int) -> bool:
    """Whether matches found in *share* of the candidates are too rare for the largest window
    to fill *need* documents with a margin: a larger window that still falls short costs more
    than gathering the rare matches through the trigram index."""
    return 2 * share * SEARCH_WINDOW_MAX < 3 * need


def search_documents(
    documents: QuerySet[Document], filters: DocumentFilters, *, order: tuple[str, ...]
) -> QuerySet[Document] | WindowedSearch:
    """:func:`filter_documents` in *order* (descending fields); a :class:`WindowedSearch` when
    words or a sender are searched (a whole reference excepted)."""
    reference = _query_reference(documents, filters)
    if reference is not None:
        return reference.order_by(*order)
    candidates = _exact_filters(documents, filters).order_by(*order)
    # Words that fold to nothing (a lone accent) narrow nothing: a plain list.
    if not _searched_texts(filters):
        return candidates
    return WindowedSearch(filters=filters, candidates=candidates, order=order)


# A list page of the API shows twenty documents (up to two hundred) with the names of their
# unit, type and sending unit. They are read by key in one statement written once here, as plain
# rows: built by the ORM at every request, with the model instances it fills, the same read
# cost several times what the database spends answering it.

#: The document's own columns a list shows, under their own names.
LISTED_FIELDS = (
    "id",
    "direction",
    "status",
    "number",
    "notation",
    "year",
    "issued_on",
    "arrival_number",
    "arrived_at",
    "sender_name",
    "subject",
    "signer_name",
    "signer_title",
    "urgency",
    "due_on",
    "page_count",
    "created_at",
    "completed_at",
)
#: Every column a list shows, as (name in the row, table alias, model, field).
_LISTED_COLUMNS: tuple[tuple[str, str, type[Any], str], ...] = (
    *((name, "d", Document, name) for name in LISTED_FIELDS),
    ("unit_code", "u", Unit, "code"),
    ("unit_agency_code", "u", Unit, "agency_code"),
    ("unit_name", "u", Unit, "name"),
    ("type_code", "t", DocumentType, "code"),
    ("type_name", "t", DocumentType, "name"),
    ("type_abbreviation", "t", DocumentType, "abbreviation"),
    ("sender_unit_code", "s", Unit, "code"),
    ("sender_unit_agency_code", "s", Unit, "agency_code"),
    ("sender_unit_name", "s", Unit, "name"),
)


_LISTED_SQL = (
    "SELECT {columns} FROM {documents} d "
    "JOIN {units} u ON u.{unit_pk} = d.{unit} "
    "JOIN {types} t ON t.{type_pk} = d.{document_type} "
    "LEFT JOIN {units} s ON s.{unit_pk} = d.{sender_unit} "
    "WHERE d.{document_pk} IN "
)


@dataclass(frozen=True)
class _ListedStatement:
    sql: str  # ends with "IN ", the keys' placeholders to follow
    names: tuple[str, ...]  # of the columns, in order
    #: Per column, the conversions the ORM applies to what the database returns (dates and
    #: times kept as text by SQLite, say), each with the expression it expects.
    converters: tuple[tuple[tuple[Any, Any], ...], ...]


@functools.cache
def _listed_statement() -> _ListedStatement:
    columns, converters = [], []
    for name, alias, model, field_name in _LISTED_COLUMNS:
        columns.append(f"{alias}.{column(model, field_name)} AS {name}")
        field = model._meta.get_field(field_name)
        expression = field.get_col(alias)
        found = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
        converters.append(tuple((converter, expression) for converter in found))
    sql = _LISTED_SQL.format(
        columns=", ".join(columns),
        documents=Document._meta.db_table,
        units=Unit._meta.db_table,
        types=DocumentType._meta.db_table,
        unit_pk=column(Unit, "id"),
        type_pk=column(DocumentType, "id"),
        document_pk=column(Document, "id"),
        unit=column(Document, "unit"),
        document_type=column(Document, "document_type"),
        sender_unit=column(Document, "sender_unit"),
    )
    names = tuple(name for name, *_rest in _LISTED_COLUMNS)
    return _ListedStatement(sql, names, tuple(converters))


def listed_documents(keys: Sequence[int]) -> list[dict[str, Any]]:
    """The documents of *keys*, in that order, as a list shows them: a dictionary per document
    with the names of :data:`_LISTED_COLUMNS` (``sender_unit_*`` are ``None`` for a document
    that came on paper). *keys* are already allowed: nothing is filtered here."""
    if not keys:
        return []
    statement = _listed_statement()
    found: dict[int, dict[str, Any]] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"{statement.sql}({', '.join(['%s'] * len(keys))})", list(keys))
        for values in cursor.fetchall():
            row = {}
            columns = zip(statement.names, values, statement.converters, strict=True)
            for name, value, converters in columns:
                for converter, expression in converters:
                    value = converter(value, expression, connection)
                row[name] = value
            found[row["id"]] = row
    return [found[key] for key in keys if key in found]
