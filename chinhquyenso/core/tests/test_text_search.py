import unicodedata

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from chinhquyenso.core.search import search
from chinhquyenso.core.text import clean_text, fold, joined, nfc, with_joined_words
from chinhquyenso.env import env_bool, env_int
from chinhquyenso.units.models import Unit, UnitKind
from chinhquyenso.units.services import unit_create


def test_nfc_composes_decomposed_vietnamese():
    decomposed = unicodedata.normalize("NFD", "Nghệ An")
    assert decomposed != "Nghệ An"
    assert nfc(decomposed) == "Nghệ An"
    assert clean_text(f"  {decomposed} ") == "Nghệ An"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đường Lê Lợi", "duong le loi"),
        ("Phường Thành Vinh", "phuong thanh vinh"),
        ("Xã  Quỳnh   Lưu", "xa quynh luu"),
        ("ĐỒNG NAI", "dong nai"),
    ],
)
def test_fold_removes_diacritics_and_case(text, folded):
    assert fold(text) == folded


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


def test_env_helpers_fail_loudly(monkeypatch):
    monkeypatch.setenv("CQS_SAMPLE_INT", "mười")
    with pytest.raises(ImproperlyConfigured, match="CQS_SAMPLE_INT"):
        env_int("CQS_SAMPLE_INT", 1, help_text="sample")
    monkeypatch.setenv("CQS_SAMPLE_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="CQS_SAMPLE_BOOL"):
        env_bool("CQS_SAMPLE_BOOL", False, help_text="sample")


def test_env_file_variant_wins(monkeypatch, tmp_path):
    secret = tmp_path / "n"
    secret.write_text("42\n")
    monkeypatch.setenv("CQS_SAMPLE_INT", "1")
    monkeypatch.setenv("CQS_SAMPLE_INT_FILE", str(secret))
    assert env_int("CQS_SAMPLE_INT", 0, help_text="sample") == 42


@pytest.mark.django_db
def test_search_is_diacritic_insensitive(province):
    for name in ["Phường Đông Vĩnh", "Xã Quỳnh Lưu", "Phường Vinh Hưng"]:
        unit_create(parent=province, kind=UnitKind.WARD, name=name, by=None)
    units = Unit.objects.all()

    def names(query):
        return sorted(u.name for u in search(units, query, ["name"]))

    assert names("dong vinh") == ["Phường Đông Vĩnh"]
    assert names("ĐÔNG") == ["Phường Đông Vĩnh"]
    assert names("quynh") == ["Xã Quỳnh Lưu"]
    assert names("vinh") == ["Phường Vinh Hưng", "Phường Đông Vĩnh"]
    # Every word must match; the query itself may carry decomposed diacritics.
    assert names(unicodedata.normalize("NFD", "vinh hưng")) == ["Phường Vinh Hưng"]
    assert names("") == sorted(units.values_list("name", flat=True))
    assert names("hà nội") == []


def test_joined_words_run_letters_and_digits_together() -> None:
    assert joined("152/kh-syt") == "152khsyt"
    assert joined("28/11/2026,") == "28112026"
    assert joined("syt") is None and joined("(syt)") is None and joined("-syt") is None
    text = "152/kh-syt kh-syt ke hoach khsyt"
    assert with_joined_words(text) == f"{text} 152khsyt"
    assert with_joined_words(with_joined_words(text)) == with_joined_words(text)
    assert with_joined_words("ke hoach") == "ke hoach"


@given(
    st.lists(st.text(alphabet="ab1-/.(", min_size=1, max_size=8), min_size=1, max_size=6),
    st.data(),
)
def test_a_text_holding_a_word_holds_that_word_joined(words: list[str], data) -> None:
    """What the documents search relies on: any run of characters inside one word of a text
    that has marks inside is also found, joined, in the text with its joined words."""
    text = " ".join(words)
    word = data.draw(st.sampled_from(words))
    start = data.draw(st.integers(0, len(word) - 1))
    part = word[start : data.draw(st.integers(start + 1, len(word)))]
    form = joined(part)
    if form is not None:
        assert form in with_joined_words(text)
