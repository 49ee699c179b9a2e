"""Passport pickup at the kiosk (pure flow, no window): the application number typed on the
keypad (a NIK typed by mistake named as such), the proxy choice sent with the ticket, a
refusal of a passport not yet due shown with its date, and a pickup-only Saturday."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from devices.printer import MemoryPrinter
from kiosk.content import KioskContent, ServiceGroup
from kiosk.flow import Collaborators, KioskFlow, Step
from kiosk.link.errors import Refused
from kiosk.scan_routes import TYPED_MALFORMED, TYPED_NIK, typed_application
from queue_server.i18n import both
from tests.kiosk.flow_fakes import FakeClock, FakeDesk
from tests.kiosk.saturday import (
    OPENS,
    PICKUP,
    SATURDAY_09,
    saturday_dawn_sessions,
    saturday_sessions,
)
from tests.kiosk.test_flow import run_issue

NOT_DUE = (
    "The passport of this application is not ready yet; it is expected on {day}. "
    "Please come back then."
)


def test_the_typed_number_rule_names_a_nik() -> None:
    assert typed_application(" 1234 567890 ") == "1234567890"
    assert typed_application("12345678901234567890") == "12345678901234567890"
    assert typed_application("3171234567890123") == both(TYPED_NIK)
    for bad in ("", "123456789", "123456789012345678901", "12345x7890"):
        assert typed_application(bad) == both(TYPED_MALFORMED)


def test_a_typed_application_number_and_the_proxy_choice_go_with_the_ticket(
    flow: KioskFlow, desk: FakeDesk
) -> None:
    flow.start("en")
    flow.choose_service(PICKUP)
    assert flow.state.step is Step.PICKUP and flow.application_no is None
    flow.type_application()
    assert flow.state.step is Step.APPLICATION
    flow.submit_application("3171234567890123")  # the NIK typed by mistake
    assert flow.state.step is Step.APPLICATION
    assert flow.state.text(flow.state.message).startswith("These 16 digits look like a NIK")
    assert flow.state.message is not None and "NIK" in flow.state.message["id"]
    flow.submit_application("12345")
    assert flow.state.text(flow.state.message) == both(TYPED_MALFORMED)["en"]
    flow.submit_application("1234567890")
    assert flow.state.step is Step.PICKUP and flow.application_no == "1234567890"
    flow.back()  # the keypad is not returned to: back goes where PICKUP came from
    assert flow.state.step is Step.SERVICES
    flow.choose_service(PICKUP)  # a new choice forgets the number
    assert flow.application_no is None
    flow.type_application()
    flow.submit_application("98765432109")
    flow.choose_pickup(by_proxy=True)
    flow.answer_documents(True)
    flow.choose_priority(None)
    run_issue(flow)
    assert flow.state.step is Step.TICKET
    assert desk.calls[-1][1] | {"language": "en"} == {
        "service": PICKUP,
        "language": "en",
        "priority_category": None,
        "nik": None,
        "by_proxy": True,
        "application_no": "98765432109",
    }
    assert flow.application_no is None  # sent: not kept for the next applicant


def test_a_scan_on_the_keypad_step_notes_the_number_too(flow: KioskFlow) -> None:
    flow.start()
    flow.choose_service(PICKUP)
    flow.type_application()
    flow.scan("APP:1234567890")
    assert flow.state.step is Step.PICKUP and flow.application_no == "1234567890"


@pytest.mark.parametrize(
    ("language", "words"), [("en", "expected on 2026-11-27"), ("id", "2026-11-27")]
)
def test_a_passport_not_due_shows_its_date_in_the_applicants_language(
    flow: KioskFlow, desk: FakeDesk, language: str, words: str
) -> None:
    desk.error = Refused(both(NOT_DUE, day="2026-11-27"), code="passport_not_due")
    flow.start(language)
    flow.scan("1234567890")
    flow.choose_pickup(by_proxy=True)
    flow.answer_documents(True)
    flow.choose_priority(None)
    run_issue(flow)
    state = flow.state
    assert state.step is Step.PROBLEM
    shown = state.text(state.message)
    assert words in shown and shown == both(NOT_DUE, day="2026-11-27")[language]
    assert desk.calls[0][1]["application_no"] == "1234567890"


@pytest.fixture
def saturday(
    content: KioskContent, desk: FakeDesk, printer: MemoryPrinter, clock: FakeClock
) -> tuple[KioskFlow, list[datetime]]:
    now = [SATURDAY_09]
    collaborators = Collaborators(
        desk=desk,
        printer=printer,
        profile=printer.profile,
        monotonic=clock,
        now=lambda: now[0],
        pickup_only=saturday_sessions().pickup_only,
    )
    flow = KioskFlow(content=content, collaborators=collaborators, tap_guard_s=0)
    return flow, now


def test_on_a_pickup_only_saturday_the_kiosk_offers_pickup_only_and_says_so(
    saturday: tuple[KioskFlow, list[datetime]], desk: FakeDesk
) -> None:
    flow, now = saturday
    day = flow.state.pickup_only
    assert day is not None and day.services == {PICKUP}
    assert day.banner() == {
        "id": "Hari ini (Sabtu) hanya layanan pengambilan paspor, 08.00–12.00",
        "en": "Today (Saturday): passport pickup only, 08:00–12:00",
    }
    flow.start("en")
    assert flow.offered_groups() == [ServiceGroup.PICKUP]
    flow.choose_group(ServiceGroup.PASSPORT)
    assert flow.state.step is Step.SERVICES and flow.state.message == day.not_today()
    flow.choose_service("paspor-walkin")
    assert flow.state.step is Step.SERVICES and flow.state.message == day.not_today()
    flow.home()
    flow.start("en")
    flow.scan("MP2026ABC123")  # an M-Paspor booking: not today
    assert flow.state.step is Step.SERVICES and flow.state.message == day.not_today()
    flow.type_registration()  # a registration's code: not today either
    assert flow.state.step is Step.SERVICES and flow.state.message == day.not_today()
    assert desk.calls == []
    flow.choose_group(ServiceGroup.PICKUP)
    assert flow.state.step is Step.PICKUP
    # 12:00 on the kiosk's own clock (offline: no new state came): pickup only no more.
    now[0] = SATURDAY_09 + timedelta(hours=3)
    flow.tick()
    assert flow.state.pickup_only is None
    flow.home()
    flow.start("en")
    assert ServiceGroup.PASSPORT in flow.offered_groups()


def test_what_is_open_is_kept_across_a_restart_while_offline(tmp_path: Path) -> None:
    """The saved queue states: a kiosk restarted without the server still knows the
    Saturday session (and a waiting-count change alone is not written)."""
    from kiosk.demo import DEMO_PAYLOAD
    from kiosk.link.saved_states import SavedQueueStates
    from kiosk.link.store import LocalStore
    from kiosk.sessions import OpenSessions
    from tests.kiosk.saturday import queue_state

    store = LocalStore(tmp_path / "kiosk.db")
    saved, sessions = SavedQueueStates(store), OpenSessions()
    for seq, service in enumerate(DEMO_PAYLOAD["services"], start=1):
        state = queue_state(seq, service, open_now=service["id"] == PICKUP)
        if sessions.update(state):
            saved.save(state)
    pickup = next(s for s in DEMO_PAYLOAD["services"] if s["id"] == PICKUP)
    busier = queue_state(99, pickup, open_now=True).model_copy(update={"waiting": 5})
    assert sessions.update(busier) is False  # nothing about opening changed: not written
    assert sessions.update(queue_state(1, pickup, open_now=False)) is False  # older: dropped
    store.close()

    # The kiosk app's start (kiosk/app/live.py): the saved states first, then the broker's.
    from kiosk.app.live import _keep_sessions

    class Link:
        def on_queue_state(self, callback: Any) -> None:
            self.deliver = callback

    link, reopened, again = Link(), LocalStore(tmp_path / "kiosk.db"), OpenSessions()
    _keep_sessions(again, SavedQueueStates(reopened), link)  # type: ignore[arg-type]
    day = again.pickup_only(SATURDAY_09)
    assert day is not None and day.services == {PICKUP}
    link.deliver(queue_state(100, pickup, open_now=False))  # 12:00: the broker says closed
    assert again.pickup_only(SATURDAY_09) is None
    closed = {state.service: state.open_now for state in SavedQueueStates(reopened).load()}
    assert closed[PICKUP] is False
    reopened.close()


def test_before_the_saturday_session_opens_the_kiosk_already_says_pickup_only() -> None:
    """07:00: nothing is open; the only service opening today is the pickup (08:00)."""
    sessions = saturday_dawn_sessions()
    day = sessions.pickup_only(SATURDAY_09 - timedelta(hours=2))
    assert day is not None and day.services == {PICKUP} and day.closes is None
    assert day.banner() == {
        "id": "Hari ini (Sabtu) hanya layanan pengambilan paspor, mulai 08.00",
        "en": "Today (Saturday): passport pickup only, from 08:00",
    }
    assert "from 08:00" in day.not_today()["en"]
    # Friday evening: the pickup opens tomorrow, not today: nothing to say yet.
    assert sessions.pickup_only(OPENS - timedelta(hours=14)) is None
    # 08:00 with no new state (offline): the kiosk does not guess; nothing said.
    assert sessions.pickup_only(OPENS) is None
