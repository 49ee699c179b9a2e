from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.codes import (
    BookingCode,
    BookingCodeFormat,
    CodeError,
    CodeErrorReason,
    parse_booking_code,
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("MP2026ABC123", "MP2026ABC123"),
        (" mp2026 abc-123 \n", "MP2026ABC123"),
        ("123456", "123456"),
    ],
)
def test_default_format_normalises_spaces_hyphens_and_case(text: str, code: str) -> None:
    assert parse_booking_code(text) == BookingCode(code)


@pytest.mark.parametrize("text", ["", "ABCDEF", "AB12", "A" * 24 + "1", "MP2026/ABC", "MP 2026ü"])
def test_default_format_refuses_other_text(text: str) -> None:
    with pytest.raises(CodeError) as refused:
        parse_booking_code(text)
    assert refused.value.reason is CodeErrorReason.NOT_A_BOOKING_CODE
    assert refused.value.messages["id"] == "Ini bukan kode booking M-Paspor."


def test_an_office_can_configure_its_own_pattern_with_a_code_group() -> None:
    url_format = BookingCodeFormat(
        pattern=r"HTTPS://MPASPOR\.EXAMPLE/B/(?P<code>[0-9]{10})", remove_characters=""
    )
    assert parse_booking_code("https://mpaspor.example/b/0123456789", url_format).code == (
        "0123456789"
    )
    with pytest.raises(CodeError):
        parse_booking_code("https://mpaspor.example/b/012345678", url_format)


def test_case_can_be_kept() -> None:
    exact = BookingCodeFormat(pattern=r"[a-z]{3}[0-9]{3}", upper_case=False)
    assert parse_booking_code("abc123", exact).code == "abc123"
    with pytest.raises(CodeError):
        parse_booking_code("ABC123", exact)


def test_a_broken_pattern_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="booking code pattern"):
        BookingCodeFormat(pattern="([A-Z")


@given(st.from_regex(r"[A-Z]{0,10}[0-9][A-Z0-9]{5,13}", fullmatch=True))
def test_generated_codes_round_trip_through_lower_case_and_spaces(code: str) -> None:
    typed = " ".join(code[index : index + 4] for index in range(0, len(code), 4)).lower()
    assert parse_booking_code(typed).code == code


@given(st.text(max_size=80))
def test_any_text_is_a_booking_code_or_a_code_error(text: str) -> None:
    try:
        found = parse_booking_code(text)
    except CodeError:
        return
    assert found.code.isascii() and found.code.isalnum() and found.code.upper() == found.code
