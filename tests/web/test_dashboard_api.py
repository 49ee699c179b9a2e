"""The live dashboard endpoint: figures against what was played, alerts, roles."""

from __future__ import annotations

from queue_server.domain.ids import Role, TicketSource
from queue_server.persistence.models import DeviceRow
from queue_server.services.container import Services
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from tests.services.clock import FakeClock
from tests.web.conftest import BASE, AuthActions

ADMIN = Actor(name="fixture-admin", role=Role.ADMIN)


def issue(services: Services, service: str = "walkin") -> str:
    request = IssueRequest(office="kanim-test", service=service, source=TicketSource.KIOSK)
    return services.issuing.issue(request, actor=ADMIN).label


def test_the_dashboard_counts_waits_counters_throughput_and_alerts(
    services: Services, clock: FakeClock, auth: AuthActions
) -> None:
    services.officer.open_counter("kanim-test", "cs-1", actor=ADMIN)
    first = issue(services)
    clock.advance(minutes=12)
    issue(services)
    issue(services, "lost")
    clock.advance(minutes=30)
    services.officer.call_next("kanim-test", "cs-1", actor=ADMIN)
    services.officer.start("kanim-test", "cs-1", actor=ADMIN)
    clock.advance(minutes=5)  # CS's standard is 4 minutes
    with services.database.writer() as session, session.begin():
        session.add(
            DeviceRow(
                id="kiosk-a",
                office_id="kanim-test",
                kind="kiosk",
                password_hash="-",
                created_at=clock(),
                status="online",
                health={"printer": "paper_out", "scanner": "ok"},
            )
        )
        session.add(
            DeviceRow(
                id="board-1",
                office_id="kanim-test",
                kind="display",
                password_hash="-",
                created_at=clock(),
                status="online",
            )
        )
    auth.login("laporan")
    answer = auth.get(f"{BASE}/dashboard")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    queues = {item["id"]: item for item in body["services"]}
    assert queues["walkin"]["waiting"] == 1
    assert queues["walkin"]["longest_wait_minutes"] == 35.0  # the second: issued 35 min ago
    assert queues["lost"]["waiting"] == 1
    assert queues["pickup"]["waiting"] == 0 and queues["pickup"]["longest_wait_minutes"] is None
    counters = {item["code"]: item for item in body["counters"]}
    assert counters["cs-1"]["is_open"] and counters["cs-1"]["officer"] is None  # opened by fixture
    assert counters["cs-1"]["ticket"]["label"] == first
    assert counters["cs-1"]["ticket"]["minutes"] == 5.0
    assert counters["cs-1"]["ticket"]["standard_minutes"] == 4
    assert not counters["cs-2"]["is_open"] and counters["cs-2"]["ticket"] is None
    kinds = sorted(alert["kind"] for alert in body["alerts"])
    assert kinds == ["device", "long_wait", "long_wait", "over_standard"]
    assert body["wait_alert_minutes"] == 30
    quiet = auth.get(f"{BASE}/dashboard?wait_alert=60").get_json()
    assert [alert["kind"] for alert in quiet["alerts"]] == ["over_standard", "device"]
    assert quiet["alerts"][1]["problems"] == ["printer:paper_out"]
    assert [device["id"] for device in quiet["devices"]] == ["board-1", "kiosk-a"]
    services.officer.finish("kanim-test", "cs-1", actor=ADMIN, end_visit=True)
    hours = auth.get(f"{BASE}/dashboard").get_json()["throughput"]
    assert sum(hour["finished"] for hour in hours) == 1
    assert hours[-1] == {"hour": 10, "finished": 1}  # 10:47 WITA


def test_petugas_and_kiosks_may_not_read_the_dashboard(
    auth: AuthActions, kiosk: dict[str, str]
) -> None:
    assert auth.get(f"{BASE}/dashboard", **kiosk).status_code == 403
    auth.login("petugas")
    assert auth.get(f"{BASE}/dashboard").status_code == 403
    auth.login("admin")
    assert auth.get(f"{BASE}/dashboard").status_code == 200
    assert auth.get("/api/v1/offices/kanim-lain/dashboard").status_code in (403, 404)


def test_a_kiosks_outbox_is_listed_and_raises_an_alert_when_too_old(
    services: Services, clock: FakeClock, auth: AuthActions
) -> None:
    services.devices.add("kanim-test", "kiosk-a", "kiosk", "-", actor=ADMIN)
    services.devices.add("kanim-test", "kiosk-old", "kiosk", "-", actor=ADMIN)
    presence = services.presence
    made = clock()
    assert presence.record_health("kanim-test", "kiosk-a", {"printer": "ok"}, (3, made))
    assert presence.record_health("kanim-test", "kiosk-old", {"printer": "ok"})  # no outbox
    assert not presence.record_health("kanim-lain", "kiosk-a", {"printer": "ok"}, (1, made))
    clock.advance(minutes=12)
    auth.login("laporan")
    devices = {item["id"]: item for item in auth.get(f"{BASE}/devices").get_json()["items"]}
    assert devices["kiosk-a"]["outbox"] == {
        "waiting": 3,
        "oldest_at": made.isoformat().replace("+00:00", "Z"),
        "oldest_minutes": 12.0,
    }
    assert devices["kiosk-old"]["outbox"] is None
    body = auth.get(f"{BASE}/dashboard").get_json()
    outbox = [alert for alert in body["alerts"] if alert["kind"] == "outbox"]
    assert outbox == [
        {"kind": "outbox", "device": "kiosk-a", "waiting": 3, "minutes": 12.0, "threshold": 10}
    ]
    assert body["outbox_alert_minutes"] == 10
    shown = {device["id"]: device for device in body["devices"]}
    assert shown["kiosk-a"]["outbox"]["waiting"] == 3
    later = auth.get(f"{BASE}/dashboard?outbox_alert=15").get_json()
    assert [alert for alert in later["alerts"] if alert["kind"] == "outbox"] == []
    presence.record_health("kanim-test", "kiosk-a", {"printer": "ok"}, (0, None))  # delivered
    body = auth.get(f"{BASE}/dashboard").get_json()
    assert [alert for alert in body["alerts"] if alert["kind"] == "outbox"] == []


def test_the_dashboard_says_what_today_holds(
    services: Services, clock: FakeClock, auth: AuthActions
) -> None:
    """Opening hours on a weekday, the Saturday session alone, a holiday by its name."""
    auth.login("admin")

    def today() -> dict[str, object]:
        answer = auth.get(f"{BASE}/dashboard")
        assert answer.status_code == 200, answer.get_json()
        body: dict[str, object] = answer.get_json()["today"]
        return body

    monday = today()
    assert monday["date"] == "2026-11-23" and monday["holiday"] is None
    assert monday["sessions"] == [
        {"code": "regular", "name": None, "opens": "08:00", "closes": "16:00", "quota": None}
    ]
    clock.advance(days=5)  # Saturday 28 November 2026
    auth.login("admin")
    saturday = today()
    assert saturday["sessions"] == [
        {
            "code": "sabtu-ambil",
            "name": {"id": "Pengambilan paspor hari Sabtu", "en": "Saturday passport pickup"},
            "opens": "08:00",
            "closes": "12:00",
            "quota": 2,
        }
    ]
    clock.advance(days=27)  # Friday 25 December 2026, Christmas
    auth.login("admin")
    christmas = today()
    assert christmas["sessions"] == [] and "Natal" in str(christmas["holiday"])
