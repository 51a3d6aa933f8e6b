"""Rewriting the documents' search texts in a data migration (a module the migration loader
skips: its name starts with an underscore)."""

from collections.abc import Callable
from typing import Any

BATCH = 500


def rewrite_search_texts(
    schema_editor: Any, documents: Any, new_text: Callable[[Any], str | None]
) -> None:
    """Give each of *documents* (a historical model's queryset, with ``search_text``) the text
    *new_text* makes of it, where that differs; ``None`` leaves it as it is. One ``UPDATE`` per
    changed row, sent a batch at a time: Django's ``bulk_update`` writes a ``CASE`` over the
    whole batch that takes longer to build than the database takes to run it."""
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    meta = documents.model._meta
    update = "UPDATE {} SET {} = %s WHERE {} = %s".format(
        quote(meta.db_table), quote(meta.get_field("search_text").column), quote(meta.pk.column)
    )
    # A batch at a time by key: SQLite does not keep a read apart from the writes made on the
    # same connection while it runs.
    ordered = documents.order_by("pk")
    last = None
    with connection.cursor() as cursor:
        while True:
            batch = list((ordered if last is None else ordered.filter(pk__gt=last))[:BATCH])
            if not batch:
                return
            last = batch[-1].pk
            changed = [
                (text, document.pk)
                for document in batch
                if (text := new_text(document)) is not None and text != document.search_text
            ]
            if changed:
                cursor.executemany(update, changed)
