"""The documents' search text also holds its words with marks inside run together
(``core.text.with_joined_words``: ``152/kh-syt`` → ``152khsyt``).

A search for such a word now looks for it joined first (``selectors._holding``), so every
existing text is given its joined words, or the search would miss it.
"""

from django.db import migrations

from chinhquyenso.core.text import with_joined_words
from chinhquyenso.documents.migrations._search_texts import rewrite_search_texts


def add_joined_words(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    documents = Document.objects.only("pk", "search_text")
    rewrite_search_texts(schema_editor, documents, lambda d: with_joined_words(d.search_text))


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0005_search_text_pdf_words_once"),
    ]

    operations = [
        migrations.RunPython(add_joined_words, migrations.RunPython.noop),
    ]
