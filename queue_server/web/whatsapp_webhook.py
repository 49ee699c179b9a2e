"""``/whatsapp/webhook/<office>``: the WhatsApp Business Cloud API webhook (inbound texts).

``GET`` is Meta's verification handshake (``hub.mode=subscribe``, ``hub.verify_token``,
``hub.challenge``): the challenge is echoed when the token matches. ``POST`` carries
deliveries signed with the app secret (``X-Hub-Signature-256``): an unsigned, wrongly
signed or malformed body is refused (401/400) and changes nothing. Each text is a command
(:mod:`queue_server.notify.inbound`); replies go through the notification queue. The log
gets counts only: never a phone number, a message text or a body.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections import Counter

from flask import Blueprint, Response, current_app, request

from queue_server.domain.errors import NotFound
from queue_server.notify.inbound import (
    MAX_BODY_BYTES,
    InboundError,
    InboundSettings,
    parse_delivery,
    signature_ok,
)
from queue_server.web.auth import services

log = logging.getLogger("antre.whatsapp")
whatsapp_webhook = Blueprint("whatsapp_webhook", __name__)
WHATSAPP_EXTENSION = "antre_whatsapp"
CHALLENGE_RE = re.compile(r"[A-Za-z0-9_.-]{1,200}")
OFFICE_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")


def _settings() -> InboundSettings | None:
    settings: InboundSettings | None = current_app.extensions.get(WHATSAPP_EXTENSION)
    return settings


def _plain(text: str, status: int) -> Response:
    response = Response(text, status=status, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


@whatsapp_webhook.get("/whatsapp/webhook/<office>")
def verify(office: str) -> Response:
    """Meta's subscription handshake."""
    settings = _settings()
    if settings is None or not OFFICE_RE.fullmatch(office):
        return _plain("not found", 404)
    token = request.args.get("hub.verify_token", "")
    challenge = request.args.get("hub.challenge", "")
    if (
        request.args.get("hub.mode") != "subscribe"
        or not hmac.compare_digest(token.encode(), settings.verify_token.encode())
        or not CHALLENGE_RE.fullmatch(challenge)
    ):
        log.info("whatsapp: a verification request was refused")
        return _plain("forbidden", 403)
    return _plain(challenge, 200)


@whatsapp_webhook.post("/whatsapp/webhook/<office>")
def deliver(office: str) -> Response:
    """One signed delivery: every text in it is acted on (answers 200 once accepted)."""
    settings = _settings()
    if settings is None or not OFFICE_RE.fullmatch(office):
        return _plain("not found", 404)
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return _plain("too large", 413)
    body = request.get_data(cache=False)
    if len(body) > MAX_BODY_BYTES:
        return _plain("too large", 413)
    if not signature_ok(settings.app_secret, body, request.headers.get("X-Hub-Signature-256")):
        log.info("whatsapp: a delivery with a missing or wrong signature was refused")
        return _plain("bad signature", 401)
    try:
        messages = parse_delivery(body)
    except InboundError:
        log.info("whatsapp: a signed delivery that is not a WhatsApp message was refused")
        return _plain("bad request", 400)
    outcomes: Counter[str] = Counter()
    for message in messages:
        try:
            outcomes[services().registrations.whatsapp_message(office, message)] += 1
        except NotFound:
            return _plain("not found", 404)
    if outcomes:
        log.info("whatsapp: %s", ", ".join(f"{n} {what}" for what, n in sorted(outcomes.items())))
    return _plain("ok", 200)
