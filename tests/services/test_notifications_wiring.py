"""The notification triggers over SQLite and PostgreSQL: a passport marked ready with a
phone, the ticket page's "number near" request, "BAP approved"; and the phone's purge."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select

from queue_server.domain.errors import DomainError
from queue_server.domain.events import DomainEvent
from queue_server.domain.ids import TicketSource
from queue_server.domain.passports import ReadySource
from queue_server.persistence.models import AuditLogRow, NotificationRow, TicketAlertRow
from queue_server.services.issuing import IssuedTicket, IssueRequest
from queue_server.services.notifications import (
    AlertStations,
    NotificationService,
    PhoneInvalid,
    TicketEnded,
)
from queue_server.services.passports import PassportService, ReadyEntry
from queue_server.services.unit import Actor
from tests.services.conftest import Engine, office_settings

OFFICE = "kanim-test"
PRINTER = Actor(name="printing")
OFFICER = Actor(name="officer-1")
KIOSK = Actor(name="kiosk-1")
KEY = b"phone-hash-key"
PHONE = "0812 3456 7890"


def wire(engine: Engine) -> tuple[PassportService, NotificationService]:
    notifications = NotificationService(hash_key=KEY, **engine.shared)
    engine.events.subscribe_batch(notifications.on_events)
    return PassportService(hash_key=KEY, **engine.shared), notifications


def rows(engine: Engine) -> list[NotificationRow]:
    with engine.database.reader() as session:
        return list(session.scalars(select(NotificationRow).order_by(NotificationRow.id)))


def alerts(engine: Engine) -> list[int]:
    with engine.database.reader() as session:
        return list(session.scalars(select(TicketAlertRow.ticket_id)))


def issue(engine: Engine) -> IssuedTicket:
    request = IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK)
    return engine.issuing.issue(request, actor=KIOSK)


def test_ready_with_a_phone_queues_one_message_and_a_bad_phone_refuses_its_row(
    engine: Engine,
) -> None:
    passports, _ = wire(engine)
    report = passports.mark_list(
        OFFICE,
        [
            ReadyEntry("1234567890", PHONE, "en"),
            ReadyEntry("1234567891", "12ab"),  # refused: the whole row
            "1234567892",  # no phone: marked, no message
        ],
        source=ReadySource.API,
        actor=PRINTER,
    )
    assert (report["marked"], report["refused"], report["messages_queued"]) == (2, 1, 1)
    refused = [item for item in report["items"] if item["result"] == "refused"]
    assert refused[0]["index"] == 1
    assert "phone" in refused[0]["reasons"]["en"] and "telepon" in refused[0]["reasons"]["id"]
    (row,) = rows(engine)
    assert (row.status, row.template, row.language, row.recipient) == (
        "pending",
        "passport_ready",
        "en",
        "+6281234567890",
    )
    assert row.idempotency_key == f"passport_ready:{OFFICE}:1234567890"
    # The test office has a PICKUP counter (not a drive-thru) and a Saturday pickup session.
    assert row.params["options"] == "counter,saturday"

    # Marked again by API, then imported by CSV (phone column): still one message.
    passports.mark_list(
        OFFICE, [ReadyEntry("1234567890", PHONE)], source=ReadySource.API, actor=PRINTER
    )
    csv = b"application;phone;language\n1234567890;+6281234567890;id\n1234567893;0812;id\n"
    imported = passports.import_csv(OFFICE, csv, actor=PRINTER)
    assert (imported["already_ready"], imported["messages_queued"]) == (1, 0)
    assert [item["line"] for item in imported["rejected"]] == [3]
    assert len(rows(engine)) == 1
    with engine.database.reader() as session:
        details = list(session.scalars(select(AuditLogRow.details)))
    assert not any("3456" in str(detail) for detail in details)  # no phone in the audit


def test_a_drive_thru_lane_adds_the_drive_thru_option(engine: Engine) -> None:
    passports, _ = wire(engine)
    passports.mark_list(
        OFFICE, [ReadyEntry("1234567890", PHONE)], source=ReadySource.CSV, actor=PRINTER
    )
    settings = office_settings()
    settings["drive_thru"] = {"lanes": [{"id": "lajur-1", "name": "Drive-thru"}]}
    engine.load(settings)
    passports.mark_list(
        OFFICE, [ReadyEntry("2345678901", PHONE)], source=ReadySource.CSV, actor=PRINTER
    )
    options = [row.params["options"] for row in rows(engine)]
    assert options == ["counter,saturday", "counter,drive_thru,saturday"]


def test_number_near_fires_once_at_the_threshold_not_before(engine: Engine) -> None:
    _, notifications = wire(engine)
    tickets = [issue(engine) for _ in range(6)]
    mine = tickets[5]
    with pytest.raises(PhoneInvalid):
        notifications.ask_alert(mine.token, "12", "id")
    state = notifications.ask_alert(mine.token, PHONE, "id")
    assert state.masked == "+62 812-••••-7890" and state.near == 3
    assert alerts(engine) == [mine.ticket_id] and rows(engine) == []
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)  # 4 ahead: not yet
    assert rows(engine) == []
    engine.officer.finish(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)  # 3 ahead: now
    (row,) = rows(engine)
    assert (row.template, row.params, row.status) == (
        "number_near",
        {"number": mine.label, "away": "3"},
        "pending",
    )
    assert alerts(engine) == []  # the phone moved into the message
    engine.officer.finish(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)  # 2 ahead: nothing more
    assert len(rows(engine)) == 1


def test_a_batch_of_calls_reads_the_requests_once_and_still_fires(engine: Engine) -> None:
    """A committed batch costs one read of the office's requests (none here); with a
    request at the station, the batch's calls queue its message once."""
    notifications = NotificationService(hash_key=KEY, **engine.shared)
    batch: list[DomainEvent] = []
    engine.events.subscribe_batch(batch.extend)
    tickets = [issue(engine) for _ in range(6)]
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.finish(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    reads: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "ticket_alerts" in statement:
            reads.append(statement)

    for database_engine in engine.database.engines:
        event.listen(database_engine, "before_cursor_execute", count)
    try:
        notifications.on_events(batch)
        assert len(reads) == 1 and rows(engine) == [], reads
        mine = tickets[5]  # three waiting ahead of it now: the threshold
        notifications.ask_alert(mine.token, PHONE, "en")
        notifications.on_events(batch)
        notifications.on_events(batch)
    finally:
        for database_engine in engine.database.engines:
            event.remove(database_engine, "before_cursor_execute", count)
    (row,) = rows(engine)
    assert (row.template, row.params) == ("number_near", {"number": mine.label, "away": "3"})
    assert alerts(engine) == []


def test_the_stations_with_requests_are_kept_a_second_and_read_at_once_after_a_local_request(
    engine: Engine,
) -> None:
    """Batches of calls read the office's stations with requests at most once a second; a
    request asked in this process is seen by the next batch, one asked in another server
    process once the second is over (the next call then sends its message)."""
    moment = [100.0]
    here = NotificationService(hash_key=KEY, **engine.shared)
    here.alert_stations = AlertStations(ttl_s=1.0, clock=lambda: moment[0])
    elsewhere = NotificationService(hash_key=KEY, **engine.shared)  # another process
    tickets = [issue(engine) for _ in range(7)]
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    batch: list[DomainEvent] = []
    engine.events.subscribe_batch(batch.extend)
    reads: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "ticket_alerts" in statement and "DISTINCT" in statement.upper():
            reads.append(statement)

    def call_again() -> None:
        batch.clear()
        engine.officer.finish(OFFICE, "cs-1", actor=OFFICER, end_visit=True)
        engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
        here.on_events(batch)

    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)  # tickets[0]
    for database_engine in engine.database.engines:
        event.listen(database_engine, "before_cursor_execute", count)
    try:
        here.on_events(batch)
        here.on_events(batch)
        assert len(reads) == 1  # none asked: kept
        elsewhere.ask_alert(tickets[6].token, PHONE, "en")  # five ahead: not near yet
        moment[0] += 0.5
        call_again()  # tickets[1]; four ahead now, still within the second: not read
        assert len(reads) == 1
        moment[0] += 0.6
        call_again()  # tickets[2]: read again, three ahead: near
        assert len(reads) == 2
        (row,) = rows(engine)
        assert row.params == {"number": tickets[6].label, "away": "3"}
        here.ask_alert(tickets[5].token, PHONE, "id")  # asked here: the next batch reads
        call_again()
        assert len(reads) == 3
    finally:
        for database_engine in engine.database.engines:
            event.remove(database_engine, "before_cursor_execute", count)


def test_the_phone_goes_when_the_ticket_ends(engine: Engine) -> None:
    _, notifications = wire(engine)
    tickets = [issue(engine) for _ in range(6)]
    mine = tickets[5]
    notifications.ask_alert(mine.token, PHONE, "en")
    assert alerts(engine) == [mine.ticket_id]
    engine.officer.cancel(OFFICE, mine.ticket_id, actor=OFFICER)
    assert alerts(engine) == []
    with pytest.raises(TicketEnded):
        notifications.ask_alert(mine.token, PHONE, "en")
    # Stopped by the applicant, and yesterday's requests purged by the day's housekeeping.
    other = tickets[4]
    notifications.ask_alert(other.token, PHONE, "en")
    notifications.cancel_alert(other.token)
    assert alerts(engine) == []
    notifications.ask_alert(other.token, PHONE, "en")
    assert notifications.purge_alerts() == 0
    engine.clock.advance(hours=24)
    assert notifications.purge_alerts() == 1 and alerts(engine) == []
    assert rows(engine) == []


def test_bap_approved_is_sent_once_per_visit(engine: Engine) -> None:
    _, notifications = wire(engine)
    issued = issue(engine)
    ticket = issued.ticket_id
    first = notifications.bap_approved(OFFICE, ticket, PHONE, "id", actor=OFFICER)
    again = notifications.bap_approved(OFFICE, ticket, PHONE, "en", actor=OFFICER)
    assert (first["created"], again["created"], again["id"]) == (True, False, first["id"])
    (row,) = rows(engine)
    assert (row.template, row.idempotency_key) == (
        "bap_approved",
        f"bap_approved:{OFFICE}:{issued.visit_id}",
    )
    with pytest.raises(DomainError):
        notifications.bap_approved("other-office", ticket, PHONE, "id", actor=OFFICER)


def test_admin_retry_needs_the_same_number_and_the_opt_out_list_is_masked(
    engine: Engine,
) -> None:
    passports, notifications = wire(engine)
    passports.mark_list(
        OFFICE, [ReadyEntry("1234567890", PHONE)], source=ReadySource.API, actor=PRINTER
    )
    (row,) = rows(engine)
    with engine.database.writer() as session, session.begin():
        stored = session.get_one(NotificationRow, row.id)
        stored.status, stored.recipient, stored.last_error = "failed", None, "HTTP 400"
    listed = notifications.overview(OFFICE, status="failed")
    assert listed["counts"]["failed"] == 1
    assert [item["id"] for item in listed["items"]] == [row.id]
    assert listed["items"][0]["recipient"] is None
    with pytest.raises(DomainError) as refused:
        notifications.retry(OFFICE, row.id, "0812 0000 0000", actor=OFFICER)
    assert refused.value.code == "phone_mismatch"
    assert notifications.retry(OFFICE, row.id, PHONE, actor=OFFICER)["status"] == "pending"
    (again,) = rows(engine)
    assert (again.status, again.attempts, again.recipient) == ("pending", 0, "+6281234567890")

    added = notifications.add_opt_out(PHONE, actor=OFFICER)
    assert added["recipient"] == "+62 812-••••-7890"
    assert notifications.opt_outs()[0]["recipient"] == "+62 812-••••-7890"
    assert rows(engine)[0].status == "failed"  # its queued message is stopped
    notifications.remove_opt_out(added["id"], actor=OFFICER)
    assert notifications.opt_outs() == []
