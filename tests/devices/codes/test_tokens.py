from __future__ import annotations

import datetime as dt
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.codes import (
    CodeError,
    CodeErrorReason,
    TokenClaims,
    TokenKind,
    sign_token,
    verify_token,
)
from devices.codes.tokens import ALLOWED_CLOCK_SKEW_S, looks_like_token

KEY = b"k" * 32
ISSUED = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
CLAIMS = TokenClaims(
    TokenKind.BOOKING, "kanim-jaksel", "UP3-2026-0042", ISSUED, ISSUED + dt.timedelta(hours=12)
)
FIELD_CHARS = string.ascii_letters + string.digits + "._-"
TOKEN_CHARS = string.ascii_letters + string.digits + "_-."


def refusal(text: str, key: bytes = KEY, now: dt.datetime = ISSUED) -> CodeErrorReason:
    with pytest.raises(CodeError) as refused:
        verify_token(text, key, now=now)
    return refused.value.reason


def test_a_signed_token_verifies_to_its_claims() -> None:
    token = sign_token(CLAIMS, KEY)
    assert token.startswith("AT1.")
    assert set(token) <= set(TOKEN_CHARS)
    assert verify_token(token, KEY, now=ISSUED + dt.timedelta(hours=1)) == CLAIMS
    assert looks_like_token(token)


def test_a_token_is_compact_enough_for_a_small_qr_code() -> None:
    assert len(sign_token(CLAIMS, KEY)) < 120


def test_another_key_gives_bad_signature() -> None:
    assert refusal(sign_token(CLAIMS, KEY), key=b"x" * 32) is CodeErrorReason.BAD_SIGNATURE


def test_a_forged_payload_gives_bad_signature() -> None:
    prefix, _payload, signature = sign_token(CLAIMS, KEY).split(".")
    forged_claims = TokenClaims(
        TokenKind.BADGE, "kanim-jaksel", "admin", ISSUED, ISSUED + dt.timedelta(days=999)
    )
    forged_payload = sign_token(forged_claims, b"attacker-key-123").split(".")[1]
    assert refusal(f"{prefix}.{forged_payload}.{signature}") is CodeErrorReason.BAD_SIGNATURE


def test_expiry_is_checked() -> None:
    token = sign_token(CLAIMS, KEY)
    assert refusal(token, now=CLAIMS.expires_at) is CodeErrorReason.EXPIRED
    assert verify_token(token, KEY, now=CLAIMS.expires_at - dt.timedelta(seconds=1)) == CLAIMS


def test_a_token_from_the_future_is_not_valid_yet() -> None:
    token = sign_token(CLAIMS, KEY)
    early = ISSUED - dt.timedelta(seconds=ALLOWED_CLOCK_SKEW_S + 1)
    assert refusal(token, now=early) is CodeErrorReason.NOT_YET_VALID
    skewed = ISSUED - dt.timedelta(seconds=ALLOWED_CLOCK_SKEW_S)
    assert verify_token(token, KEY, now=skewed) == CLAIMS


@pytest.mark.parametrize(
    "text",
    ["", "AT1", "AT1.", "AT1..", "AT2.abc.def", "AT1.abc", "AT1.a.b.c", "AT1.ab=.cd", "x" * 600],
)
def test_malformed_tokens(text: str) -> None:
    assert refusal(text) is CodeErrorReason.MALFORMED


def test_every_truncation_is_refused() -> None:
    token = sign_token(CLAIMS, KEY)
    for length in range(len(token)):
        with pytest.raises(CodeError):
            verify_token(token[:length], KEY, now=ISSUED)
    cut_signature = token[:-1]
    assert refusal(cut_signature) is CodeErrorReason.MALFORMED


def test_signing_refuses_what_cannot_be_carried() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        sign_token(CLAIMS, b"short")
    with pytest.raises(ValueError, match="subject"):
        sign_token(TokenClaims(CLAIMS.kind, "o", "a|b", ISSUED, CLAIMS.expires_at), KEY)
    with pytest.raises(ValueError, match="expire"):
        sign_token(TokenClaims(CLAIMS.kind, "o", "s", ISSUED, ISSUED), KEY)
    with pytest.raises(ValueError, match="timezone"):
        sign_token(TokenClaims(CLAIMS.kind, "o", "s", ISSUED.replace(tzinfo=None), ISSUED), KEY)


@st.composite
def claims_strategy(draw: st.DrawFn) -> TokenClaims:
    issued_s = draw(st.integers(0, 4_000_000_000))
    lifetime_s = draw(st.integers(1, 10 * 365 * 86400))
    return TokenClaims(
        draw(st.sampled_from(TokenKind)),
        draw(st.text(FIELD_CHARS, min_size=1, max_size=64)),
        draw(st.text(FIELD_CHARS, min_size=1, max_size=64)),
        dt.datetime.fromtimestamp(issued_s, dt.UTC),
        dt.datetime.fromtimestamp(issued_s + lifetime_s, dt.UTC),
    )


keys = st.binary(min_size=16, max_size=64)


@given(claims_strategy(), keys)
def test_generated_claims_round_trip(claims: TokenClaims, key: bytes) -> None:
    assert verify_token(sign_token(claims, key), key, now=claims.issued_at) == claims


@settings(max_examples=300)
@given(claims_strategy(), keys, st.data())
def test_any_single_character_alteration_is_refused(
    claims: TokenClaims, key: bytes, data: st.DataObject
) -> None:
    token = sign_token(claims, key)
    position = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(st.characters(codec="ascii").filter(lambda c: c != token[position]))
    altered = token[:position] + replacement + token[position + 1 :]
    with pytest.raises(CodeError) as refused:
        verify_token(altered, key, now=claims.issued_at)
    assert refused.value.reason in (CodeErrorReason.MALFORMED, CodeErrorReason.BAD_SIGNATURE)


@given(st.text(max_size=200))
def test_any_text_is_refused_with_a_code_error(text: str) -> None:
    with pytest.raises(CodeError):
        verify_token(text, KEY, now=ISSUED)


@given(st.text(TOKEN_CHARS, max_size=200).map(lambda text: "AT1." + text))
def test_any_token_shaped_text_is_refused_with_a_code_error(text: str) -> None:
    with pytest.raises(CodeError):
        verify_token(text, KEY, now=ISSUED)
