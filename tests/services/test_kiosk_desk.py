"""Booking check-in, offline number leases with sync, and ratings (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta

import pytest

from queue_server.domain.errors import (
    AlreadyRated,
    BookingNotFound,
    BookingOtherDay,
    BookingUsed,
    BookingWindow,
    DocumentsNotReady,
    LeaseInvalid,
    LeaseLimit,
    NothingToRate,
    OfflineNotAvailable,
    QuotaFull,
)
from queue_server.domain.ids import TicketSource
from queue_server.persistence.models import BookingRow, NumberLeaseRow, TicketRow, VisitRow
from queue_server.services.bookings import BookingEntry, CheckInRequest
from queue_server.services.offline import OfflineTicket
from queue_server.services.ratings import RatingRequest
from queue_server.services.retries import RetryKey
from tests.services.conftest import Engine
from tests.services.test_engine import KIOSK, OFFICE, OFFICER, count, issue

MONDAY = date(2026, 11, 23)


def key(transaction: str, device: str = "kiosk-1") -> RetryKey:
    return RetryKey(device=device, transaction=transaction)


def book(engine: Engine, code: str = "MP-2026-000123", slot: time = time(10, 15)) -> None:
    entry = BookingEntry(code=code, service="mpaspor", day=MONDAY, slot=slot)
    engine.bookings.import_bookings(OFFICE, [entry], actor=OFFICER)


def check_in(engine: Engine, code: str = "mp-2026-000123 ", ready: bool = True, **extra: object):  # type: ignore[no-untyped-def]
    request = CheckInRequest(office=OFFICE, code=code, documents_ready=ready)
    return engine.bookings.check_in(request, actor=KIOSK, **extra)  # type: ignore[arg-type]


# --- check-in ---------------------------------------------------------------------------


def test_check_in_issues_once_queued_by_the_slot(engine: Engine) -> None:
    book(engine)
    book(engine, code="MP-EARLY", slot=time(9, 45))
    walk_in = issue(engine, "walkin")
    first = check_in(engine, retry_key=key("t-1"))
    assert first.label == "A-001" and first.service == "mpaspor"
    assert check_in(engine, retry_key=key("t-1")) == first  # a retry: the same ticket
    with pytest.raises(BookingUsed) as used:
        check_in(engine, retry_key=key("t-2"))
    assert used.value.params["label"] == "A-001"
    second = check_in(engine, code="MP-EARLY")
    with engine.database.reader() as session:
        queued = {
            row.label: row.appointment_at or row.queued_at for row in session.query(TicketRow).all()
        }
        booking = session.query(BookingRow).filter_by(code="MP-2026-000123").one()
        assert booking.visit_id == first.visit_id and booking.checked_in_at is not None
    # The earlier slot is ahead of the later slot, whatever the arrival order.
    assert queued[second.label] < queued[first.label]
    assert walk_in is not None


def test_check_in_refusals_change_nothing(engine: Engine) -> None:
    book(engine)
    book(engine, code="MP-TOMORROW")
    with engine.database.writer() as session, session.begin():
        tomorrow = session.query(BookingRow).filter_by(code="MP-TOMORROW").one()
        tomorrow.office_day = MONDAY + timedelta(days=1)
    before = count(engine, VisitRow)
    with pytest.raises(BookingNotFound):
        check_in(engine, code="NOPE-0000")
    with pytest.raises(BookingNotFound):
        check_in(engine, code="x")  # not even the shape of a code
    with pytest.raises(BookingOtherDay):
        check_in(engine, code="MP-TOMORROW")
    with pytest.raises(DocumentsNotReady):
        check_in(engine, ready=False)
    engine.clock.advance(hours=2)  # 12:00, the slot was 10:15 (late window 30 min)
    with pytest.raises(BookingWindow):
        check_in(engine)
    assert count(engine, VisitRow) == before


def test_concurrent_check_ins_of_one_booking_issue_one_ticket(engine: Engine) -> None:
    book(engine)
    labels: list[str] = []
    refused: list[Exception] = []

    def attempt(index: int) -> None:
        try:
            labels.append(check_in(engine, retry_key=key(f"race-{index}")).label)
        except BookingUsed as error:
            refused.append(error)

    threads = [threading.Thread(target=attempt, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert labels == ["A-001"] and len(refused) == 3
    assert count(engine, VisitRow) == 1


def test_import_moves_a_slot_but_never_a_used_booking(engine: Engine) -> None:
    book(engine)
    result = engine.bookings.import_bookings(
        OFFICE,
        [
            BookingEntry("MP-2026-000123", "mpaspor", MONDAY, time(11, 0)),
            BookingEntry("MP-NEW", "mpaspor", MONDAY, time(11, 0)),
        ],
        actor=OFFICER,
    )
    assert (result.added, result.updated, result.unchanged) == (1, 1, 0)
    engine.clock.advance(minutes=30)  # 10:30, inside 11:00's early window
    check_in(engine)
    again = engine.bookings.import_bookings(
        OFFICE, [BookingEntry("MP-2026-000123", "mpaspor", MONDAY, time(14, 0))], actor=OFFICER
    )
    assert again.unchanged == 1


# --- offline leases and sync ------------------------------------------------------------


def lease(
    engine: Engine, service: str = "walkin", places: int = 5, device: str = "kiosk-1"
) -> dict[str, object]:
    return engine.offline.lease(
        OFFICE, device, service, places, retry_key=key(f"lease-{service}-{device}", device)
    )


def offline(block: dict[str, object], number: int, at: datetime) -> OfflineTicket:
    """A ticket from ``block`` that the kiosk says it printed at ``at``."""
    return OfflineTicket(str(block["lease"]), str(block["service"]), number, at)


def test_lease_reserves_a_block_and_online_numbers_continue_after_it(engine: Engine) -> None:
    first = issue(engine, "walkin")
    block = lease(engine)
    assert (block["first_label"], block["last_label"]) == ("B-002", "B-006")
    assert lease(engine) == block  # retried lease: the same block
    after = issue(engine, "walkin")
    assert after.label == "B-007"  # type: ignore[attr-defined]
    assert first is not None
    with pytest.raises(OfflineNotAvailable):
        lease(engine, "mpaspor")
    assert count(engine, NumberLeaseRow) == 1


def test_copies_of_one_lease_request_at_once_get_the_same_block(engine: Engine) -> None:
    """A resend handled by another server process while the first copy is being served."""
    blocks: list[dict[str, object]] = []
    threads = [threading.Thread(target=lambda: blocks.append(lease(engine))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(blocks) == 4 and all(block == blocks[0] for block in blocks)
    assert count(engine, NumberLeaseRow) == 1


def test_a_kiosk_holds_at_most_a_tenth_of_a_quota_so_online_issuing_goes_on(
    engine: Engine,
) -> None:
    # Regression: a kiosk asks for 50 numbers per service when it connects; with a daily
    # quota of 50 its first lease took the whole quota and every online ticket (kiosk,
    # desk, API) was refused quota_full before the first applicant came.
    block = lease(engine, "pickup", 50)  # pickup's daily quota is 3: a kiosk holds 1
    assert (block["first_label"], block["last_label"]) == ("D-001", "D-001")
    with pytest.raises(LeaseLimit):
        engine.offline.lease(OFFICE, "kiosk-1", "pickup", 5, retry_key=key("lease-again"))
    online = issue(engine, "pickup")
    assert online.label == "D-002"  # type: ignore[attr-defined]
    other = lease(engine, "pickup", 5, device="kiosk-2")  # the last place left
    assert (other["first_label"], other["last_label"]) == ("D-003", "D-003")
    with pytest.raises(QuotaFull):
        issue(engine, "pickup")  # the leased places count: nothing left online now
    with pytest.raises(QuotaFull):
        lease(engine, "pickup", 5, device="kiosk-3")
    assert count(engine, NumberLeaseRow) == 2


def test_sync_places_by_issue_time_and_accepts_each_ticket_once(engine: Engine) -> None:
    leased_at = engine.clock()
    block = lease(engine)
    engine.clock.advance(minutes=20)
    online = issue(engine, "walkin")  # issued after the offline ones below
    tickets = [
        offline(block, 2, leased_at + timedelta(minutes=2)),
        offline(block, 3, leased_at + timedelta(minutes=3)),
    ]
    outcomes = engine.offline.sync(OFFICE, "kiosk-1", tickets)
    assert [outcome.label for outcome in outcomes] == ["B-002", "B-003"]
    assert all(outcome.error is None and outcome.token for outcome in outcomes)
    resent = engine.offline.sync(OFFICE, "kiosk-1", tickets)
    assert [(o.label, o.token) for o in resent] == [(o.label, o.token) for o in outcomes]
    assert count(engine, VisitRow) == 3
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    order = []
    for _ in range(3):
        order.append(engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER).label)
        engine.officer.finish(OFFICE, "cs-1", actor=OFFICER, end_visit=True)
    assert order == ["B-002", "B-003", online.label]  # type: ignore[attr-defined]


def test_sync_refuses_numbers_outside_the_kiosks_own_lease(engine: Engine) -> None:
    block = lease(engine)
    other = lease(engine, device="kiosk-2")
    refused = engine.offline.sync(
        OFFICE,
        "kiosk-1",
        [
            offline(block, 99, engine.clock()),  # outside the block
            offline(other, int(str(other["first_number"])), engine.clock()),  # another kiosk's
            OfflineTicket("no-such-lease", "walkin", 1, engine.clock()),
        ],
    )
    assert all(isinstance(outcome.error, LeaseInvalid) for outcome in refused)
    assert count(engine, VisitRow) == 0


def test_sync_keeps_a_ticket_from_a_kiosk_with_a_wrong_clock(engine: Engine) -> None:
    leased_at = engine.clock()
    block = lease(engine)
    engine.clock.advance(minutes=10)
    hours = timedelta(hours=10)
    (future,) = engine.offline.sync(OFFICE, "kiosk-1", [offline(block, 2, leased_at + hours)])
    (past,) = engine.offline.sync(OFFICE, "kiosk-1", [offline(block, 3, leased_at - hours)])
    assert future.error is None and past.error is None
    with engine.database.reader() as session:
        queued = {row.label: row.queued_at for row in session.query(TicketRow).all()}
    assert queued["B-003"] == leased_at  # not before the lease
    assert queued["B-002"] == engine.clock()  # not after it arrived


def test_sync_of_a_lease_from_another_day_is_refused(engine: Engine) -> None:
    block = lease(engine)
    engine.clock.advance(days=1)
    (outcome,) = engine.offline.sync(OFFICE, "kiosk-1", [offline(block, 2, engine.clock())])
    assert isinstance(outcome.error, LeaseInvalid)


# --- ratings ----------------------------------------------------------------------------


def test_rating_after_bio_once(engine: Engine) -> None:
    ticket = issue(engine, "walkin")
    token = ticket.token  # type: ignore[attr-defined]
    request = RatingRequest(office=OFFICE, token=token, score=4, device="kiosk-1")
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.finish(OFFICE, "cs-1", actor=OFFICER)
    with pytest.raises(NothingToRate):  # CS asks for no rating
        engine.ratings.rate(request)
    engine.officer.open_counter(OFFICE, "bio-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "bio-1", actor=OFFICER)
    engine.officer.finish(OFFICE, "bio-1", actor=OFFICER)
    answer = engine.ratings.rate(request, retry_key=key("rate-1"))
    assert answer == {"label": "B-001", "station": "BIO", "score": 4}
    assert engine.ratings.rate(request, retry_key=key("rate-1")) == answer
    with pytest.raises(AlreadyRated):
        engine.ratings.rate(request, retry_key=key("rate-2"))


def test_an_offline_ticket_withdraws_the_unanswered_online_one(engine: Engine) -> None:
    from queue_server.services.issuing import IssueRequest

    block = lease(engine)
    request = IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK)
    # The server issued this one, but its answer never reached the kiosk in time.
    lost = engine.issuing.issue(request, actor=KIOSK, retry_key=key("slow-answer"))
    called_meanwhile = engine.issuing.issue(request, actor=KIOSK, retry_key=key("slow-2"))
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    assert engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER).label == lost.label
    number = int(str(block["first_number"]))
    outcomes = engine.offline.sync(
        OFFICE,
        "kiosk-1",
        [
            OfflineTicket(str(block["lease"]), "walkin", number, engine.clock(), replaces="slow-2"),
            OfflineTicket(
                str(block["lease"]), "walkin", number + 1, engine.clock(), replaces="slow-answer"
            ),
        ],
    )
    assert all(outcome.error is None for outcome in outcomes)
    with engine.database.reader() as session:
        status = {row.label: row.status for row in session.query(TicketRow).all()}
    assert status[called_meanwhile.label] == "cancelled"  # never called: withdrawn
    assert status[lost.label] == "called"  # already at a counter: left alone
