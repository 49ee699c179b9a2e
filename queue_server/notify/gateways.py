"""Providers that deliver a rendered message: one interface, three adapters (and a log).

Every adapter POSTs over HTTP(S) with a timeout and sends the message's idempotency key
in an ``Idempotency-Key`` header, so a provider (or the relay in front of it) recognises a
resend after a crash. Answers are classified: 2xx accepted; 408, 429, 5xx, timeouts and
connection errors are temporary (retried); any other status is permanent. Errors carry
a short reason only (never the provider's answer body, which may echo the number).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from queue_server.notify.messages import Message, masked_phone, render, template_parameters

TEMPORARY_STATUSES = frozenset({408, 425, 429})
SIGNATURE_HEADER = "X-Antre-Signature"
TIMESTAMP_HEADER = "X-Antre-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"


class DeliveryError(Exception):
    """The provider did not accept the message; ``reason`` is short and has no personal data."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:200]


class TemporaryFailure(DeliveryError):
    """Worth trying again later (server error, timeout, rate limit, no connection)."""


class PermanentFailure(DeliveryError):
    """Trying again would not help (a refused request: bad number, unknown template...)."""


class Gateway(Protocol):
    """Sends one message; returns the provider's message id (may be empty)."""

    name: str

    def send(self, message: Message, *, idempotency_key: str) -> str: ...


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an order: following it would carry the token elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> _Answer:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return _Answer(response.status, response.read(65536))
    except urllib.error.HTTPError as error:
        status = error.code
        error.close()
        if status >= 500 or status in TEMPORARY_STATUSES:
            raise TemporaryFailure(f"HTTP {status}") from None
        raise PermanentFailure(f"HTTP {status}") from None
    except TimeoutError:
        raise TemporaryFailure("timeout") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise TemporaryFailure("timeout") from None
        raise TemporaryFailure(f"no connection ({type(error.reason).__name__})") from None
    except (OSError, http.client.HTTPException) as error:
        raise TemporaryFailure(f"no connection ({type(error).__name__})") from None


def _json_id(body: bytes, pick: Callable[[object], object]) -> str:
    try:
        value = pick(json.loads(body or b"null"))
    except (ValueError, KeyError, IndexError, TypeError):
        return ""
    return str(value)[:200] if isinstance(value, str | int) else ""


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``<timestamp>.<raw body>``."""
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return "sha256=" + digest


def verify_signature(
    secret: bytes, timestamp: str, body: bytes, given: str, *, now: float, tolerance_s: int = 300
) -> bool:
    """How a receiver checks a webhook: a valid signature on a recent timestamp."""
    try:
        age = abs(now - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance_s and hmac.compare_digest(signature(secret, timestamp, body), given)


class WebhookGateway:
    """A generic JSON webhook, signed with HMAC-SHA256 over the timestamp and raw body."""

    name = "webhook"

    def __init__(
        self,
        url: str,
        secret: bytes,
        *,
        timeout: float = 10.0,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if not secret:
            raise ValueError("the webhook needs a signing secret")
        self.url, self.secret, self.timeout, self.wall_clock = url, secret, timeout, wall_clock

    def send(self, message: Message, *, idempotency_key: str) -> str:
        body = json.dumps(
            {
                "id": idempotency_key,
                "to": message.phone,
                "template": str(message.template),
                "language": message.language,
                "params": dict(message.params),
                "text": render(message),
            },
            ensure_ascii=False,
            sort_keys=True,
        ).encode()
        timestamp = str(int(self.wall_clock()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(self.secret, timestamp, body),
            IDEMPOTENCY_HEADER: idempotency_key,
        }
        answer = _post(self.url, body, headers, timeout=self.timeout)
        return _json_id(answer.body, lambda data: data["id"]) or idempotency_key  # type: ignore[index]


class WhatsAppGateway:
    """The WhatsApp Business Cloud API: ``POST {base}/{phone-number-id}/messages``.

    Sends an approved template (named ``<prefix><template key>``) whose body parameters
    are the message's parameters in alphabetical order of their names.
    """

    name = "whatsapp"

    def __init__(
        self,
        base_url: str,
        phone_number_id: str,
        token: str,
        *,
        template_prefix: str = "antre_",
        timeout: float = 10.0,
    ) -> None:
        if not token or not phone_number_id:
            raise ValueError("WhatsApp needs a phone number id and an access token")
        self.url = f"{base_url.rstrip('/')}/{urllib.parse.quote(phone_number_id, safe='')}/messages"
        self.token, self.prefix, self.timeout = token, template_prefix, timeout

    def send(self, message: Message, *, idempotency_key: str) -> str:
        body = json.dumps(
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": message.phone.lstrip("+"),
                "type": "template",
                "template": {
                    "name": f"{self.prefix}{message.template}",
                    "language": {"code": message.language},
                    "components": [
                        {
                            "type": "body",
                            "parameters": [
                                {"type": "text", "text": value}
                                for value in template_parameters(message)
                            ],
                        }
                    ],
                },
            },
            ensure_ascii=False,
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.token}",
            IDEMPOTENCY_HEADER: idempotency_key,
        }
        answer = _post(self.url, body, headers, timeout=self.timeout)
        return _json_id(answer.body, lambda data: data["messages"][0]["id"])  # type: ignore[index]


class SmsGateway:
    """An SMS HTTP gateway: a form-encoded POST of ``to``, ``text`` and ``reference``."""

    name = "sms"

    def __init__(
        self, url: str, *, token: str = "", sender: str = "", timeout: float = 10.0
    ) -> None:
        self.url, self.token, self.sender, self.timeout = url, token, sender, timeout

    def send(self, message: Message, *, idempotency_key: str) -> str:
        fields = {"to": message.phone, "text": render(message), "reference": idempotency_key}
        if self.sender:
            fields["from"] = self.sender
        headers = {
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            IDEMPOTENCY_HEADER: idempotency_key,
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = urllib.parse.urlencode(fields).encode()
        answer = _post(self.url, body, headers, timeout=self.timeout)
        return _json_id(answer.body, lambda data: data["id"])  # type: ignore[index]


class LogGateway:
    """Writes each message to the server's log instead of sending it (demos and trials):
    the template, the number masked and the text in the message's language."""

    name = "log"

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._log = logger or logging.getLogger("antre.notify.log")
        self._count = 0

    def send(self, message: Message, *, idempotency_key: str) -> str:
        self._count += 1
        self._log.info(
            "message %s to %s (%s): %s",
            message.template,
            masked_phone(message.phone),
            message.language,
            render(message),
        )
        return f"log-{self._count}"
