"""The password policy: long enough, not blank, not repetitive, sequential or common.

The common passwords are a short list kept in ``data/common_passwords.json`` (lower
case); a password is refused when it is one of them or the user name, also with digits
or symbols appended ("password123!", "indonesia2026", "budi.s1990").
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from queue_server.domain.errors import DomainError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
#: A password must use at least this many different characters.
MIN_DISTINCT_CHARACTERS = 5
COMMON_PASSWORDS_FILE = Path(__file__).with_name("data") / "common_passwords.json"
#: Runs of keys or letters people type as a "password" (checked in both directions).
SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "q1w2e3r4t5y6u7i8o9p0",
)
_TRAILING_DECORATION = re.compile(r"[\d\W_]+$")


class WeakPassword(DomainError):
    code = "weak_password"
    template = "The password must have at least {length} characters."
    http_status = 422


class BlankPassword(WeakPassword):
    template = "The password must not be blank."


class RepetitivePassword(WeakPassword):
    template = "The password repeats itself; use at least {distinct} different characters."


class SequentialPassword(WeakPassword):
    template = "The password is a sequence (like 1234567890 or qwertyuiop); choose another."


class CommonPassword(WeakPassword):
    template = "The password is too common or is the user name; choose another."


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    words: list[str] = json.loads(COMMON_PASSWORDS_FILE.read_text(encoding="utf-8"))
    return frozenset(word.lower() for word in words)


def check_password(password: str, *, username: str = "") -> None:
    """Raise a :class:`WeakPassword` (with the reason) unless ``password`` is acceptable."""
    if not password.strip():
        raise BlankPassword()
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise WeakPassword(length=MIN_PASSWORD_LENGTH)
    lowered = password.lower()
    if len(set(lowered)) < MIN_DISTINCT_CHARACTERS or _is_repetition(lowered):
        raise RepetitivePassword(distinct=MIN_DISTINCT_CHARACTERS)
    if _is_sequence(lowered):
        raise SequentialPassword()
    if _is_common(lowered, username.lower()):
        raise CommonPassword()


def _is_repetition(text: str) -> bool:
    """True for a shorter chunk repeated ("abcdeabcde")."""
    return text in (text + text)[1:-1]


def _is_sequence(text: str) -> bool:
    return any(text in run or text in run[::-1] for run in SEQUENCES)


def _is_common(text: str, username: str) -> bool:
    """A listed password or the user name, as typed or with digits/symbols appended."""
    core = _TRAILING_DECORATION.sub("", text)
    listed = common_passwords() | {username}
    return text in listed or (len(core) >= 4 and core in listed)
