"""``Report.public_search_text``: the folded public text searched by the public pages.

Adds the column, fills it for the reports already published (same folding as
``report_publish``: :func:`core.search.searchable_text`), and on PostgreSQL enables ``pg_trgm``
and indexes the column of the published rows with a trigram GIN index, so a search for
``LIKE '%word%'`` reads only the matching rows. SQLite gets the column only (no index).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from chinhquyenso.core.search import searchable_text

BATCH = 2000
INDEX = "report_public_search_trgm"


def fill_public_search_text(apps, schema_editor):
    Report = apps.get_model("feedback", "Report")
    published = (
        Report.objects.using(schema_editor.connection.alias)
        .filter(is_published=True)
        .select_related("category", "category__parent", "commune")
        .only(
            "public_text",
            "public_answer",
            "category__name",
            "category__parent__name",
            "commune__name",
        )
        .order_by("pk")
    )
    last = 0
    while True:
        batch = list(published.filter(pk__gt=last)[:BATCH])
        if not batch:
            break
        for report in batch:
            parent = report.category.parent
            report.public_search_text = searchable_text(
                report.public_text,
                report.public_answer,
                report.category.name,
                parent.name if parent else "",
                report.commune.name,
            )
        Report.objects.using(schema_editor.connection.alias).bulk_update(
            batch, ["public_search_text"]
        )
        last = batch[-1].pk


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON feedback_report "
        "USING gin (public_search_text gin_trgm_ops) WHERE is_published"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="public_search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_public_search_text, migrations.RunPython.noop),
        TrigramExtension(),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
