"""The drive-thru lane over SQLite and PostgreSQL: a ready car waits in arrival order, a
second scan of it adds nothing, a car not ready is refused with its date and nothing is
kept, a passport is handed over once, a car can be sent to the counter; the day's figures."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from queue_server.domain.drive_thru import ArrivalStatus, CounterReason
from queue_server.domain.passports import ReadySource
from queue_server.persistence.models import AuditLogRow, DriveThruArrivalRow, PassportReadyRow
from queue_server.services.drive_thru import (
    ArrivalClosed,
    DriveThruService,
    GoToCounter,
    LaneNotFound,
)
from queue_server.services.passports import (
    ApplicationInvalid,
    PassportHandedOver,
    PassportNotDue,
    PassportService,
)
from queue_server.services.reports import ReportKind, ReportRequest, ReportService
from queue_server.services.unit import Actor
from tests.services.conftest import Engine, office_settings
from tests.services.test_passports import visit_with_biometrics

OFFICE = "kanim-test"
LANE = "lajur-1"
OFFICER = Actor(name="drive-thru", user_id=7)
LANES = {"lanes": [{"id": LANE, "name": "Drive-thru 1"}, {"id": "lajur-2", "name": "Drive-thru 2"}]}
CAR_A, CAR_B, CAR_C = "1111111111", "2222222222", "3333333333"


@pytest.fixture
def lane(engine: Engine) -> DriveThruService:
    engine.load(office_settings(drive_thru=LANES))
    passports = PassportService(**engine.shared)
    passports.mark_ready(OFFICE, [CAR_A, CAR_B, CAR_C], source=ReadySource.API, actor=OFFICER)
    return DriveThruService(passports=passports, **engine.shared)


def arrivals(engine: Engine) -> int:
    with engine.database.reader() as session:
        return int(session.scalar(select(func.count()).select_from(DriveThruArrivalRow)) or 0)


def test_ready_cars_wait_in_arrival_order_and_a_second_scan_adds_nothing(
    engine: Engine, lane: DriveThruService
) -> None:
    first = lane.arrive(OFFICE, CAR_B, lane=LANE, device="console:petugas")
    engine.clock.advance(minutes=1)
    second = lane.arrive(OFFICE, f"PERMOHONAN:{CAR_A}", lane=LANE, device="console:petugas")
    assert (first["result"], first["position"]) == ("waiting", 1)
    assert (second["result"], second["position"], second["application_no"]) == (
        "waiting",
        2,
        CAR_A,
    )
    assert second["message"]["en"] == "Please wait in the lane Drive-thru 1: you are number 2."

    engine.clock.advance(minutes=1)
    again = lane.arrive(OFFICE, CAR_A, lane="lajur-2", device="kiosk-lane")
    assert again["result"] == "already_waiting"
    assert (again["arrival_id"], again["lane"], again["position"]) == (
        second["arrival_id"],
        LANE,
        2,
    )
    assert again["message"]["en"] == (
        "This car is already in the lane Drive-thru 1, number 2; it was not added again."
    )
    assert again["message"]["id"] != again["message"]["en"]
    assert arrivals(engine) == 2

    queue = lane.lane_queue(OFFICE, LANE)
    assert [(car["application_no"], car["position"]) for car in queue["cars"]] == [
        (CAR_B, 1),
        (CAR_A, 2),
    ]
    assert lane.lane_queue(OFFICE, "lajur-2")["cars"] == []


def test_a_car_not_ready_or_unknown_is_refused_and_nothing_is_kept(
    engine: Engine, lane: DriveThruService
) -> None:
    number = "4444444444"
    visit_with_biometrics(engine, number)  # biometrics today, Monday: ready 4 working days on
    with pytest.raises(PassportNotDue) as not_due:
        lane.arrive(OFFICE, number, lane=LANE, device="console:petugas")
    assert not_due.value.params == {"day": "2026-11-27"}
    with pytest.raises(GoToCounter):
        lane.arrive(OFFICE, "5555555555", lane=LANE, device="console:petugas")
    with pytest.raises(ApplicationInvalid):
        lane.arrive(OFFICE, "3171234567890123", lane=LANE, device="console:petugas")  # a NIK
    with pytest.raises(LaneNotFound):
        lane.arrive(OFFICE, CAR_A, lane="lajur-9", device="console:petugas")
    assert arrivals(engine) == 0


def test_a_passport_is_handed_over_once_and_the_car_leaves_the_lane(
    engine: Engine, lane: DriveThruService
) -> None:
    first = lane.arrive(OFFICE, CAR_A, lane=LANE, device="console:petugas")
    engine.clock.advance(minutes=1)
    second = lane.arrive(OFFICE, CAR_B, lane=LANE, device="console:petugas")
    engine.clock.advance(minutes=4)
    done = lane.hand_over(OFFICE, first["arrival_id"], proxy=True, actor=OFFICER)
    assert (done["status"], done["at"]) == ("handed_over", engine.clock())
    with pytest.raises(ArrivalClosed):
        lane.hand_over(OFFICE, first["arrival_id"], proxy=False, actor=OFFICER)
    queue = lane.lane_queue(OFFICE, LANE)["cars"]
    assert [(car["application_no"], car["position"]) for car in queue] == [(CAR_B, 1)]
    with pytest.raises(PassportHandedOver):  # the same car back at the lane later
        lane.arrive(OFFICE, CAR_A, lane=LANE, device="console:petugas")

    sent = lane.send_to_counter(
        OFFICE, second["arrival_id"], reason=CounterReason.IDENTITY, actor=OFFICER
    )
    assert sent["status"] == ArrivalStatus.SENT_TO_COUNTER.value
    assert lane.lane_queue(OFFICE, LANE)["cars"] == []
    with engine.database.reader() as session:
        ready = session.scalar(
            select(PassportReadyRow).where(PassportReadyRow.application_no == CAR_A)
        )
        rows = {row.application_no: row for row in session.scalars(select(DriveThruArrivalRow))}
        actions = session.scalars(select(AuditLogRow.action)).all()
        audit_text = str(session.scalars(select(AuditLogRow.details)).all())
    assert ready is not None and ready.handed_over_at == engine.clock() and ready.handed_to_proxy
    assert rows[CAR_A].status == "handed_over" and rows[CAR_A].officer_id == 7
    assert (rows[CAR_B].status, rows[CAR_B].counter_reason) == ("sent_to_counter", "identity")
    assert actions.count("passport_handed_over") == 1
    assert actions.count("drive_thru_sent_to_counter") == 1
    assert CAR_A not in audit_text and CAR_B not in audit_text


def test_the_report_gives_throughput_and_handover_times_per_day(
    engine: Engine, lane: DriveThruService
) -> None:
    waits_min = [2, 6, 10]
    for number, wait in zip((CAR_A, CAR_B, CAR_C), waits_min, strict=True):
        car = lane.arrive(OFFICE, number, lane=LANE, device="console:petugas")
        engine.clock.advance(minutes=wait)
        lane.hand_over(OFFICE, car["arrival_id"], proxy=False, actor=OFFICER)
    report = ReportService(**engine.shared).report(
        ReportRequest(OFFICE, ReportKind.DRIVE_THRU, date(2026, 11, 23), date(2026, 11, 23))
    )
    assert report.table.rows == [
        {
            "day": "2026-11-23",
            "arrivals": 3,
            "handed_over": 3,
            "sent_to_counter": 0,
            "still_waiting": 0,
            "active_hours": 1,  # 10:00-10:18 WITA
            "handed_over_per_hour": 3.0,
            "handover_median_min": 6.0,
            "handover_p90_min": 10.0,
            "handover_max_min": 10.0,
        }
    ]
    other_day = ReportService(**engine.shared).report(
        ReportRequest(OFFICE, ReportKind.DRIVE_THRU, date(2026, 11, 24), date(2026, 11, 24))
    )
    assert other_day.table.rows == []


def test_one_car_scanned_at_two_lanes_at_once_waits_once(
    engine: Engine, lane: DriveThruService
) -> None:
    start = threading.Barrier(2)
    answers: list[dict[str, object]] = []

    def scan(where: str) -> None:
        start.wait(timeout=10)
        answers.append(lane.arrive(OFFICE, CAR_C, lane=where, device=f"kiosk:{where}"))

    threads = [threading.Thread(target=scan, args=(where,)) for where in (LANE, "lajur-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(str(answer["result"]) for answer in answers) == ["already_waiting", "waiting"]
    assert len({answer["arrival_id"] for answer in answers}) == 1
    assert arrivals(engine) == 1
