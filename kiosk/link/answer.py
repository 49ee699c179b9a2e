"""A server answer to one kiosk request: ``ok`` with data, or an error code with messages."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kiosk.link.errors import Refused


@dataclass(frozen=True, slots=True)
class Answer:
    """What ``kiosk/{device}/response/{action}`` carried for one transaction."""

    transaction: str
    ok: bool
    data: dict[str, Any] = field(default_factory=dict)
    code: str | None = None
    messages: dict[str, str] = field(default_factory=dict)

    def data_or_raise(self) -> dict[str, Any]:
        """The data of an ok answer; :class:`Refused` (with the server's messages) otherwise."""
        if not self.ok:
            raise Refused(self.messages, code=self.code or "refused")
        return self.data


def parse_answer(payload: bytes) -> Answer | None:
    """The answer in a response payload, or None when it is not one (logged by the caller)."""
    try:
        raw = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("transaction"), str):
        return None
    if raw.get("status") == "ok" and isinstance(raw.get("data"), dict):
        return Answer(transaction=raw["transaction"], ok=True, data=raw["data"])
    error = raw.get("error")
    if raw.get("status") != "error" or not isinstance(error, dict):
        return None
    messages = error.get("messages")
    return Answer(
        transaction=raw["transaction"],
        ok=False,
        code=str(error.get("code") or "error"),
        messages=_texts(messages) if isinstance(messages, dict) else {},
    )


def _texts(messages: dict[Any, Any]) -> dict[str, str]:
    return {str(language): str(text) for language, text in messages.items()}
