"""Remote registration: windows by the clock, the quota to the last place, closed days,
signed QR codes, one ticket per registration (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from queue_server.domain.errors import SessionQuotaFull
from queue_server.domain.ids import TicketSource
from queue_server.domain.registration import (
    RegistrationArrival,
    RegistrationClosed,
    RegistrationDayClosed,
    RegistrationFull,
    RegistrationInvalid,
    RegistrationNotOpenYet,
    RegistrationOtherService,
    RegistrationUsed,
    qr_text,
)
from queue_server.i18n import both
from queue_server.persistence.models import NotificationRow, RegistrationRow
from queue_server.services.issuing import IssueRequest
from queue_server.services.registrations import RegistrationService
from queue_server.services.retention import RetentionService
from queue_server.services.unit import Actor
from tests.services.conftest import Engine, office_settings

OFFICE = "kanim-test"
KEY = b"registration-test-key"
KIOSK = Actor(name="kiosk-1")
PHONE = "081234567890"
WINDOWS: list[dict[str, Any]] = [
    {
        "code": "percepatan",
        "name_id": "Layanan percepatan",
        "name_en": "Accelerated service",
        "services": ["walkin"],
        "opens_days_before": 1,
        "opens": "19:00",
        "closes": "08:00",
        "quota": 2,
        "arrive_from": "08:00",
        "arrive_until": "12:00",
    },
    {
        "code": "petang",
        "name_id": "Layanan petang",
        "name_en": "Evening service",
        "services": ["walkin"],
        "session": "petang",
        "opens": "08:00",
        "closes": "15:00",
    },
]
EVENING = {
    "code": "petang",
    "name_id": "Layanan paspor petang",
    "name_en": "Evening passport service",
    "weekdays": ["mon", "tue"],
    "opens": "16:00",
    "closes": "19:00",
    "services": ["walkin"],
    "quota": 2,
}


def wita(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A moment of November 2026 (or ``month``) given in WITA (UTC+8)."""
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Makassar")).astimezone(
        UTC
    )


@pytest.fixture
def registrations(engine: Engine) -> RegistrationService:
    settings = office_settings(registration=WINDOWS)
    settings["calendar"]["sessions"].append(EVENING)
    engine.load(settings)
    return RegistrationService(
        signing_key=KEY, hash_key=b"hash", issuing=engine.issuing, **engine.shared
    )


def register(service: RegistrationService, **given: Any) -> Any:
    return service.register(office=OFFICE, **({"window": "percepatan"} | given))


def test_registration_opens_at_19_00_the_day_before(
    engine: Engine, registrations: RegistrationService
) -> None:
    engine.clock.now = wita(23, 18, 59)  # Monday 18:59 WITA
    with pytest.raises(RegistrationNotOpenYet) as early:
        register(registrations)
    assert "23-11-2026 at 19:00" in str(early.value)
    engine.clock.now = wita(23, 19, 0)
    registered = register(registrations)
    assert registered.service_day == date(2026, 11, 24)  # for Tuesday
    assert registered.arrive_at == "08:00"
    assert registered.qr_text == qr_text(KEY, OFFICE, registered.code, date(2026, 11, 24), "walkin")
    engine.clock.now = wita(24, 8, 0)  # the service day has started: closed
    with pytest.raises(RegistrationClosed):
        register(registrations, day=date(2026, 11, 24))


def test_the_last_place_is_given_and_the_next_refused(
    engine: Engine, registrations: RegistrationService
) -> None:
    engine.clock.now = wita(23, 20, 0)
    phones = [f"08123456780{n}" for n in range(3)]  # one place per number and day
    codes = {register(registrations, phone=phone).code for phone in phones[:2]}  # quota 2
    assert len(codes) == 2
    with pytest.raises(RegistrationFull) as full:
        register(registrations, phone=phones[2], attempt="wamid.1")
    text = both(full.value.template, **full.value.params)
    assert "penuh" in text["id"] and "full" in text["en"]
    with engine.database.reader() as session:
        rows = session.scalars(select(RegistrationRow)).all()
        sent = session.scalars(select(NotificationRow).order_by(NotificationRow.id)).all()
    assert len(rows) == 2
    assert all(row.phone_hash and "3456780" not in row.phone_hash for row in rows)
    assert [row.template for row in sent] == [
        "registration_confirmed",
        "registration_confirmed",
        "registration_refused",
    ]
    assert {row.params["code"] for row in sent[:2]} == codes


def test_no_registration_for_a_closed_day(
    engine: Engine, registrations: RegistrationService
) -> None:
    engine.clock.now = wita(27, 19, 30)  # Friday evening: Saturday has no regular hours
    with pytest.raises(RegistrationDayClosed):
        register(registrations)
    engine.clock.now = wita(24, 19, 30, month=12)  # Christmas Day is a national holiday
    with pytest.raises(RegistrationDayClosed) as holiday:
        register(registrations)
    assert "25-12-2026" in str(holiday.value)


def test_a_registration_checks_in_once(engine: Engine, registrations: RegistrationService) -> None:
    engine.clock.now = wita(23, 19, 5)
    registered = register(registrations)
    engine.clock.now = wita(24, 6, 59)  # before 08:00 minus the 60 early minutes
    with pytest.raises(RegistrationArrival):
        registrations.check_in(
            office=OFFICE, registration=registered.qr_text, service="walkin", actor=KIOSK
        )
    engine.clock.now = wita(24, 8, 30)
    with pytest.raises(RegistrationOtherService):
        registrations.check_in(
            office=OFFICE, registration=registered.qr_text, service="lost", actor=KIOSK
        )
    ticket = registrations.check_in(
        office=OFFICE, registration=registered.qr_text, service="walkin", actor=KIOSK
    )
    assert ticket.label.startswith("B")
    with pytest.raises(RegistrationUsed) as again:
        registrations.check_in(
            office=OFFICE, registration=registered.code.lower(), service="walkin", actor=KIOSK
        )
    assert ticket.label in str(again.value)


def test_a_tampered_qr_is_refused(engine: Engine, registrations: RegistrationService) -> None:
    engine.clock.now = wita(23, 19, 5)
    registered = register(registrations)
    engine.clock.now = wita(24, 9, 0)
    office, code, day, service, signed = registered.qr_text.split(":")[1:]
    forged = [
        registered.qr_text.replace(f":{service}:", ":lost:"),
        registered.qr_text[:-1] + ("0" if signed[-1] != "0" else "1"),
        qr_text(b"another-key", OFFICE, code, date.fromisoformat(day), service),
        f"ANTRE-REG:{office}:{code}:{day}:{service}",
    ]
    for text in forged:
        with pytest.raises(RegistrationInvalid):
            registrations.check_in(office=OFFICE, registration=text, service="walkin", actor=KIOSK)


def test_the_evening_window_shares_the_session_quota(
    engine: Engine, registrations: RegistrationService
) -> None:
    engine.clock.now = wita(24, 9, 0)  # Tuesday morning: register for this evening
    registered = register(registrations, window="petang")
    assert registered.service_day == date(2026, 11, 24) and registered.arrive_at == "16:00"
    engine.clock.now = wita(24, 16, 5)
    walk_in = IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK)
    engine.issuing.issue(walk_in, actor=KIOSK)  # the second and last place of 2
    with pytest.raises(SessionQuotaFull):
        engine.issuing.issue(walk_in, actor=KIOSK)
    ticket = registrations.check_in(
        office=OFFICE, registration=registered.code, service="walkin", actor=KIOSK
    )
    assert ticket.session_code == "petang"  # its place was held: not refused


def test_concurrent_registrations_take_exactly_the_quota(
    engine: Engine, registrations: RegistrationService
) -> None:
    engine.clock.now = wita(23, 20, 0)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def applicant() -> None:
        try:
            start.wait(timeout=30)
            for _ in range(2):
                try:
                    outcomes.append(register(registrations).code)
                except RegistrationFull:
                    outcomes.append("full")
        except BaseException as error:  # re-raised in the main thread
            errors.append(error)

    threads = [threading.Thread(target=applicant) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "an applicant hung"
    assert errors == []
    assert sorted(outcome == "full" for outcome in outcomes) == [False] * 2 + [True] * 10
    with engine.database.reader() as session:
        assert len(session.scalars(select(RegistrationRow)).all()) == 2


def test_the_purge_clears_the_phone_hash(
    engine: Engine, registrations: RegistrationService
) -> None:
    engine.clock.now = wita(23, 20, 0)
    register(registrations, phone=PHONE)
    engine.clock.advance(days=31)
    RetentionService(**engine.shared).purge(30, actor=KIOSK)
    with engine.database.reader() as session:
        (row,) = session.scalars(select(RegistrationRow)).all()
    assert row.phone_hash is None and row.code


def test_kiosks_offer_i_registered_ahead_only_where_the_office_takes_registrations(
    engine: Engine,
) -> None:
    from queue_server.services.device_config import DeviceConfigService

    configs = DeviceConfigService(**engine.shared)
    engine.load(office_settings())  # no registration windows
    assert configs.config(OFFICE, "kiosk").registration is False  # type: ignore[union-attr]
    settings = office_settings(registration=WINDOWS)
    settings["calendar"]["sessions"].append(EVENING)
    engine.load(settings)
    configs = DeviceConfigService(**engine.shared)
    assert configs.config(OFFICE, "kiosk").registration is True  # type: ignore[union-attr]
