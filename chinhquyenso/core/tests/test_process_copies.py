"""Copies a process keeps: renewed when their token changes or when they are old; copies
without a token by age alone, without asking the cache."""

from __future__ import annotations

import pytest

from chinhquyenso.core import process_copies
from chinhquyenso.core.process_copies import ProcessCopies


def test_a_copy_is_kept_until_its_token_changes_or_it_is_old(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [100.0]
    monkeypatch.setattr(process_copies, "monotonic", lambda: clock[0])
    copies = ProcessCopies[str, int]("tests:copies-token", max_age=60.0)
    reads = iter(range(1, 10))
    assert copies.get("a", lambda: next(reads)) == 1
    assert copies.get("a", lambda: next(reads)) == 1
    copies.changed()
    assert copies.get("a", lambda: next(reads)) == 2
    clock[0] += 61
    assert copies.get("a", lambda: next(reads)) == 3


def test_copies_without_a_token_are_renewed_by_age_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [100.0]
    monkeypatch.setattr(process_copies, "monotonic", lambda: clock[0])

    class NoCache:
        def get(self, key: str) -> None:
            raise AssertionError("a copy without a token looked in the cache")

    monkeypatch.setattr(process_copies, "cache", NoCache())
    copies = ProcessCopies[str, int](None, max_age=60.0)
    reads = iter(range(1, 10))
    assert copies.get("a", lambda: next(reads)) == 1
    clock[0] += 59
    assert copies.get("a", lambda: next(reads)) == 1
    clock[0] += 2
    assert copies.get("a", lambda: next(reads)) == 2
    with pytest.raises(TypeError):
        copies.changed()
    with pytest.raises(TypeError):
        copies.changed_on_commit()
