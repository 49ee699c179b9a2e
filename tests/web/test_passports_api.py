"""The passport-ready API through Flask: mark by list (console session or the printing
system's token), CSV import, status; on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from queue_server.domain.ids import Role
from queue_server.persistence.migrate import upgrade
from queue_server.persistence.models import AuditLogRow, PassportReadyRow, TicketRow, VisitRow
from queue_server.services.container import Services, build_services
from queue_server.services.offices import store_office
from queue_server.services.unit import Actor
from queue_server.web import create_app
from tests.services.clock import MONDAY_10_WITA, FakeClock
from tests.web.conftest import BASE, PASSWORDS, AuthActions, office_settings, web_config

READY = f"{BASE}/passports/ready"
FIXTURE = Actor(name="fixture")
NIK = "3171234567890123"
CSV = f"""Nomor_Permohonan;Catatan
1234567890;ok
{NIK};a NIK by mistake
=HYPERLINK("x");formula

1234567890;again
12345678901234567;ok
"""


def bearer(services: Services, role: Role = Role.PETUGAS) -> dict[str, str]:
    token = services.accounts.create_token("printer", role, actor=FIXTURE)
    return {"Authorization": f"Bearer {token}"}


def biometrics_done(
    services: Services, client: FlaskClient, kiosk: dict[str, str], number: str
) -> None:
    """A walk-in visit of ``number`` whose biometrics finished now (Monday 23 Nov 2026)."""
    issued = client.post(f"{BASE}/tickets", json={"service": "walkin"}, headers=kiosk).get_json()
    with services.database.writer() as session, session.begin():
        visit = session.scalar(
            select(TicketRow.visit_id).where(TicketRow.id == issued["ticket_id"])
        )
        session.execute(update(VisitRow).where(VisitRow.id == visit).values(application_no=number))
        session.execute(
            update(TicketRow)
            .where(TicketRow.id == issued["ticket_id"])
            .values(station="BIO", status="done", finished_at=services.clock())
        )


def flow(services: Services, client: FlaskClient) -> None:
    """Mark, mark again, import, look up: what every database must answer alike."""
    auth = AuthActions(client)
    kiosk = bearer(services, Role.KIOSK)
    biometrics_done(services, client, kiosk, "12345678901234567")
    waiting = client.get(f"{BASE}/passports/12345678901234567", headers=bearer(services))
    assert waiting.status_code == 200, waiting.get_json()
    assert waiting.get_json()["ready"] is False
    assert waiting.get_json()["expected_on"] == "2026-11-27"  # Monday + 4 working days

    auth.login("petugas")
    marked = auth.post(READY, {"applications": ["12345678901234567", NIK, "987 654 3210"]})
    assert marked.status_code == 200, marked.get_json()
    report = marked.get_json()
    assert (report["marked"], report["already_ready"], report["refused"]) == (2, 0, 1)
    assert NIK not in marked.get_data(as_text=True)
    assert [item["result"] for item in report["items"]] == ["marked", "refused", "marked"]
    again = auth.post(READY, {"applications": ["9876543210"]}).get_json()
    assert (again["marked"], again["already_ready"]) == (0, 1)
    assert again["items"][0]["reasons"]["id"] == "sudah ditandai siap; tidak ada yang berubah"

    imported = client.post(
        f"{READY}/import", data=CSV.encode(), content_type="text/csv", headers=bearer(services)
    )
    assert imported.status_code == 200, imported.get_json()
    answer = imported.get_json()
    assert (answer["rows"], answer["marked"], answer["already_ready"]) == (5, 1, 1)
    assert [item["line"] for item in answer["rejected"]] == [3, 4, 6]
    assert "HYPERLINK" not in imported.get_data(as_text=True) and NIK not in str(answer)

    ready = auth.get(f"{BASE}/passports/PERMOHONAN:12345678901234567").get_json()
    assert (ready["ready"], ready["source"], ready["expected_on"]) == (True, "console", None)
    assert ready["message"]["id"] == "Paspor sudah siap sejak 2026-11-23."
    with services.database.reader() as session:
        found = session.execute(select(PassportReadyRow.application_no, PassportReadyRow.source))
        sources = {number: source for number, source in found}
        audited = list(
            session.scalars(
                select(AuditLogRow.details).where(AuditLogRow.action == "mark_passports_ready")
            )
        )
    assert sources == {
        "12345678901234567": "console",
        "9876543210": "console",
        "1234567890": "csv",
    }
    assert [entry["marked"] for entry in audited] == [2, 0, 1]

    services.clock.advance(days=2)  # type: ignore[attr-defined]
    token = bearer(services)
    handed = client.post(f"{BASE}/passports/9876543210/handover", json={}, headers=token)
    assert handed.status_code == 200, handed.get_json()
    listed = client.get(f"{BASE}/passports?limit=1", headers=token).get_json()
    assert (listed["total"], listed["handed_over_today"]) == (2, 1)
    assert [item["application_no"] for item in listed["items"]] == ["12345678901234567"]
    assert listed["items"][0]["days_waiting"] == 2
    rest = client.get(f"{BASE}/passports?offset=1&limit=abc", headers=token).get_json()
    assert [item["application_no"] for item in rest["items"]] == ["1234567890"]


def test_mark_import_and_look_up(services: Services, client: FlaskClient) -> None:
    flow(services, client)


@pytest.mark.postgres
def test_mark_import_and_look_up_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    config = web_config(tmp_path, database_url=pg_url)
    upgrade(config.database_url)
    built = build_services(config, clock=FakeClock(MONDAY_10_WITA))
    try:
        with built.database.writer() as session, session.begin():
            store_office(session, office_settings(), now=MONDAY_10_WITA)
        built.accounts.create_user(
            "petugas", "P", PASSWORDS["petugas"], Role.PETUGAS, actor=FIXTURE
        )
        flow(built, create_app(services=built).test_client())
    finally:
        built.close()


def test_bad_input_is_explained_and_changes_nothing(
    services: Services, client: FlaskClient, auth: AuthActions
) -> None:
    headers = bearer(services)
    nik = client.get(f"{BASE}/passports/{NIK}", headers=headers)
    assert nik.status_code == 422 and NIK not in nik.get_data(as_text=True)
    messages: dict[str, Any] = nik.get_json()["error"]["messages"]
    assert "NIK" in messages["en"] and "Bukan nomor permohonan" in messages["id"]
    empty = client.post(READY, json={"applications": []}, headers=headers)
    assert empty.status_code == 422
    header = client.post(f"{READY}/import", data=b"code\n1234567890\n", headers=headers)
    assert header.status_code == 422
    assert "baris judul" in header.get_json()["error"]["messages"]["id"]
    auth.login("laporan")
    assert auth.post(READY, {"applications": ["1234567890"]}).status_code == 403
    auth.login("admin")
    no_csrf = client.post(READY, json={"applications": ["1234567890"]})
    assert no_csrf.status_code == 403
    with services.database.reader() as session:
        assert session.scalar(select(PassportReadyRow.id)) is None
