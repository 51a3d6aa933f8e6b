"""The English catalogue: complete, compiled, and used by the pages."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.utils import translation

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"


def po_entries(path: Path) -> list[dict[str, str]]:
    """The live entries of a .po file as {msgid, msgid_plural?, msgstr or msgstr[n], flags}."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line[2:]
            elif line.startswith("#"):
                continue
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
            else:
                key, _space, literal = line.partition(" ")
                entry[key] = ast.literal_eval(literal)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def test_every_string_is_translated_and_compiled():
    entries = po_entries(CATALOGUE / "django.po")
    assert len(entries) > 100
    with (CATALOGUE / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    missing, stale = [], []
    for entry in entries:
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry:
            translations = [entry["msgstr[0]"], entry["msgstr[1]"]]
            in_mo = [compiled.ngettext(msgid, entry["msgid_plural"], n) for n in (1, 2)]
        else:
            translations = [entry["msgstr"]]
            in_mo = [compiled.gettext(msgid)]
        if "fuzzy" in entry["flags"] or not all(translations):
            missing.append(entry["msgid"])
        elif in_mo != translations:
            stale.append(entry["msgid"])
    assert not missing, f"untranslated in django.po: {missing}"
    assert not stale, f"django.mo is older than django.po, run compilemessages: {stale}"


@pytest.mark.parametrize(
    ("vietnamese", "english"),
    [
        ("Thông tin đăng nhập không đúng.", "The login details are not correct."),
        ("Bỏ qua, đến nội dung chính", "Skip to main content"),
        ("Chuyên viên", "Specialist"),
    ],
)
def test_english_is_served_from_the_catalogue(vietnamese, english):
    with translation.override("en"):
        assert translation.gettext(vietnamese) == english
    with translation.override("vi"):
        assert translation.gettext(vietnamese) == vietnamese


def test_django_s_own_messages_a_user_sees_are_vietnamese():
    """Django's Vietnamese catalogue leaves some form errors in English; ours fills them."""
    entries = po_entries(CATALOGUE.parent.parent / "vi" / "LC_MESSAGES" / "django.po")
    assert entries and all(entry["msgstr"] for entry in entries)
    field = forms.CharField()
    with translation.override("vi"):
        for entry in entries:
            assert translation.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]
        with pytest.raises(forms.ValidationError, match="Không được chứa ký tự NUL"):
            field.clean("an\x00")
    english = translation.override("en")
    with english, pytest.raises(forms.ValidationError, match="Null characters are not allowed"):
        field.clean("an\x00")
