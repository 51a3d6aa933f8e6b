"""Tracking codes and private-link tokens."""

from __future__ import annotations

import re

import pytest

from chinhquyenso.feedback.codes import (
    ALPHABET,
    new_access_token,
    new_tracking_code,
    normalise_tracking_code,
)

CODE_SHAPE = re.compile(r"^PA-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def test_new_codes_have_the_documented_shape_and_fit_the_field() -> None:
    codes = {new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000  # random enough not to repeat in a small sample
    for code in codes:
        assert CODE_SHAPE.match(code), code
        assert len(code) == 12 <= 16
        assert not set(code[3:]) & set("ILOU")


def test_every_new_code_is_accepted_back_unchanged() -> None:
    for _ in range(500):
        code = new_tracking_code()
        assert normalise_tracking_code(code) == code


@pytest.mark.parametrize(
    "typed",
    [
        "pa-7k3q-x9mn",
        "PA7K3QX9MN",
        "  pa 7k3q x9mn ",
        "7K3Q-X9MN",
        "7k3qx9mn",
        "PA.7K3Q.X9MN",
    ],
)
def test_codes_typed_in_other_ways_are_recognised(typed: str) -> None:
    code = normalise_tracking_code("PA-7K3Q-X9MN")
    # The example from the documentation is itself a valid code.
    assert code == "PA-7K3Q-X9MN"
    assert normalise_tracking_code(typed) == code


def test_look_alike_letters_are_read_as_digits() -> None:
    body = "1O0L"  # types O for 0 and L/I for 1
    stored = _valid_code_starting_with("1001")
    typed = stored.replace("1001", body).replace("-", " ").lower()
    assert normalise_tracking_code(typed) == stored
    assert normalise_tracking_code(stored.replace("1001", "I0OI")) == stored


def test_one_wrong_character_is_always_detected() -> None:
    code = new_tracking_code()
    body = code.replace("PA-", "").replace("-", "")
    for position in range(len(body)):
        for replacement in ALPHABET:
            if replacement == body[position]:
                continue
            wrong = body[:position] + replacement + body[position + 1 :]
            assert normalise_tracking_code(wrong) is None, wrong


def test_most_swaps_of_neighbours_are_detected() -> None:
    detected = total = 0
    for _ in range(200):
        body = new_tracking_code().replace("PA-", "").replace("-", "")
        for i in range(len(body) - 1):
            if body[i] == body[i + 1]:
                continue
            swapped = body[:i] + body[i + 1] + body[i] + body[i + 2 :]
            total += 1
            detected += normalise_tracking_code(swapped) is None
    assert detected / total > 0.9


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "PA-",
        "PA-7K3Q-X9M",
        "PA-7K3Q-X9MNX",
        "PA-7K3Q-X9MU",
        "HS-7K3Q-X9MN",
        "PA-7K3Q-X9M2",
        "???",
    ],
)
def test_things_that_are_not_codes_give_none(text: str) -> None:
    assert normalise_tracking_code(text) is None


def test_access_tokens_are_long_url_safe_and_unique() -> None:
    tokens = {new_access_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert 40 <= len(token) <= 64
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token)


def _valid_code_starting_with(prefix: str) -> str:
    for _ in range(100_000):
        code = new_tracking_code()
        candidate = normalise_tracking_code(prefix + code[len("PA-") + len(prefix) :])
        if candidate:
            return candidate
    raise AssertionError("no code found")
