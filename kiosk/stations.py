"""Where a ticket sends the applicant first, in words: the "Menuju / Go to" line of the
printed ticket.

The msgids are the ones the ticket status page uses for the same stations
(``queue_server.web.ticket_page.STATION_TEXTS``), so both say the same in both languages;
the kiosk keeps its own copy because it may not import the web package.
"""

from __future__ import annotations

from devices.printer.layout import LocalisedText
from queue_server.i18n import translate

STATION_MSGIDS: dict[str, str] = {
    "INFO": "Information desk",
    "CS": "Customer service (document check)",
    "BIO": "Photo, fingerprints and interview",
    "BIO_PRIORITY": "Loket Ramah HAM (priority)",
    "BAP": "BAP examination",
    "LOKET": "Stay-permit counter",
    "PAY": "Cashier",
    "PICKUP": "Pickup counter",
    "COMPLAINT": "Complaints desk",
}


def station_text(station: str) -> LocalisedText | None:
    """The station's name in Indonesian and English; None for a station without one."""
    msgid = STATION_MSGIDS.get(station)
    if msgid is None:
        return None
    return LocalisedText(id=translate(msgid, "id"), en=translate(msgid, "en"))
