from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.codes import (
    BookingCode,
    BookingCodeFormat,
    CodeErrorReason,
    CodeKind,
    Nik,
    TicketLink,
    TokenClaims,
    TokenKind,
    classify,
    sign_token,
)

KEY = b"s" * 32
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
CLAIMS = TokenClaims(TokenKind.TICKET, "kanim-jaksel", "A-017", NOW, NOW + dt.timedelta(hours=1))


def test_a_signed_token_is_recognised_and_verified_when_a_key_is_given() -> None:
    token = sign_token(CLAIMS, KEY)
    unverified = classify(token)
    assert (unverified.kind, unverified.value, unverified.problem) == (
        CodeKind.SIGNED_TOKEN,
        None,
        None,
    )
    verified = classify(token, token_key=KEY, now=NOW)
    assert verified.value == CLAIMS and verified.problem is None


def test_a_forged_token_is_classified_with_its_problem() -> None:
    found = classify(sign_token(CLAIMS, b"f" * 32), token_key=KEY, now=NOW)
    assert found.kind is CodeKind.SIGNED_TOKEN and found.value is None
    assert found.problem is not None and found.problem.reason is CodeErrorReason.BAD_SIGNATURE


def test_a_ticket_link() -> None:
    found = classify("https://antre.example/t/abcdefghijklmnopqrstuvwx")
    assert found.kind is CodeKind.TICKET_LINK
    assert found.value == TicketLink("abcdefghijklmnopqrstuvwx")


def test_a_broken_link_is_still_a_ticket_link_with_a_problem() -> None:
    found = classify("https://example.com/whatever")
    assert found.kind is CodeKind.TICKET_LINK and found.problem is not None


def test_a_nik_is_masked_in_the_display() -> None:
    found = classify("3174011701900123", now=NOW)
    assert found.kind is CodeKind.NIK and isinstance(found.value, Nik)
    assert found.display == "************0123"
    invalid = classify("3174011701900000", now=NOW)
    assert invalid.kind is CodeKind.NIK and invalid.problem is not None
    assert "3174011701900000" not in repr(invalid)


def test_booking_codes_follow_the_configured_format() -> None:
    assert classify("mp-2026-abc123").value == BookingCode("MP2026ABC123")
    numeric = BookingCodeFormat(pattern=r"[0-9]{8}")
    assert classify("12345678", booking_format=numeric).kind is CodeKind.BOOKING_CODE
    assert classify("MP2026ABC123", booking_format=numeric).kind is CodeKind.UNKNOWN


@pytest.mark.parametrize("text", ["", "hello world", "ABCDEF", "\x00\x1b[2J"])
def test_anything_else_is_unknown(text: str) -> None:
    found = classify(text)
    assert found.kind is CodeKind.UNKNOWN and found.value is None
    assert found.display.isprintable()


def test_the_display_is_bounded() -> None:
    assert len(classify("x" * 10_000).display) <= 80


@given(st.text(max_size=120), st.sampled_from([None, KEY]))
def test_classify_never_raises(text: str, key: bytes | None) -> None:
    found = classify(text, token_key=key, now=NOW)
    assert found.display.isprintable() and len(found.display) <= 80
    if found.kind is CodeKind.NIK:
        assert text.strip() not in found.display


@given(st.from_regex(r"AT1\.[A-Za-z0-9_-]{0,60}\.[A-Za-z0-9_=-]{0,60}", fullmatch=True))
def test_token_shaped_scans_never_verify_by_chance(text: str) -> None:
    found = classify(text, token_key=KEY, now=NOW)
    assert found.kind is CodeKind.SIGNED_TOKEN and found.value is None
