"""Indexes for finding documents among hundreds of thousands (bench/document_run.sh).

1. ``document_number_notation`` on ``(number, upper(notation))``: the ``number`` and
   ``notation`` filters (``notation__iexact`` compares ``UPPER(notation)``) read a handful of
   rows instead of the whole table (500,000 documents: 220 ms → 0.5 ms).
2. ``document_newest`` on ``(created_at DESC, id DESC)``: lists are newest first; without a
   unit filter (the API, a leader of the province) the database walks this index and stops at
   the page instead of sorting every matching row.

Plain SQL (``IF NOT EXISTS``, valid on PostgreSQL and SQLite), like the trigram index of 0002:
the model's state does not change, so ``makemigrations`` has nothing to add.
"""

from django.db import migrations

INDEXES = {
    "document_number_notation": "(number, upper(notation))",
    "document_newest": "(created_at DESC, id DESC)",
}


def create_indexes(apps, schema_editor):
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON documents_document {columns}")


def drop_indexes(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0003_document_recipient_units"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
