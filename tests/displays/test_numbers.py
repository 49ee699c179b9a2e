"""Numbers read as Indonesians and English speakers read them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from displays.announcer.numbers import (
    EN_TENS,
    EN_UNITS,
    ID_UNITS,
    MAX_WORDS,
    digit_by_digit,
    english,
    indonesian,
    letters,
)

ID_TABLE = [
    (0, "nol"),
    (1, "satu"),
    (9, "sembilan"),
    (10, "sepuluh"),
    (11, "sebelas"),
    (12, "dua belas"),
    (19, "sembilan belas"),
    (20, "dua puluh"),
    (23, "dua puluh tiga"),
    (99, "sembilan puluh sembilan"),
    (100, "seratus"),
    (101, "seratus satu"),
    (110, "seratus sepuluh"),
    (111, "seratus sebelas"),
    (115, "seratus lima belas"),
    (200, "dua ratus"),
    (999, "sembilan ratus sembilan puluh sembilan"),
    (1000, "seribu"),
    (1001, "seribu satu"),
    (1100, "seribu seratus"),
    (2000, "dua ribu"),
    (2026, "dua ribu dua puluh enam"),
    (9999, "sembilan ribu sembilan ratus sembilan puluh sembilan"),
    (11000, "sebelas ribu"),
    (100000, "seratus ribu"),
    (101000, "seratus satu ribu"),
]

EN_TABLE = [
    (0, "zero"),
    (7, "seven"),
    (11, "eleven"),
    (19, "nineteen"),
    (20, "twenty"),
    (23, "twenty-three"),
    (100, "one hundred"),
    (101, "one hundred and one"),
    (999, "nine hundred and ninety-nine"),
    (1000, "one thousand"),
    (1005, "one thousand and five"),
    (2026, "two thousand and twenty-six"),
    (9999, "nine thousand nine hundred and ninety-nine"),
]


@pytest.mark.parametrize(("number", "words"), ID_TABLE)
def test_indonesian_table(number: int, words: str) -> None:
    assert indonesian(number) == words


@pytest.mark.parametrize(("number", "words"), EN_TABLE)
def test_english_table(number: int, words: str) -> None:
    assert english(number) == words


def parse_indonesian(text: str) -> int:
    """An independent reader of Indonesian number words (the inverse of ``indonesian``)."""
    total = group = pending = 0
    for word in text.split():
        if word in ID_UNITS:
            pending = ID_UNITS.index(word)
        elif word in ("sepuluh", "sebelas", "seratus"):
            group += {"sepuluh": 10, "sebelas": 11, "seratus": 100}[word]
        elif word == "belas":
            group, pending = group + pending + 10, 0
        elif word in ("puluh", "ratus"):
            group, pending = group + pending * (10 if word == "puluh" else 100), 0
        elif word == "seribu":
            total += 1000
        elif word == "ribu":
            total, group, pending = total + (group + pending) * 1000, 0, 0
        else:
            raise AssertionError(f"unexpected word {word!r} in {text!r}")
    return total + group + pending


def parse_english(text: str) -> int:
    """An independent reader of English number words (the inverse of ``english``)."""
    total = group = 0
    for word in text.replace("-", " ").split():
        if word in EN_UNITS:
            group += EN_UNITS.index(word)
        elif word in EN_TENS[2:]:
            group += EN_TENS.index(word) * 10
        elif word == "hundred":
            group *= 100
        elif word == "thousand":
            total, group = group * 1000, 0
        elif word != "and":
            raise AssertionError(f"unexpected word {word!r} in {text!r}")
    return total + group


@given(st.integers(min_value=0, max_value=MAX_WORDS))
def test_indonesian_reads_back(number: int) -> None:
    words = indonesian(number)
    assert parse_indonesian(words) == number
    # A lone "satu" before a multiplier is spoken with the se- forms instead (but "delapan
    # ratus satu ribu", 801 000, is right).
    for wrong in ("satu puluh", "satu belas", "satu ratus", "nol"):
        assert number == 0 or wrong not in words
    assert not words.startswith("satu ribu")
    assert "  " not in words and words == words.strip()


@given(st.integers(min_value=0, max_value=MAX_WORDS))
def test_english_reads_back(number: int) -> None:
    words = english(number)
    assert parse_english(words) == number
    assert "and" not in (words.split()[0], words.split()[-1])
    assert number == 0 or "zero" not in words


def test_every_number_up_to_9999_has_its_own_words() -> None:
    assert len({indonesian(n) for n in range(10000)}) == 10000
    assert len({english(n) for n in range(10000)}) == 10000


@pytest.mark.parametrize("number", [-1, MAX_WORDS + 1])
def test_out_of_range_is_refused(number: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        indonesian(number)
    with pytest.raises(ValueError, match="out of range"):
        english(number)


def test_digit_by_digit_and_letters() -> None:
    assert digit_by_digit("023", "id") == "nol dua tiga"
    assert digit_by_digit("1009", "en") == "one zero zero nine"
    assert letters("bi") == "B I"
    with pytest.raises(ValueError, match="not digits"):
        digit_by_digit("2a", "id")
