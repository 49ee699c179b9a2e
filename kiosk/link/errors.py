"""The kiosk link's errors; each carries its message in Indonesian and English for the UI."""

from __future__ import annotations

from queue_server.i18n import both

NO_ANSWER = "The server did not answer in time."
NOT_OFFLINE = (
    "This cannot be done while the kiosk is offline. "
    "Please try again later or ask at the information desk."
)
NO_NUMBERS_LEFT = (
    "{service}: this kiosk has no offline numbers left. Please ask at the information desk."
)


class LinkError(Exception):
    """Base of the kiosk link's errors: a stable ``code`` and ``messages`` (``id``, ``en``)."""

    code = "link_error"

    def __init__(self, messages: dict[str, str], code: str | None = None) -> None:
        self.messages = messages
        if code is not None:
            self.code = code
        super().__init__(messages.get("en", self.code))


class LinkUnavailable(LinkError):
    """No answer before the deadline: the broker or the server cannot be reached."""

    code = "link_unavailable"

    def __init__(self, action: str, transaction: str | None = None, sent: bool = False) -> None:
        self.action = action
        #: The request's transaction, and whether it reached the broker at least once (the
        #: server may then have acted on it without the answer coming back in time).
        self.transaction, self.sent = transaction, sent
        super().__init__(both(NO_ANSWER))


class Refused(LinkError):
    """The server answered with an error (e.g. ``service_closed``, ``booking_not_found``)."""


class NotAvailableOffline(LinkError):
    """An online-only action (check-in, lookup) while the link is down."""

    code = "not_available_offline"

    def __init__(self) -> None:
        super().__init__(both(NOT_OFFLINE))


class OfflineRefused(LinkError):
    """Offline issuing is not possible for this service: no numbers left, or the server
    refused to lease any (``offline_not_available`` for booking services, ``quota_full``)."""

    code = "offline_refused"
