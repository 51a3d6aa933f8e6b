"""Limit/offset paging whose total stops counting at a bound.

An exact ``count`` of a broad search reads every match: tens of thousands of rows for two
common words in a register of half a million documents, to answer a number nobody pages
through. :class:`BoundedCountPagination` counts at most ``count_bound`` matches beyond the
page asked for; past it the answer says ``count_exact: false`` and ``count`` is a lower bound.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

#: Matches counted exactly before the answer gives a lower bound instead.
COUNT_BOUND = 1000


class BoundedCountPagination(LimitOffsetPagination):
    class Output(Schema):
        items: list[Any]
        count: int = Field(
            description="Số bản ghi khớp. Khi `count_exact` là `false`: có ít nhất chừng ấy "
            "bản ghi (hệ thống không đếm hết một tìm kiếm quá rộng)."
        )
        count_exact: bool = Field(
            description="`true` khi `count` là số chính xác; `false` khi là cận dưới."
        )

    count_bound: int = COUNT_BOUND

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        limit = min(pagination.limit, self.max_limit)
        return bounded_page(queryset, pagination.offset, limit, count_bound=self.count_bound)


def bounded_page(
    queryset: QuerySet[Any], offset: int, limit: int, *, count_bound: int = COUNT_BOUND
) -> dict[str, Any]:
    """The rows *offset* to *offset* + *limit* of *queryset* (``items``, not yet read) with
    ``count`` and ``count_exact``, counted up to *count_bound* matches past the page."""
    bound = max(count_bound, offset + limit)
    # COUNT(*) over a subquery with LIMIT: the database stops at bound + 1 matches.
    counted = queryset.order_by()[: bound + 1].count()
    return {
        "items": queryset[offset : offset + limit],
        "count": min(counted, bound),
        "count_exact": counted <= bound,
    }
