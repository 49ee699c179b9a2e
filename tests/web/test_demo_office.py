"""The shipped demo office (Banjarmasin) works through the API, priority desk included."""

from __future__ import annotations

from pathlib import Path

import yaml
from flask.testing import FlaskClient

from queue_server.services.container import Services
from queue_server.services.offices import store_office
from tests.services.clock import MONDAY_10_WITA
from tests.web.conftest import AuthActions

DEMO_FILE = Path(__file__).parents[2] / "queue_server" / "demo" / "banjarmasin.yaml"
DEMO = "/api/v1/offices/kanim-banjarmasin"


def test_demo_office_serves_a_priority_walk_in(
    client: FlaskClient, auth: AuthActions, services: Services
) -> None:
    with services.database.writer() as session, session.begin():
        store_office(session, yaml.safe_load(DEMO_FILE.read_text("utf-8")), now=MONDAY_10_WITA)
    listed = client.get(f"{DEMO}/services").get_json()["items"]
    assert "paspor-walkin" in {item["service"] for item in listed}
    assert all(item["open_now"] for item in listed if item["kind"] == "walk_in")
    auth.login("admin")  # the fixture officer works at kanim-test only
    issued = auth.post(f"{DEMO}/tickets", {"service": "paspor-walkin"})
    assert issued.status_code == 200, issued.get_json()
    elderly = auth.post(
        f"{DEMO}/tickets", {"service": "paspor-walkin", "priority_category": "elderly"}
    ).get_json()
    assert elderly["priority"] is True
    auth.post(f"{DEMO}/counters/ramah-ham/open")
    called = auth.post(f"{DEMO}/counters/ramah-ham/call-next").get_json()["ticket"]
    assert called["id"] == elderly["ticket_id"]
    status = client.get(elderly["status_url"]).get_json()
    assert status["counter"] == "Loket Ramah HAM"
