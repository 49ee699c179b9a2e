"""``/healthz`` reports the database, the broker, the MQTT link and the outbox, and is 503
when one is down or the outbox is behind; waitress's queue warnings stay readable under
load."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from waitress.task import ThreadedTaskDispatcher

from queue_server.domain.ids import TicketSource
from queue_server.housekeeping import AtMostEvery, limit_queue_warnings
from queue_server.services.container import Services
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from queue_server.web.app import create_app
from tests.services.clock import FakeClock
from tests.web.conftest import OFFICE, FakeMonotonic, web_config


def test_without_mqtt_the_server_is_healthy(services: Services) -> None:
    answer = create_app(services=services).test_client().get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "ok"
    assert answer.get_json()["checks"] == {
        "database": "ok",
        "broker": "disabled",
        "mqtt": "disabled",
        "outbox": "ok",
    }
    assert answer.get_json()["outbox"] == {"pending": 0, "oldest_s": None}


@pytest.mark.parametrize(
    ("broker", "link", "status"),
    [("ok", "ok", 200), ("external", "ok", 200), ("ok", "down", 503), ("down", "down", 503)],
)
def test_a_lost_mqtt_link_makes_the_server_unhealthy(
    services: Services, broker: str, link: str, status: int
) -> None:
    app = create_app(services=services, mqtt_health=lambda: {"broker": broker, "mqtt": link})
    answer = app.test_client().get("/healthz")
    assert answer.status_code == status
    assert answer.get_json()["status"] == ("ok" if status == 200 else "unavailable")
    assert answer.get_json()["checks"] == {
        "database": "ok",
        "broker": broker,
        "mqtt": link,
        "outbox": "ok",
    }


def test_a_database_that_does_not_answer_is_reported(tmp_path: Path) -> None:
    config = web_config(tmp_path, database_url=f"sqlite:///{tmp_path}/no/such/folder/antre.db")
    answer = create_app(config).test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.get_json()["checks"]["database"] == "down"
    assert answer.get_json()["checks"]["outbox"] == "down"
    assert answer.get_json()["outbox"] is None


def test_an_outbox_nobody_drains_makes_the_server_unhealthy(
    services: Services, clock: FakeClock
) -> None:
    """HTTP workers alone write changes nobody publishes: after a minute the health says so."""
    services.issuing.issue(
        IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK),
        actor=Actor(name="kiosk-1"),
    )
    pending = services.outbox.pending(offices=None, limit=100)
    assert pending
    client = create_app(services=services).test_client()

    clock.advance(seconds=59)
    fresh = client.get("/healthz")
    clock.advance(seconds=2)
    behind = client.get("/healthz")
    services.outbox.delivered([entry.id for entry in pending], seq=1)
    drained = client.get("/healthz")

    assert fresh.status_code == 200
    assert fresh.get_json()["checks"]["outbox"] == "ok"
    assert fresh.get_json()["outbox"] == {"pending": len(pending), "oldest_s": 59.0}
    assert behind.status_code == 503
    assert behind.get_json()["status"] == "unavailable"
    assert behind.get_json()["checks"]["outbox"] == "behind"
    assert behind.get_json()["outbox"] == {"pending": len(pending), "oldest_s": 61.0}
    assert drained.status_code == 200
    assert drained.get_json()["outbox"] == {"pending": 0, "oldest_s": None}


def test_waitress_queue_warnings_are_kept_to_one_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limit_queue_warnings()
    limit_queue_warnings()  # idempotent: start-up may run twice in one process
    dispatcher = ThreadedTaskDispatcher()  # no worker threads: every task queues
    with caplog.at_level(logging.WARNING, logger="waitress.queue"):
        for _ in range(500):
            dispatcher.add_task(object())
    assert [record.getMessage() for record in caplog.records] == ["Task queue depth is 1"]


def test_a_dropped_warning_is_counted_in_the_next_one(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeMonotonic()
    logger = logging.getLogger("antre.test.rate")
    logger.addFilter(AtMostEvery(60, clock=clock))
    with caplog.at_level(logging.WARNING, logger="antre.test.rate"):
        for _ in range(10):
            logger.warning("queue depth is %d", 3)
        clock.advance(61)
        logger.warning("queue depth is %d", 4)
    assert [record.getMessage() for record in caplog.records] == [
        "queue depth is 3",
        "queue depth is 4 (9 like it in the last 60 s)",
    ]
