"""The admin's registrations API through Flask: a day's windows and list, cancel (admin
only, audited, the place given back), and bad input refused with both languages; on
SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from queue_server.domain.ids import Role
from queue_server.persistence.migrate import upgrade
from queue_server.persistence.models import RegistrationRow
from queue_server.services.container import Services, build_services
from queue_server.services.offices import store_office
from queue_server.services.unit import Actor
from queue_server.web import create_app
from tests.services.clock import FakeClock
from tests.services.test_registrations import WINDOWS, wita
from tests.web.conftest import BASE, PASSWORDS, AuthActions, count_rows, office_settings, web_config

LIST = f"{BASE}/registrations"


def flow(services: Services, clock: FakeClock, auth: AuthActions) -> None:
    clock.now = wita(23, 20, 0)  # Monday 20:00 WITA: percepatan is open for Tuesday
    with services.database.writer() as session, session.begin():
        store_office(session, office_settings() | {"registration": WINDOWS[:1]}, now=clock())
    for phone in ("081234567801", "081234567802"):
        services.registrations.register(office="kanim-test", window="percepatan", phone=phone)

    auth.login("laporan")
    day = auth.get(f"{LIST}?day=2026-11-24")
    assert day.status_code == 200
    body = day.get_json()
    (window,) = body["windows"]
    assert (window["quota"], window["places_taken"], window["not_come"]) == (2, 2, 2)
    assert [item["channel"] for item in body["items"]] == ["web", "web"]
    assert "0812" not in day.get_data(as_text=True)
    assert auth.get(LIST).get_json()["day"] == "2026-11-23"  # today, office time
    first = body["items"][0]["id"]
    assert auth.post(f"{LIST}/{first}/cancel").status_code == 403  # laporan reads only
    auth.logout()

    auth.login("admin")
    for bad in ("24/11/2026", "2026-13-01", "x" * 100):
        refused = auth.get(f"{LIST}?day={bad}")
        assert refused.status_code == 422
        error = refused.get_json()["error"]
        assert error["code"] == "bad_registration_day"
        assert "YYYY-MM-DD" in error["messages"]["en"] and "YYYY-MM-DD" in error["messages"]["id"]
    done = auth.post(f"{LIST}/{first}/cancel")
    assert done.status_code == 200
    assert done.get_json()["status"] == "cancelled" and done.get_json()["place_returned"]
    again = auth.post(f"{LIST}/{first}/cancel")
    assert again.status_code == 409
    assert "sudah dibatalkan" in again.get_json()["error"]["messages"]["id"]
    assert auth.post(f"{LIST}/2147483647/cancel").status_code == 404
    assert auth.post(f"{LIST}/2147483648/cancel").status_code == 404  # past the row ids
    (window,) = auth.get(f"{LIST}?day=2026-11-24").get_json()["windows"]
    assert (window["places_taken"], window["cancelled"], window["not_come"]) == (1, 1, 1)
    assert count_rows(services, RegistrationRow) == 2


def test_list_and_cancel(
    client: FlaskClient, auth: AuthActions, services: Services, clock: FakeClock
) -> None:
    flow(services, clock, auth)


@pytest.mark.postgres
def test_list_and_cancel_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    config = web_config(tmp_path, database_url=pg_url)
    upgrade(config.database_url)
    clock = FakeClock(wita(23, 20, 0))
    built = build_services(config, clock=clock)
    try:
        with built.database.writer() as session, session.begin():
            store_office(session, office_settings(), now=clock())
        for name, role in (("admin", Role.ADMIN), ("laporan", Role.LAPORAN)):
            built.accounts.create_user(name, name, PASSWORDS[name], role, actor=Actor(name="t"))
        flow(built, clock, AuthActions(create_app(services=built).test_client()))
    finally:
        built.close()
