"""The server's daily purge is the same purge as ``antre purge``: old drive-thru arrivals
and the "number near" requests of past days go too, and the log line counts them."""

from __future__ import annotations

import logging

import pytest

from queue_server.domain.ids import TicketSource
from queue_server.persistence.models import DriveThruArrivalRow, TicketAlertRow
from queue_server.serve import _purge
from queue_server.services.container import Services
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from tests.services.clock import FakeClock
from tests.web.conftest import OFFICE, count_rows


def test_the_daily_purge_clears_lane_arrivals_and_number_near_requests(
    services: Services, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    request = IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK)
    ticket = services.issuing.issue(request, actor=Actor(name="kiosk-1"))
    with services.database.writer() as session, session.begin():
        session.add(
            TicketAlertRow(ticket_id=ticket.ticket_id, office_id=OFFICE, station="CS",
                           office_day=clock().date(), phone="081234567890", language="id",
                           created_at=clock())
        )  # fmt: skip
        session.add(
            DriveThruArrivalRow(office_id=OFFICE, lane="lajur-1", application_no="1234567890",
                                arrived_at=clock(), status="handed_over", device="token:x",
                                handed_over_at=clock())
        )  # fmt: skip
    clock.advance(days=31)
    with caplog.at_level(logging.INFO, logger="antre.serve"):
        _purge(services, 30)
    assert count_rows(services, TicketAlertRow) == 0
    assert count_rows(services, DriveThruArrivalRow) == 0
    assert "1 drive-thru arrivals, 1 number-near requests" in caplog.text
