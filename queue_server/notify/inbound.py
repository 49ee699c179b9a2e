"""Inbound WhatsApp (Business Cloud API webhook): the signature check, the message JSON,
and the text commands applicants send.

Meta signs every webhook POST with the app secret: ``X-Hub-Signature-256: sha256=<hex>``
over the raw body. The body is ``{"object": "whatsapp_business_account", "entry": [{
"changes": [{"field": "messages", "value": {"messages": [{"from": "62812...", "id":
"wamid...", "type": "text", "text": {"body": "DAFTAR percepatan"}}]}}]}]}``; status
updates of sent messages come in the same envelope under ``statuses`` and are ignored.

Settings (``ANTRE_WHATSAPP_*``): ``VERIFY_TOKEN`` (the token typed into Meta's webhook
form, answered in the ``GET`` handshake) and ``APP_SECRET`` (signs the POSTs). Without
both, the webhook answers 404.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

PREFIX = "ANTRE_WHATSAPP_"
MAX_BODY_BYTES = 256 * 1024
#: At most this many messages are handled from one POST (Meta batches a few).
MAX_MESSAGES = 50
_SENDER = re.compile(r"[0-9]{8,15}")
_WORD = re.compile(r"[a-z0-9-]{1,40}")


class InboundError(ValueError):
    """A body that is not a WhatsApp webhook delivery (nothing is done with it)."""


@dataclass(frozen=True)
class InboundSettings:
    verify_token: str
    app_secret: bytes


def settings_from_environment(env: Mapping[str, str] | None = None) -> InboundSettings | None:
    """The webhook's settings, or None when it is not configured (then it answers 404)."""
    env = os.environ if env is None else env
    token = env.get(PREFIX + "VERIFY_TOKEN", "").strip()
    secret = env.get(PREFIX + "APP_SECRET", "").strip()
    if not token or not secret:
        return None
    return InboundSettings(token, secret.encode())


def signature_ok(app_secret: bytes, body: bytes, header: str | None) -> bool:
    """Whether ``header`` (``sha256=<hex>``) signs ``body`` with the app secret."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256=") :].strip().lower())


@dataclass(frozen=True)
class InboundText:
    """One text message: who sent it (digits, international form), its id and its text."""

    sender: str
    message_id: str
    text: str


def parse_delivery(body: bytes) -> list[InboundText]:
    """The text messages of one webhook delivery; other message types are skipped."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:  # (nested too deep)
        raise InboundError("not JSON") from error
    if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
        raise InboundError("not a WhatsApp Business delivery")
    entries = data.get("entry")
    if not isinstance(entries, list):
        raise InboundError("no entry list")
    found: list[InboundText] = []
    for entry in entries:
        for change in _list(entry, "changes"):
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                raise InboundError("a change without a value")
            for message in _list(value, "messages"):
                text = _text(message)
                if text is not None:
                    found.append(text)
    return found[:MAX_MESSAGES]


def _list(container: object, key: str) -> list[object]:
    if not isinstance(container, dict):
        raise InboundError(f"{key}: not an object")
    value = container.get(key, [])
    if not isinstance(value, list):
        raise InboundError(f"{key}: not a list")
    return value


def _text(message: object) -> InboundText | None:
    if not isinstance(message, dict) or message.get("type") != "text":
        return None
    sender, message_id = message.get("from"), message.get("id")
    body = message.get("text", {}).get("body") if isinstance(message.get("text"), dict) else None
    if not isinstance(sender, str) or not _SENDER.fullmatch(sender):
        raise InboundError("a message without a valid sender")
    if not isinstance(message_id, str) or not 1 <= len(message_id) <= 200:
        raise InboundError("a message without an id")
    if not isinstance(body, str):
        raise InboundError("a text message without a body")
    return InboundText("+" + sender, message_id, body[:500])


class Verb(StrEnum):
    REGISTER = "register"
    STOP = "stop"
    START = "start"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Command:
    verb: Verb
    language: str = "id"
    window: str | None = None
    service: str | None = None


_VERBS = {
    "daftar": (Verb.REGISTER, "id"),
    "register": (Verb.REGISTER, "en"),
    "stop": (Verb.STOP, "id"),
    "berhenti": (Verb.STOP, "id"),
    "mulai": (Verb.START, "id"),
    "start": (Verb.START, "en"),
}


def read_command(text: str) -> Command:
    """``DAFTAR <window> [service]`` (``REGISTER`` answers in English), ``STOP`` or
    ``BERHENTI`` (no more messages), ``MULAI`` or ``START`` (messages again)."""
    words = text.strip().lower().split()
    if not words or words[0] not in _VERBS:
        return Command(Verb.UNKNOWN)
    verb, language = _VERBS[words[0]]
    if verb is not Verb.REGISTER:
        return Command(verb, language) if len(words) == 1 else Command(Verb.UNKNOWN)
    if len(words) not in (2, 3) or not all(_WORD.fullmatch(word) for word in words[1:]):
        return Command(Verb.UNKNOWN, language)
    return Command(verb, language, words[1], words[2] if len(words) == 3 else None)


def attempt_key(message_id: str) -> str:
    """A short, fixed-length stand-in for the provider's message id (idempotency)."""
    return "wa-" + hashlib.sha256(message_id.encode()).hexdigest()[:32]
