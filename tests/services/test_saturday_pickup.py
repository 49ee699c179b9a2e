"""Saturday pickup-only days (Soetta "Apaan Tu"), with the demo office's own file and an
injected clock: on Saturday 08:00-12:00 only the pickup service is open, its queue state
names the session and its hours, the minute tick re-publishes the states when the session
opens and closes, and a pickup on a public holiday is refused with the holiday's name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from queue_server.domain.errors import ServiceClosedHoliday, ServiceClosedUntil
from queue_server.domain.ids import TicketSource
from queue_server.mqtt.session_watch import SessionWatch
from queue_server.services.issuing import IssueRequest
from tests.services.conftest import Engine
from tests.services.test_demo_office import DEMO, KIOSK, office_file

PICKUP, WALKIN, SESSION = "pengambilan-paspor", "paspor-walkin", "sabtu-ambil-paspor"
#: Saturday 28 November 2026, 07:59 WITA (UTC+8).
SATURDAY_0759 = datetime(2026, 11, 27, 23, 59, tzinfo=UTC)


def issue(engine: Engine, service: str) -> str:
    request = IssueRequest(office=DEMO, service=service, source=TicketSource.KIOSK)
    return engine.issuing.issue(request, actor=KIOSK).label


@pytest.fixture
def saturday(engine: Engine) -> Engine:
    engine.clock.now = SATURDAY_0759
    engine.load(office_file())
    return engine


def test_only_pickup_is_open_on_saturday_morning_and_its_state_says_until_when(
    saturday: Engine,
) -> None:
    views = saturday.views()
    assert views.open_sessions(DEMO) == frozenset()
    saturday.clock.advance(minutes=1)  # 08:00
    assert views.open_sessions(DEMO) == {(PICKUP, SESSION)}
    state = views.queue_state(DEMO, PICKUP)
    assert state.open_now and state.session == SESSION
    assert state.session_name is not None and state.session_name.en == "Saturday passport pickup"
    assert state.session_opens is not None and state.session_closes is not None
    assert (state.session_opens.strftime("%H:%M"), state.session_closes.strftime("%H:%M")) == (
        "08:00",
        "12:00",
    )
    assert state.session_closes.utcoffset() == timedelta(hours=8)  # office time
    walkin = views.queue_state(DEMO, WALKIN)
    assert not walkin.open_now and walkin.session_name is None
    assert "session_name" not in walkin.model_dump(mode="json")  # older parsers still read it
    assert issue(saturday, PICKUP) == "D-001"
    with pytest.raises(ServiceClosedUntil):
        issue(saturday, WALKIN)
    saturday.clock.now = SATURDAY_0759 + timedelta(hours=4, minutes=1)  # 12:00: closed
    assert views.open_sessions(DEMO) == frozenset()
    closed = views.queue_state(DEMO, PICKUP)
    assert not closed.open_now and closed.session_closes is None
    with pytest.raises(ServiceClosedUntil):
        issue(saturday, PICKUP)


def test_the_minute_tick_republishes_when_the_session_opens_and_closes(saturday: Engine) -> None:
    refreshed: list[str] = []
    watch = SessionWatch(saturday.views(), refreshed.append, offices=[DEMO])
    assert watch.look() == []  # the first look only remembers (07:59)
    saturday.clock.advance(minutes=1)
    assert watch.look() == [DEMO] and refreshed == [DEMO]  # 08:00: opened
    saturday.clock.advance(hours=3, minutes=59)
    assert watch.look() == []  # 11:59: nothing changed
    saturday.clock.advance(minutes=1)
    assert watch.look() == [DEMO] and refreshed == [DEMO, DEMO]  # 12:00: closed


@pytest.mark.parametrize(
    ("moment", "holiday"),
    [
        (datetime(2026, 12, 25, 2, 0, tzinfo=UTC), "Hari Raya Natal"),  # a Friday, 10:00
        (datetime(2027, 5, 1, 1, 0, tzinfo=UTC), "Hari Buruh Internasional"),  # a Saturday, 09:00
    ],
)
def test_a_pickup_on_a_public_holiday_is_refused_with_its_name(
    engine: Engine, moment: datetime, holiday: str
) -> None:
    engine.clock.now = moment
    engine.load(office_file())
    with pytest.raises(ServiceClosedHoliday) as refused:
        issue(engine, PICKUP)
    assert refused.value.params["holiday"] == holiday
    assert holiday in str(refused.value)
