"""The pickup counter's handover record: ``POST .../passports/<no>/handover`` keeps when and
by whom (and whether to a proxy), once, only for a passport marked ready; audited without
the number."""

from __future__ import annotations

from sqlalchemy import select

from queue_server.domain.passports import ReadySource
from queue_server.persistence.models import AuditLogRow, PassportReadyRow
from queue_server.services.container import Services
from queue_server.services.unit import Actor
from tests.web.conftest import BASE, OFFICE, AuthActions

NUMBER = "9876543210"


def test_a_ready_passport_is_handed_over_once(services: Services, auth: AuthActions) -> None:
    services.passports.mark_ready(
        OFFICE, [NUMBER], source=ReadySource.API, actor=Actor(name="printer")
    )
    auth.login()
    assert auth.get(f"{BASE}/passports/{NUMBER}").get_json()["handed_over_at"] is None

    done = auth.post(f"{BASE}/passports/{NUMBER}/handover", {"proxy": True})
    assert done.status_code == 200, done.get_json()
    assert done.get_json() == {
        "application_no": NUMBER,
        "handed_over_at": "2026-11-23T02:00:00Z",
        "proxy": True,
    }
    status = auth.get(f"{BASE}/passports/{NUMBER}").get_json()
    assert status["ready"] is True and status["handed_over_at"] == "2026-11-23T02:00:00Z"

    again = auth.post(f"{BASE}/passports/{NUMBER}/handover", {})
    assert again.status_code == 409
    error = again.get_json()["error"]
    assert error["code"] == "passport_handed_over"
    assert error["messages"]["en"] == (
        f"The passport of application {NUMBER} was handed over already, at 23-11-2026 10:00."
    )
    assert error["messages"]["id"].startswith(f"Paspor permohonan {NUMBER} sudah diserahkan")

    with services.database.reader() as session:
        row = session.scalar(
            select(PassportReadyRow).where(PassportReadyRow.application_no == NUMBER)
        )
        audits = session.scalars(
            select(AuditLogRow).where(AuditLogRow.action == "passport_handed_over")
        ).all()
    assert row is not None and row.handed_to_proxy is True and row.handed_over_by is not None
    assert len(audits) == 1  # the refused second handover left no trace
    assert audits[0].target == f"passport_ready:{row.id}" and audits[0].details == {"proxy": True}
    assert NUMBER not in str(audits[0].target) + str(audits[0].details)


def test_a_passport_not_ready_or_a_nik_is_not_handed_over(
    services: Services, auth: AuthActions
) -> None:
    auth.login()
    refused = auth.post(f"{BASE}/passports/1111111111/handover", {})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "passport_not_ready"
    nik = auth.post(f"{BASE}/passports/3171234567890123/handover", {})
    assert nik.status_code == 422
    assert nik.get_json()["error"]["code"] == "application_invalid"
    assert "3171234567890123" not in nik.get_data(as_text=True)
    with services.database.reader() as session:
        assert session.scalars(select(PassportReadyRow)).all() == []
