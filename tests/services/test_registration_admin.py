"""The admin's view of a day's registrations and cancelling one: the place comes back
to the quota, the kiosk refuses the code, a checked-in one stays (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from queue_server.domain.registration import RegistrationCancelled, RegistrationFull
from queue_server.i18n import both
from queue_server.persistence.models import AuditLogRow, QuotaUsageRow
from queue_server.services.registration_admin import (
    BadRegistrationDay,
    RegistrationAdmin,
    RegistrationAlreadyCancelled,
    RegistrationDayPast,
    RegistrationNotCancellable,
    RegistrationNotFound,
    parse_day,
)
from queue_server.services.registrations import RegistrationService
from queue_server.services.unit import Actor
from tests.services.conftest import Engine
from tests.services.test_registrations import KIOSK, OFFICE, register, registrations, wita

__all__ = ["registrations"]  # the fixture
ADMIN = Actor(name="admin")
TUESDAY = date(2026, 11, 24)


def used(engine: Engine, scope: str) -> int:
    with engine.database.reader() as session:
        row = session.get(QuotaUsageRow, (OFFICE, scope, TUESDAY))
        return row.used if row else 0


def test_the_day_per_window_and_cancel_gives_the_place_back(
    engine: Engine, registrations: RegistrationService
) -> None:
    admin = RegistrationAdmin(**engine.shared)
    engine.clock.now = wita(23, 19, 30)
    first = register(registrations, phone="081234567801")
    second = register(registrations, phone="081234567802", channel="whatsapp")
    engine.clock.now = wita(24, 8, 15)
    evening = register(registrations, window="petang", day=TUESDAY)
    registrations.check_in(office=OFFICE, registration=first.code, service="walkin", actor=KIOSK)

    day = admin.day(OFFICE)  # today, office time
    assert day["day"] == TUESDAY
    windows = {window["window"]: window for window in day["windows"]}
    assert windows["percepatan"] | {"names": None} == {
        "window": "percepatan",
        "names": None,
        "quota": 2,
        "places_taken": 2,
        "checked_in": 1,
        "not_come": 1,
        "cancelled": 0,
    }
    assert (windows["petang"]["quota"], windows["petang"]["not_come"]) == (2, 1)
    items = {item["code"]: item for item in day["items"]}
    assert items[first.code]["status"] == "checked_in" and items[first.code]["checked_in_at"]
    assert items[second.code]["channel"] == "whatsapp"
    assert all("phone" not in key for item in day["items"] for key in item)

    cancelled = admin.cancel(OFFICE, items[second.code]["id"], actor=ADMIN)
    assert cancelled["status"] == "cancelled" and cancelled["place_returned"]
    assert used(engine, "registration:percepatan") == 1
    admin.cancel(OFFICE, items[evening.code]["id"], actor=ADMIN)
    assert used(engine, "session:petang") == 0
    windows = {window["window"]: window for window in admin.day(OFFICE, TUESDAY)["windows"]}
    assert (windows["percepatan"]["places_taken"], windows["percepatan"]["cancelled"]) == (1, 1)

    with pytest.raises(RegistrationCancelled) as refused:  # at the kiosk
        registrations.check_in(
            office=OFFICE, registration=second.code, service="walkin", actor=KIOSK
        )
    text = both(refused.value.template, **refused.value.params)
    assert "dibatalkan" in text["id"] and "cancelled" in text["en"]
    with pytest.raises(RegistrationAlreadyCancelled):
        admin.cancel(OFFICE, items[second.code]["id"], actor=ADMIN)
    with pytest.raises(RegistrationNotCancellable):
        admin.cancel(OFFICE, items[first.code]["id"], actor=ADMIN)
    with pytest.raises(RegistrationNotFound):
        admin.cancel(OFFICE, 2_000_000_000, actor=ADMIN)
    assert used(engine, "registration:percepatan") == 1  # refusals changed nothing
    with engine.database.reader() as session:
        audited = session.scalars(
            select(AuditLogRow.target).where(AuditLogRow.action == "registration.cancel")
        ).all()
    assert sorted(audited) == sorted(
        [str(items[second.code]["id"]), str(items[evening.code]["id"])]
    )


def test_a_freed_place_can_be_taken_again(
    engine: Engine, registrations: RegistrationService
) -> None:
    admin = RegistrationAdmin(**engine.shared)
    engine.clock.now = wita(23, 19, 30)
    register(registrations, phone="081234567801")
    second = register(registrations, phone="081234567802")
    (item,) = [i for i in admin.day(OFFICE, TUESDAY)["items"] if i["code"] == second.code]
    admin.cancel(OFFICE, item["id"], actor=ADMIN)
    third = register(registrations, phone="081234567803")  # quota 2: the freed place
    assert third.code != second.code
    assert used(engine, "registration:percepatan") == 2


def test_a_past_day_is_not_cancelled_and_bad_days_are_refused(
    engine: Engine, registrations: RegistrationService
) -> None:
    admin = RegistrationAdmin(**engine.shared)
    engine.clock.now = wita(23, 19, 30)
    registered = register(registrations)
    engine.clock.now = wita(25, 9, 0)  # Wednesday: Tuesday is over
    (item,) = admin.day(OFFICE, TUESDAY)["items"]
    with pytest.raises(RegistrationDayPast):
        admin.cancel(OFFICE, item["id"], actor=ADMIN)
    assert admin.day(OFFICE, TUESDAY)["items"][0]["status"] == "confirmed"
    assert registered.code == item["code"]
    assert parse_day(None) is None and parse_day("2026-11-24") == TUESDAY
    for bad in ("24/11/2026", "2026-02-30", "2026-1-5", "2026-W48-2", "20261124xx", "x" * 500):
        with pytest.raises(BadRegistrationDay) as refused:
            parse_day(bad)
        assert len(str(refused.value)) < 200


def test_cancels_racing_with_registrations_keep_the_counter_true(
    engine: Engine, registrations: RegistrationService
) -> None:
    """Two admins cancel the same registration while applicants take places: one cancel
    wins, and the counter ends equal to the places held (never below, never lost)."""
    import threading

    admin = RegistrationAdmin(**engine.shared)
    engine.clock.now = wita(23, 19, 30)
    register(registrations, phone="081234567801")
    second = register(registrations, phone="081234567802")
    (item,) = [i for i in admin.day(OFFICE, TUESDAY)["items"] if i["code"] == second.code]
    outcomes: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def cancel() -> None:
        try:
            start.wait(timeout=30)
            admin.cancel(OFFICE, item["id"], actor=ADMIN)
            outcomes.append("cancelled")
        except RegistrationAlreadyCancelled:
            outcomes.append("already")
        except BaseException as error:  # re-raised in the main thread
            errors.append(error)

    def apply(phone: str) -> None:
        try:
            start.wait(timeout=30)
            register(registrations, phone=phone)
            outcomes.append("registered")
        except RegistrationFull:
            outcomes.append("full")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=cancel) for _ in range(2)]
    threads += [threading.Thread(target=apply, args=(f"08123456789{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a caller hung"
    assert errors == []
    assert sorted(outcomes).count("cancelled") == 1 and outcomes.count("already") == 1
    held = [i for i in admin.day(OFFICE, TUESDAY)["items"] if i["status"] != "cancelled"]
    assert len(held) == used(engine, "registration:percepatan") <= 2


def test_the_purge_counts_the_phone_hashes_it_clears(
    engine: Engine, registrations: RegistrationService
) -> None:
    from queue_server.services.retention import RetentionService

    engine.clock.now = wita(23, 20, 0)
    register(registrations, phone="081234567801")
    register(registrations)  # no phone: nothing to clear
    engine.clock.advance(days=31)
    purge = RetentionService(**engine.shared)
    assert purge.purge(30, dry_run=True, actor=ADMIN).registration_phones == 1
    assert purge.purge(30, actor=ADMIN).registration_phones == 1
    assert purge.purge(30, actor=ADMIN).registration_phones == 0
    assert len(RegistrationAdmin(**engine.shared).day(OFFICE, TUESDAY)["items"]) == 2
