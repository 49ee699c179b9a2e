"""A fixed sample ticket, so layouts and bytes are reproducible."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from devices.printer.layout import Branding, LocalisedText, TicketView

STATUS_URL = "http://antre.local/t/7f3a9c21d4e8b605"


@pytest.fixture
def ticket() -> TicketView:
    return TicketView(
        label="A012",
        service_name=LocalisedText(
            id="Paspor baru/penggantian (M-Paspor)", en="New or replacement passport (M-Paspor)"
        ),
        issued_at=datetime(2026, 12, 2, 1, 15, tzinfo=UTC),
        people_ahead=5,
        estimated_wait_minutes=20,
        status_url=STATUS_URL,
        station_hint=LocalisedText(id="Customer Service", en="Customer Service"),
        priority=True,
    )


@pytest.fixture
def branding() -> Branding:
    return Branding(
        office_name="Kantor Imigrasi Banjarmasin",
        address="Banjarmasin, Kalimantan Selatan",
        timezone="Asia/Makassar",
        footer=LocalisedText(id="Bawa dokumen asli Anda.", en="Bring your original documents."),
    )
