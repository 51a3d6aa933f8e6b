"""The documents' search text holds each word of their PDF once (``services.with_pdf_words``).

The text of a PDF was kept whole, folded, after the document's own fields; it now keeps each of
its words once. Existing texts are rewritten from what they hold: the folded PDF text is the end
of the search text, and what comes before it is the fields. A text that does not end that way
is left as it is (every search still finds it; it is only longer).
"""

from django.db import migrations

from chinhquyenso.core.text import fold
from chinhquyenso.documents.migrations._search_texts import rewrite_search_texts
from chinhquyenso.documents.services import with_pdf_words


def pdf_words_once(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    documents = Document.objects.exclude(full_text="").only("pk", "search_text", "full_text")
    rewrite_search_texts(schema_editor, documents, _words_once)


def _words_once(document) -> str | None:
    pdf = fold(document.full_text)
    if not pdf or not document.search_text.endswith(pdf):
        return None
    return with_pdf_words(document.search_text[: -len(pdf)].strip(), document.full_text)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0004_document_search_indexes"),
    ]

    operations = [
        migrations.RunPython(pdf_words_once, migrations.RunPython.noop),
    ]
