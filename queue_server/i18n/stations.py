"""The stations' names as applicants read them (catalog msgids), shared by the ticket page,
the officer console and the kiosk's screens and printed tickets, so all say the same."""

from __future__ import annotations

STATION_NAMES: dict[str, str] = {
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
