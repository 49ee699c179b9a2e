"""End to end: a passport marked ready through the real server's API, with the applicant's
phone, reaches the loopback WhatsApp provider exactly once, through a failed first attempt
(HTTP 500, then 200) sent by the real worker; marking or importing it again sends nothing."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from queue_server.domain.ids import Role
from queue_server.notify.gateways import IDEMPOTENCY_HEADER, WhatsAppGateway
from queue_server.notify.runner import NotificationRunner
from queue_server.notify.worker import Backoff
from queue_server.persistence.models import NotificationRow
from queue_server.services.unit import Actor, utc_now
from tests.notify.provider import Provider
from tests.support.live_office import LiveOffice, live_office
from tests.web.conftest import OFFICE

WAIT_S = 20.0
PHONE_ID = "109876"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveOffice]:
    with live_office(tmp_path_factory.mktemp("e2e"), utc_now) as live:
        yield live


@pytest.fixture(scope="module")
def worker(office: LiveOffice, shared_provider: Provider) -> Iterator[NotificationRunner]:
    gateway = WhatsAppGateway(shared_provider.url + "/v21.0", PHONE_ID, "test-token", timeout=5)
    runner = NotificationRunner(office.services.database, gateway, clock=utc_now, idle_s=0.05)
    runner.worker.backoff = Backoff(base=timedelta(milliseconds=50))  # a retry in 50 ms
    runner.start()
    yield runner
    assert runner.stop(timeout_s=10)


def call(office: LiveOffice, method: str, path: str, token: str, body: bytes, kind: str) -> Any:
    request = urllib.request.Request(
        office.url + "/api/v1" + path,
        data=body or None,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": kind},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)


def messages(office: LiveOffice) -> list[NotificationRow]:
    with office.services.database.reader() as session:
        return list(session.scalars(select(NotificationRow)))


def test_ready_via_the_api_reaches_the_provider_once_through_a_500(
    office: LiveOffice, worker: NotificationRunner, provider: Provider
) -> None:
    provider.plan.extend([500, 200])
    token = office.services.accounts.create_token(
        "printing-system", Role.PETUGAS, actor=Actor(name="fixture")
    )
    entry = {"application": "1234567890", "phone": "0812-3456-7890", "language": "en"}
    body = json.dumps({"applications": [entry]}).encode()
    marked = call(
        office, "POST", f"/offices/{OFFICE}/passports/ready", token, body, "application/json"
    )
    assert (marked["marked"], marked["messages_queued"]) == (1, 1)

    wait_until(lambda: [row.status for row in messages(office)] == ["sent"])
    (row,) = messages(office)
    assert (row.attempts, row.recipient, row.last_error) == (2, None, None)
    assert len(provider.received) == 2  # the 500, then the one that was delivered
    keys = {item.headers[IDEMPOTENCY_HEADER.lower()] for item in provider.received}
    assert keys == {f"passport_ready:{OFFICE}:1234567890"}
    assert list(provider.delivered) == list(keys)
    sent = provider.received[-1]
    assert sent.path == f"/v21.0/{PHONE_ID}/messages"
    payload = json.loads(sent.body)
    assert (payload["messaging_product"], payload["to"]) == ("whatsapp", "6281234567890")
    template = payload["template"]
    assert (template["name"], template["language"]["code"]) == ("antre_passport_ready", "en")
    texts = [item["text"] for item in template["components"][0]["parameters"]]
    assert texts[1] == "at the pickup counter; on a Saturday pickup session"

    # Marked again, then the printing system's CSV with the same number: nothing more.
    again = call(
        office, "POST", f"/offices/{OFFICE}/passports/ready", token, body, "application/json"
    )
    csv = b"application,phone,language\n1234567890,081234567890,id\n"
    imported = call(
        office, "POST", f"/offices/{OFFICE}/passports/ready/import", token, csv, "text/csv"
    )
    assert (again["messages_queued"], imported["messages_queued"]) == (0, 0)
    assert len(messages(office)) == 1 and len(provider.received) == 2
    status = call(
        office, "GET", f"/offices/{OFFICE}/passports/1234567890", token, b"", "application/json"
    )
    assert status["ready_message"]["status"] == "sent"
    assert status["ready_message"]["settled_at"] is not None
