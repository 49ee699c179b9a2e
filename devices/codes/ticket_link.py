"""The QR printed on a ticket: a link to its public status page, carrying the ticket token.

Accepted: ``http(s)://host[:port][/prefix]/t/<token>`` and
``[http(s)://host[:port]][/prefix]/api/v1/public/tickets/<token>`` (a query string or
fragment is ignored). The token is what ``secrets.token_urlsafe`` produces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from devices.codes.errors import CodeError, CodeErrorReason

MAX_LINK_CHARS = 512
_TOKEN = r"(?P<token>[A-Za-z0-9_-]{16,64})"
_PATH_PATTERN = re.compile(rf"(?:/[A-Za-z0-9._~-]+)*(?:/t|/api/v1/public/tickets)/{_TOKEN}/?")


@dataclass(frozen=True)
class TicketLink:
    """The secret token of a ticket (look the ticket up with it)."""

    token: str


def parse_ticket_link(text: str) -> TicketLink:
    """Extract the ticket token from a scanned status link.

    Raises:
        CodeError: ``not_a_ticket_link``.
    """
    text = text.strip()
    if len(text) > MAX_LINK_CHARS or not text.isascii():
        raise CodeError(CodeErrorReason.NOT_A_TICKET_LINK)
    try:
        parts = urlsplit(text)
        valid_port = parts.port is None or parts.port > 0
    except ValueError as err:
        raise CodeError(CodeErrorReason.NOT_A_TICKET_LINK) from err
    if parts.scheme:
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname or not valid_port:
            raise CodeError(CodeErrorReason.NOT_A_TICKET_LINK)
    elif parts.netloc or not parts.path.startswith("/api/"):
        raise CodeError(CodeErrorReason.NOT_A_TICKET_LINK)
    found = _PATH_PATTERN.fullmatch(parts.path)
    if found is None:
        raise CodeError(CodeErrorReason.NOT_A_TICKET_LINK)
    return TicketLink(found.group("token"))


def looks_like_ticket_link(text: str) -> bool:
    """Whether ``text`` is shaped like a URL or an API path (not whether it is valid)."""
    lowered = text.strip().lower()
    return lowered.startswith(("http://", "https://", "/api/"))
