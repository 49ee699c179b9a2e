"""A refusal names the quota that is used up: a special session's or the service's."""

from __future__ import annotations

import uuid

import pytest

from queue_server.domain.errors import QuotaFull, SessionQuotaFull
from queue_server.domain.ids import TicketSource
from queue_server.i18n import both
from queue_server.services.issuing import IssueRequest
from queue_server.services.retries import RetryKey
from queue_server.services.unit import Actor
from tests.services.conftest import Engine

OFFICE = "kanim-test"
KIOSK = Actor(name="kiosk-1")


def issue_pickup(engine: Engine) -> object:
    request = IssueRequest(office=OFFICE, service="pickup", source=TicketSource.KIOSK)
    return engine.issuing.issue(request, actor=KIOSK)


def test_the_saturday_session_refusal_names_the_session(engine: Engine) -> None:
    engine.clock.advance(days=5, hours=-1)  # Saturday 28 November 2026, 09:00 WITA
    for _ in range(2):  # the session's shared quota is 2
        issue_pickup(engine)
    with pytest.raises(SessionQuotaFull) as refused:
        issue_pickup(engine)
    error = refused.value
    assert error.code == "quota_full"
    assert str(error) == (
        "The quota of the Saturday passport pickup session is used up; "
        "there is no place left for Passport pickup."
    )
    text = both(error.template, **error.params)
    assert "Pengambilan paspor hari Sabtu" in text["id"]
    assert "Today's quota" not in text["en"]


def test_the_daily_refusal_still_speaks_of_today(engine: Engine) -> None:
    for _ in range(3):  # the pickup service's daily quota is 3
        issue_pickup(engine)
    with pytest.raises(QuotaFull) as refused:
        issue_pickup(engine)
    assert not isinstance(refused.value, SessionQuotaFull)
    assert str(refused.value).startswith("Today's quota for Passport pickup")


def test_an_offline_lease_refusal_names_the_session_too(engine: Engine) -> None:
    engine.clock.advance(days=5, hours=-1)
    for _ in range(2):
        issue_pickup(engine)
    with pytest.raises(SessionQuotaFull):
        engine.offline.lease(
            OFFICE, "kiosk-1", "pickup", 5, retry_key=RetryKey("kiosk-1", str(uuid.uuid4()))
        )
