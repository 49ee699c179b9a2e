"""A kiosk in drive-thru lane mode, without a window: what a scan sends and what the
driver is told (the demo desk answers as the server does); the configuration's lane."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from devices.config import device_config_from_mapping, open_devices
from devices.printer import MemoryPrinter
from kiosk import cli as kiosk_cli
from kiosk.app.main import build_flow
from kiosk.config import KioskConfigError, load
from kiosk.content import KioskContent, content_from_payload
from kiosk.demo import DEMO_PAYLOAD, DemoDesk
from kiosk.enquiry import perform_request
from kiosk.flow import Collaborators
from kiosk.flow_state import Step
from kiosk.lane import LANE_NIK, LANE_OTHER_CODE, LANE_UNCHECKED, LaneRequest, LaneResult
from kiosk.lane_flow import REPEAT_SCAN_S, LaneFlow
from queue_server.cli import main as antre
from queue_server.i18n import both
from tests.kiosk.flow_fakes import NOW, FakeClock

NIK = "6371015705900001"
READY = "2026120400001"


class CountingDesk(DemoDesk):
    """The demo desk, counting what reaches it."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str]] = []

    def drive_thru_arrival(self, lane: str, scan: str) -> Any:
        self.sent.append((lane, scan))
        return super().drive_thru_arrival(lane, scan)


@pytest.fixture
def lane_desk() -> CountingDesk:
    return CountingDesk()


@pytest.fixture
def lane(
    content: KioskContent, lane_desk: CountingDesk, printer: MemoryPrinter, clock: FakeClock
) -> LaneFlow:
    collaborators = Collaborators(
        desk=lane_desk,
        printer=printer,
        profile=printer.profile,
        monotonic=clock,
        now=lambda: NOW,
    )
    return LaneFlow(lane="lajur-1", answer_shown_s=8, content=content, collaborators=collaborators)


def answer(flow: LaneFlow) -> None:
    """What the app does: the request on a worker thread, its outcome on the UI thread."""
    request = flow.pending_request()
    assert isinstance(request, LaneRequest)
    assert flow.pending_request() is None, "a scan is sent once"
    flow.finish_request(perform_request(request, flow.collaborators, flow.content.branding))


def test_a_ready_car_gets_its_number_and_a_second_scan_is_recognised(
    lane: LaneFlow, lane_desk: CountingDesk, clock: FakeClock, printer: MemoryPrinter
) -> None:
    assert lane.state.step is Step.LANE and lane.state.message is None
    lane.scan(f"PERMOHONAN:{READY}")
    assert (lane.state.step, lane.state.lane) == (Step.LANE_ANSWER, None)  # checking
    lane.scan(READY)  # while it is checked: one car at a time
    answer(lane)
    outcome = lane.state.lane
    assert outcome is not None and (outcome.result, outcome.position) == (LaneResult.WAITING, 1)
    assert lane_desk.sent == [("lajur-1", READY)]  # the number, not the QR's text

    clock.seconds += REPEAT_SCAN_S - 1  # the scanner read the receipt twice
    lane.scan(READY)
    assert lane.pending_request() is None and lane.state.lane == outcome

    clock.seconds += 8  # the answer's time: the scan screen for the next car
    lane.tick()
    assert (lane.state.step, lane.state.lane) == (Step.LANE, None)
    lane.scan(READY)
    answer(lane)
    again = lane.state.lane
    assert again is not None and (again.result, again.position) == (LaneResult.ALREADY, 1)
    assert lane_desk.lane_cars == [READY]
    assert printer.jobs == []  # a lane kiosk prints nothing


def test_a_refusal_is_shown_in_the_chosen_language(lane: LaneFlow, clock: FakeClock) -> None:
    lane.set_language("en")
    lane.scan("2026120400009")  # the demo desk: no ready passport
    answer(lane)
    outcome = lane.state.lane
    assert outcome is not None and outcome.result is LaneResult.REFUSED
    assert lane.state.text(outcome.message).startswith("No ready passport is known")
    assert lane.state.language == "en"
    clock.seconds += 8
    lane.tick()
    assert (lane.state.step, lane.state.language) == (Step.LANE, "id")  # for the next car


def test_a_nik_or_another_code_is_answered_here_and_never_sent(
    lane: LaneFlow, lane_desk: CountingDesk, clock: FakeClock
) -> None:
    lane.scan(NIK)
    assert (lane.state.step, lane.state.message) == (Step.LANE, both(LANE_NIK))
    lane.scan("http://antre.local/t/demo-status-0001")  # a ticket's QR
    assert lane.state.message == both(LANE_OTHER_CODE)
    assert lane.pending_request() is None and lane_desk.sent == []
    clock.seconds += 8
    lane.tick()
    assert lane.state.message is None


def test_offline_nothing_is_claimed_and_nothing_is_kept(
    lane: LaneFlow, lane_desk: CountingDesk, clock: FakeClock
) -> None:
    lane_desk.offline = True
    lane.tick()
    assert lane.state.offline
    lane.scan(READY)
    answer(lane)
    outcome = lane.state.lane
    assert outcome is not None and outcome.result is LaneResult.UNCHECKED
    assert outcome.position is None and outcome.message == both(LANE_UNCHECKED)
    assert lane_desk.lane_cars == []
    lane_desk.offline = False  # back online: nothing is sent by itself
    clock.seconds += 60
    lane.tick()
    assert lane.pending_request() is None and lane_desk.lane_cars == []


def test_a_late_answer_to_an_earlier_scan_is_dropped(lane: LaneFlow, clock: FakeClock) -> None:
    lane.scan(READY)
    first = lane.pending_request()
    assert first is not None
    clock.seconds += 40  # no answer within the check's limit: the scan screen again
    lane.tick()
    assert lane.state.step is Step.LANE
    lane.scan("2026120400002")
    lane.finish_request(perform_request(first, lane.collaborators, lane.content.branding))
    assert lane.state.lane is None  # still checking the second car
    answer(lane)
    outcome = lane.state.lane  # (the first car was added, only its answer came late)
    assert outcome is not None and (outcome.seq, outcome.position) == (first.seq + 1, 2)


def test_the_lane_comes_from_the_file_or_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.yaml"
    config.write_text("lane: lajur-1\ntimeouts: {lane_answer_s: 5}\n")
    settings = load(config, {}, need_link=False).settings
    assert (settings.lane, settings.timeouts.lane_answer_s) == ("lajur-1", 5)
    assert load(None, {"ANTRE_KIOSK_LANE": "lajur-2"}, need_link=False).settings.lane == "lajur-2"
    assert load(None, {}, need_link=False).settings.lane is None
    config.write_text("lane: Lajur 1\n")
    with pytest.raises(KioskConfigError) as refused:
        load(config, {}, need_link=False)
    assert refused.value.field == "lane"


def test_lane_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``antre kiosk run --lane LANE`` reaches the configuration (over the file's), is
    checked like it, and builds the lane flow."""
    started: list[Any] = []
    monkeypatch.setattr(
        "kiosk.app.main.run", lambda config, window, demo=False: started.append(config) or 0
    )
    monkeypatch.delenv("ANTRE_KIOSK_LANE", raising=False)
    (tmp_path / "kiosk.password").write_text("s3cret-pass\n")
    config = tmp_path / "kiosk.yaml"
    config.write_text(
        "office: kanim-test\ndevice: {id: kiosk-1, password_file: kiosk.password}\nlane: a\n"
    )
    groups = [("kiosk", kiosk_cli.register)]
    run = ["kiosk", "run", "--config", str(config)]
    assert antre([*run, "--lane", "lajur-1"], command_groups=groups) == 0
    assert antre(run, command_groups=groups) == 0
    assert [started_config.settings.lane for started_config in started] == ["lajur-1", "a"]
    assert antre([*run, "--lane", "Lajur-1"], command_groups=groups) == 2
    assert "lane" in capsys.readouterr().err and len(started) == 2
    devices = open_devices(
        device_config_from_mapping({"printer": f"virtual:{tmp_path}"}, environ={}),
        on_code=lambda _code: None,
    )
    try:
        flow = build_flow(DemoDesk(), devices, content_from_payload(DEMO_PAYLOAD), lane="lajur-1")
    finally:
        devices.close()
    assert isinstance(flow, LaneFlow) and flow.state.step is Step.LANE
