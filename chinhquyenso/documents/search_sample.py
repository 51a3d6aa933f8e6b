"""A sample of the documents' search texts, which each process keeps to tell a rare search from a
common one before it searches.

A search by words pages through the newest documents first (``selectors.WindowedSearch``):
cheap when the words are common, wasted when they are rare (a notation, a place named in one
PDF), whose matches are then gathered through the trigram index anyway. The sample tells which
it will be. It holds the folded search texts of about :data:`SAMPLE_SIZE` documents drawn at
random, indexed by their trigrams: for each run of three characters, the set of sampled texts
holding it, as the bits of an integer. A text found in a document holds each of its trigrams, so
the sampled texts holding every trigram of every searched text are at least those that match:
their share is an upper bound, computed in microseconds. When even that share says the newest
documents would not fill the page, the window is skipped.

The sample is read at most once every :data:`SAMPLE_MAX_AGE` seconds per process. Only the way
a search is carried out depends on it, never what it finds.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Max, Min

from chinhquyenso.core.process_copies import ProcessCopies
from chinhquyenso.documents.models import Document

#: Documents drawn for the sample (fewer when the register holds fewer).
SAMPLE_SIZE = 2000
#: Seconds a process keeps its sample.
SAMPLE_MAX_AGE = 600.0
#: Keys looked up per statement (older SQLite builds take at most 999 parameters).
_KEYS_PER_STATEMENT = 900

#: Each process's sample (one entry), renewed by age only.
SAMPLES = ProcessCopies[str, "TextSample"](None, max_age=SAMPLE_MAX_AGE)


def trigrams(text: str) -> set[str]:
    """Every run of three characters of *text*."""
    return {text[i : i + 3] for i in range(len(text) - 2)}


@dataclass(frozen=True)
class TextSample:
    size: int
    #: Per trigram, the sampled texts holding it: bit *i* for the *i*-th text.
    holders: dict[str, int]

    @classmethod
    def of(cls, texts: Sequence[str]) -> TextSample:
        holders: dict[str, bytearray] = {}
        width = (len(texts) + 7) // 8
        for index, text in enumerate(texts):
            byte, bit = index >> 3, 1 << (index & 7)
            for trigram in trigrams(text):
                found = holders.get(trigram)
                if found is None:
                    found = holders[trigram] = bytearray(width)
                found[byte] |= bit
        return cls(len(texts), {t: int.from_bytes(b, "little") for t, b in holders.items()})

    def share_at_most(self, texts: Iterable[str]) -> float | None:
        """At most the share of the sampled documents whose search text holds every one of the
        folded *texts*; ``None`` for an empty sample. Texts shorter than three characters narrow
        nothing."""
        if not self.size:
            return None
        holding = (1 << self.size) - 1
        for text in texts:
            for trigram in trigrams(text):
                holding &= self.holders.get(trigram, 0)
                if not holding:
                    return 0.0
        return holding.bit_count() / self.size


def _read_sample() -> TextSample:
    """:data:`SAMPLE_SIZE` documents drawn at random by key (one look-up each through the
    primary key's index, on every database), their search texts indexed."""
    bounds = Document.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return TextSample(0, {})
    keys = range(bounds["low"], bounds["high"] + 1)
    drawn = list(keys) if len(keys) <= SAMPLE_SIZE else random.sample(keys, SAMPLE_SIZE)
    texts: list[str] = []
    for start in range(0, len(drawn), _KEYS_PER_STATEMENT):
        chunk = drawn[start : start + _KEYS_PER_STATEMENT]
        texts += Document.objects.filter(pk__in=chunk).values_list("search_text", flat=True)
    return TextSample.of(texts)


def text_sample() -> TextSample:
    """This process's sample of the register, read again when it is older than
    :data:`SAMPLE_MAX_AGE` seconds."""
    return SAMPLES.get("register", _read_sample)
