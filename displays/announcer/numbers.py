"""Numbers and letters as words, in Indonesian and English (pure functions).

Indonesian reads numbers with the ``se-`` forms for one: ``sepuluh`` (10), ``sebelas`` (11),
``seratus`` (100), ``seribu`` (1000); ``dua belas`` (12), ``dua puluh tiga`` (23),
``seratus satu`` (101), ``dua ribu dua puluh enam`` (2026). English uses the British
"and" after the hundreds (``one hundred and one``), as taught in Indonesian schools.
"""

from __future__ import annotations

from typing import Final, Literal

Language = Literal["id", "en"]

#: The largest number read as words (anything larger is read digit by digit).
MAX_WORDS: Final = 999_999

ID_UNITS: Final = (
    "nol",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
)
EN_UNITS: Final = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
EN_TENS: Final = (
    "",
    "",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
)


def _check(number: int) -> None:
    if not 0 <= number <= MAX_WORDS:
        raise ValueError(f"number out of range 0..{MAX_WORDS}: {number}")


def _id_below_thousand(number: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(number, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds > 1:
        words += [ID_UNITS[hundreds], "ratus"]
    tens, units = divmod(rest, 10)
    if rest == 10:
        words.append("sepuluh")
    elif rest == 11:
        words.append("sebelas")
    elif tens == 1:
        words += [ID_UNITS[units], "belas"]
    else:
        if tens > 1:
            words += [ID_UNITS[tens], "puluh"]
        if units:
            words.append(ID_UNITS[units])
    return words


def indonesian(number: int) -> str:
    """``number`` (0..999 999) in Indonesian words: 23 → ``"dua puluh tiga"``.

    Raises:
        ValueError: ``number`` is out of range.
    """
    _check(number)
    if number == 0:
        return ID_UNITS[0]
    thousands, rest = divmod(number, 1000)
    words: list[str] = []
    if thousands == 1:
        words.append("seribu")
    elif thousands > 1:
        words += [*_id_below_thousand(thousands), "ribu"]
    words += _id_below_thousand(rest)
    return " ".join(words)


def _en_below_thousand(number: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(number, 100)
    if hundreds:
        words += [EN_UNITS[hundreds], "hundred"]
        if rest:
            words.append("and")
    if rest >= 20:
        tens, units = divmod(rest, 10)
        words.append(EN_TENS[tens] + (f"-{EN_UNITS[units]}" if units else ""))
    elif rest:
        words.append(EN_UNITS[rest])
    return words


def english(number: int) -> str:
    """``number`` (0..999 999) in English words: 23 → ``"twenty-three"``.

    Raises:
        ValueError: ``number`` is out of range.
    """
    _check(number)
    if number == 0:
        return EN_UNITS[0]
    thousands, rest = divmod(number, 1000)
    words: list[str] = []
    if thousands:
        words += [*_en_below_thousand(thousands), "thousand"]
        if 0 < rest < 100:
            words.append("and")
    words += _en_below_thousand(rest)
    return " ".join(words)


def in_words(number: int, language: Language) -> str:
    """``number`` in words of ``language``."""
    return indonesian(number) if language == "id" else english(number)


def digit_by_digit(digits: str, language: Language) -> str:
    """Each digit of ``digits`` as a word: ``"023"`` → ``"nol dua tiga"`` / ``"zero two three"``.

    Raises:
        ValueError: ``digits`` holds something other than ASCII digits.
    """
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(f"not digits: {digits!r}")
    units = ID_UNITS if language == "id" else EN_UNITS
    return " ".join(units[int(d)] for d in digits)


def letters(text: str) -> str:
    """Letters spaced so that a speech engine spells them: ``"BI"`` → ``"B I"``."""
    return " ".join(text.upper())
