from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.codes import CodeError, CodeErrorReason, Nik, Sex, format_nik, parse_nik
from devices.codes.nik import PROVINCE_CODES

TODAY = dt.date(2026, 12, 2)


def test_a_man_born_in_1990_in_south_jakarta() -> None:
    nik = parse_nik("3174011701900123", today=TODAY)
    assert (nik.province_code, nik.regency_code, nik.district_code) == (31, 74, 1)
    assert nik.date_of_birth == dt.date(1990, 1, 17)
    assert nik.sex is Sex.MALE
    assert nik.serial == 123


def test_women_add_forty_to_the_day_of_birth() -> None:
    nik = parse_nik("3273015708050001", today=TODAY)
    assert nik.sex is Sex.FEMALE
    assert nik.date_of_birth == dt.date(2005, 8, 17)


def test_surrounding_whitespace_is_ignored() -> None:
    assert parse_nik(" 3174011701900123\n", today=TODAY).serial == 123


def test_a_two_digit_year_is_the_latest_one_not_in_the_future() -> None:
    assert parse_nik("3174012512260001", today=TODAY).date_of_birth == dt.date(1926, 12, 25)
    assert parse_nik("3174010112260001", today=TODAY).date_of_birth == dt.date(2026, 12, 1)


def test_the_new_papua_provinces_are_known() -> None:
    for province in (93, 94, 95, 96):
        assert parse_nik(f"{province}01011701900001", today=TODAY).province_code == province
    # 38 provinces since the 2022 Papua split, one code each.
    assert sorted(PROVINCE_CODES) == [
        11,
        12,
        13,
        14,
        15,
        16,
        17,
        18,
        19,
        21,
        31,
        32,
        33,
        34,
        35,
        36,
        51,
        52,
        53,
        61,
        62,
        63,
        64,
        65,
        71,
        72,
        73,
        74,
        75,
        76,
        81,
        82,
        91,
        92,
        93,
        94,
        95,
        96,
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("317401170190012", CodeErrorReason.NIK_FORMAT),
        ("31740117019001234", CodeErrorReason.NIK_FORMAT),
        ("3174O11701900123", CodeErrorReason.NIK_FORMAT),
        ("٣١٧٤٠١١٧٠١٩٠٠١٢٣", CodeErrorReason.NIK_FORMAT),  # Arabic-Indic digits
        ("3174 0117 0190 0123", CodeErrorReason.NIK_FORMAT),
        ("2074011701900123", CodeErrorReason.NIK_REGION),
        ("9774011701900123", CodeErrorReason.NIK_REGION),
        ("3100011701900123", CodeErrorReason.NIK_REGION),
        ("3174001701900123", CodeErrorReason.NIK_REGION),
        ("3174013201900123", CodeErrorReason.NIK_BIRTH_DATE),
        ("3174010001900123", CodeErrorReason.NIK_BIRTH_DATE),
        ("3174014001900123", CodeErrorReason.NIK_BIRTH_DATE),
        ("3174017201900123", CodeErrorReason.NIK_BIRTH_DATE),
        ("3174011713900123", CodeErrorReason.NIK_BIRTH_DATE),
        ("3174012902010123", CodeErrorReason.NIK_BIRTH_DATE),  # 2001 and 1901: no 29 Feb
        ("3174011701900000", CodeErrorReason.NIK_SERIAL),
    ],
)
def test_invalid_niks_are_refused_with_their_reason(text: str, reason: CodeErrorReason) -> None:
    with pytest.raises(CodeError) as refused:
        parse_nik(text, today=TODAY)
    assert refused.value.reason is reason


def test_29_february_of_a_leap_year_is_a_real_birthday() -> None:
    assert parse_nik("3174016902000001", today=TODAY).date_of_birth == dt.date(2000, 2, 29)


def test_the_nik_never_shows_in_repr_str_or_errors() -> None:
    digits = "3174011701900123"
    nik = parse_nik(digits, today=TODAY)
    assert repr(nik) == "Nik(************0123)"
    assert str(nik) == nik.masked == "************0123"
    assert digits not in repr([nik]) and "1990" not in repr(nik)
    with pytest.raises(CodeError) as refused:
        parse_nik("3174011701900000", today=TODAY)
    assert "3174011701900000" not in str(refused.value)
    assert "3174011701900000" not in repr(refused.value)


def test_errors_are_bilingual() -> None:
    with pytest.raises(CodeError) as refused:
        parse_nik("12", today=TODAY)
    assert refused.value.messages == {
        "id": "NIK terdiri dari tepat 16 angka.",
        "en": "A NIK has exactly 16 digits.",
    }


@st.composite
def valid_nik_parts(draw: st.DrawFn) -> tuple[int, int, int, dt.date, Sex, int]:
    return (
        draw(st.sampled_from(sorted(PROVINCE_CODES))),
        draw(st.integers(1, 99)),
        draw(st.integers(1, 99)),
        draw(st.dates(min_value=TODAY.replace(year=TODAY.year - 99), max_value=TODAY)),
        draw(st.sampled_from(Sex)),
        draw(st.integers(1, 9999)),
    )


@given(valid_nik_parts())
def test_generated_valid_niks_round_trip(parts: tuple[int, int, int, dt.date, Sex, int]) -> None:
    digits = format_nik(*parts)
    nik = parse_nik(digits, today=TODAY)
    assert nik == Nik(digits, *parts)


@given(st.text(max_size=40))
def test_any_text_is_a_nik_or_a_code_error(text: str) -> None:
    try:
        nik = parse_nik(text, today=TODAY)
    except CodeError:
        return
    assert nik.digits == text.strip()


@given(st.from_regex(r"[0-9]{16}", fullmatch=True))
def test_any_sixteen_digits_are_a_nik_or_a_code_error(digits: str) -> None:
    try:
        nik = parse_nik(digits, today=TODAY)
    except CodeError as err:
        assert err.reason is not CodeErrorReason.NIK_FORMAT
        return
    assert nik.date_of_birth <= TODAY
    assert (
        format_nik(
            nik.province_code,
            nik.regency_code,
            nik.district_code,
            nik.date_of_birth,
            nik.sex,
            nik.serial,
        )
        == digits
    )
