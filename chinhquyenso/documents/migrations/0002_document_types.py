"""Document types, the signature check kept with each received file, and fast search.

1. The table of document types with their abbreviations (``documents/doctypes.py``: Decree
   30/2020/NĐ-CP, Article 7 and Appendix III; three types of legal documents received from
   above). A công văn has no abbreviation: its notation is the issuer's and the drafting unit's
   abbreviations (``12/UBND-VX``). An administrator edits the table in the admin.
2. ``DocumentFile.verification`` (the signatures found when a file arrived) and the ``result``
   kind of file (what a handler attaches as the outcome of an incoming document).
3. On PostgreSQL, ``pg_trgm`` and a trigram GIN index on ``Document.search_text`` (the folded
   number, notation, subject, sender and PDF text), so ``LIKE '%word%'`` reads only the rows
   that hold the word. SQLite gets no index.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from chinhquyenso.documents.doctypes import DOCUMENT_TYPES, LEGAL_TYPES, load_document_types

INDEX = "document_search_trgm"

def add_types(apps, schema_editor):
    load_document_types(apps.get_model("documents", "DocumentType"))


def remove_types(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    codes = [code for code, _name, _abbreviation in DOCUMENT_TYPES + LEGAL_TYPES]
    DocumentType.objects.using(schema_editor.connection.alias).filter(code__in=codes).delete()


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON documents_document "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="documentfile",
            name="verification",
            field=models.JSONField(
                blank=True, editable=False, null=True, verbose_name="kết quả kiểm tra chữ ký số"
            ),
        ),
        migrations.AlterField(
            model_name="documentfile",
            name="kind",
            field=models.CharField(
                choices=[
                    ("draft", "Dự thảo"),
                    ("signed", "Đã ký"),
                    ("issued", "Bản ban hành"),
                    ("scan", "Bản quét"),
                    ("received", "Bản nhận được"),
                    ("attachment", "Phụ lục, tài liệu kèm theo"),
                    ("result", "Kết quả xử lý"),
                ],
                max_length=12,
                verbose_name="loại",
            ),
        ),
        migrations.RunPython(add_types, remove_types),
        TrigramExtension(),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
