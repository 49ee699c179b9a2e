"""Antre's own signed QR tokens (tickets, bookings from remote registration, officer badges).

Format (URL-safe, compact enough for a small QR code)::

    AT1.<payload>.<signature>

``payload`` is unpadded base64url of ``kind|office|subject|issued_at|expires_at`` (UTF-8,
times in whole Unix seconds); ``signature`` is unpadded base64url of
HMAC-SHA256(key, ``"AT1." + payload``). The signature is checked (in constant time) before
the payload is decoded, and both parts must be in canonical encoding, so changing any
character of a token makes it invalid.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import StrEnum

from devices.codes.errors import CodeError, CodeErrorReason

PREFIX = "AT1"
MIN_KEY_BYTES = 16
MAX_TOKEN_CHARS = 512
#: A token issued this far in the future (clock skew between server and kiosk) is accepted.
ALLOWED_CLOCK_SKEW_S = 300
_FIELD_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")
_BASE64URL_PATTERN = re.compile(r"[A-Za-z0-9_-]+")


class TokenKind(StrEnum):
    TICKET = "ticket"
    BOOKING = "booking"
    BADGE = "badge"


_KIND_LETTERS: dict[TokenKind, str] = {
    TokenKind.TICKET: "T",
    TokenKind.BOOKING: "B",
    TokenKind.BADGE: "G",
}
_KINDS_BY_LETTER = {letter: kind for kind, letter in _KIND_LETTERS.items()}


@dataclass(frozen=True)
class TokenClaims:
    """What a signed token says.

    Attributes:
        kind: what the token stands for.
        office: the office id it was issued for.
        subject: ticket id, booking reference or badge id (``[A-Za-z0-9._-]{1,64}``).
        issued_at: issue time (UTC, whole seconds).
        expires_at: end of validity (UTC, whole seconds).
    """

    kind: TokenKind
    office: str
    subject: str
    issued_at: dt.datetime
    expires_at: dt.datetime


def sign_token(claims: TokenClaims, key: bytes) -> str:
    """Issue a token for ``claims``.

    Raises:
        ValueError: the key is shorter than 16 bytes, a field has characters outside
            ``[A-Za-z0-9._-]``, a time is naive or the token would expire before it is issued.
    """
    _check_key(key)
    for name in ("office", "subject"):
        if not _FIELD_PATTERN.fullmatch(getattr(claims, name)):
            raise ValueError(f"token {name} must match {_FIELD_PATTERN.pattern}")
    issued_s, expires_s = _epoch_s(claims.issued_at), _epoch_s(claims.expires_at)
    if expires_s <= issued_s:
        raise ValueError("a token must expire after it is issued")
    fields = (_KIND_LETTERS[claims.kind], claims.office, claims.subject, issued_s, expires_s)
    signed_part = f"{PREFIX}.{_encode('|'.join(str(field) for field in fields).encode())}"
    return f"{signed_part}.{_encode(_mac(key, signed_part))}"


def verify_token(text: str, key: bytes, *, now: dt.datetime | None = None) -> TokenClaims:
    """Check a scanned token and return its claims.

    Raises:
        CodeError: ``malformed`` (not a token, truncated, bad encoding), ``bad_signature``
            (forged or altered), ``expired`` or ``not_yet_valid``.
    """
    _check_key(key)
    signed_part, signature = _split(text.strip())
    signature_bytes = _decode(signature)
    if len(signature_bytes) != hashlib.sha256().digest_size:
        raise CodeError(CodeErrorReason.MALFORMED)
    if not hmac.compare_digest(signature_bytes, _mac(key, signed_part)):
        raise CodeError(CodeErrorReason.BAD_SIGNATURE)
    claims = _parse_payload(_decode(signed_part.partition(".")[2]))
    now_s = _epoch_s(now or dt.datetime.now(dt.UTC))
    if now_s >= _epoch_s(claims.expires_at):
        raise CodeError(CodeErrorReason.EXPIRED)
    if _epoch_s(claims.issued_at) > now_s + ALLOWED_CLOCK_SKEW_S:
        raise CodeError(CodeErrorReason.NOT_YET_VALID)
    return claims


def looks_like_token(text: str) -> bool:
    """Whether ``text`` has the shape of a signed token (says nothing about validity)."""
    return text.strip().startswith(PREFIX + ".")


def _split(text: str) -> tuple[str, str]:
    parts = text.split(".")
    if len(text) > MAX_TOKEN_CHARS or len(parts) != 3 or parts[0] != PREFIX:
        raise CodeError(CodeErrorReason.MALFORMED)
    return f"{parts[0]}.{parts[1]}", parts[2]


def _parse_payload(payload: bytes) -> TokenClaims:
    # Only reached with a valid signature, so a failure here means a signing bug or a
    # leaked key; it is still reported as malformed rather than crashing.
    try:
        letter, office, subject, issued_s, expires_s = payload.decode().split("|")
        return TokenClaims(
            _KINDS_BY_LETTER[letter],
            office,
            subject,
            dt.datetime.fromtimestamp(int(issued_s), dt.UTC),
            dt.datetime.fromtimestamp(int(expires_s), dt.UTC),
        )
    except (ValueError, KeyError, OverflowError, OSError) as err:
        raise CodeError(CodeErrorReason.MALFORMED) from err


def _mac(key: bytes, signed_part: str) -> bytes:
    return hmac.new(key, signed_part.encode("ascii"), hashlib.sha256).digest()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    """Strict unpadded base64url: anything that would not re-encode to ``text`` is refused."""
    if not _BASE64URL_PATTERN.fullmatch(text):
        raise CodeError(CodeErrorReason.MALFORMED)
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as err:
        raise CodeError(CodeErrorReason.MALFORMED) from err
    if _encode(data) != text:
        raise CodeError(CodeErrorReason.MALFORMED)
    return data


def _epoch_s(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("token times must be timezone-aware")
    return int(moment.timestamp())


def _check_key(key: bytes) -> None:
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"token keys need at least {MIN_KEY_BYTES} bytes")
