"""The kiosk screen gallery: every screen, in Indonesian and in English, at one window size.

Run in its own process (Kivy keeps global state) by tests/kiosk/test_gallery.py, or by hand
to regenerate the pictures of the documentation (an X display is needed: ``xvfb-run``)::

    xvfb-run -a -s "-screen 0 1280x2000x24" \\
        python -m tests.kiosk.gallery docs/screenshots/kiosk 1024x600
    (the same with 1080x1920; or ``make kiosk-gallery`` for both)

Each screen is reached the way the app reaches it: through the flow's public actions
(what the buttons call), the scanner callback, touches on the on-screen keypads, the demo
desk (kiosk/demo.py) and the virtual printer. :data:`GALLERY` is the table: one entry per
picture, its name, the screen it must show and how it gets there; a new step needs one
entry (tests/kiosk/test_gallery.py fails while a Step has no picture). Writes
``OUT_DIR/gallery-SIZE-NAME-LANG.png`` and, with ``--report FILE`` (the test's), a JSON
report: the pictures, the screen each shows, and the texts that do not fit (buttons whose
text is larger than the button, labels whose text overflows their box or the window).
``--only welcome,ticket`` takes only those pictures. Exit code 1 when a picture could not
be taken as its entry says.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devices.screen import prepare_window
from kiosk import passport_chip
from kiosk.content import KioskContent, ServiceGroup, content_from_payload
from kiosk.demo import DEMO_PAYLOAD, DEMO_UNKNOWN_REGISTRATION, DemoDesk
from kiosk.flow_state import Step

LANGUAGES = ("id", "en")
PIN = "246810"
NIK = "6371015705900001"
WRONG_NIK = "6371019905900001"  # day 99: no date of birth
TICKET_QR = "http://antre.local/t/demo-status-0001"
#: Applications at the demo lane: ready, and (ending in 9) no ready passport known; the
#: one held while "checking" is shot is refused (its answer comes after the next picture's
#: reset: it must add no car).
LANE_READY, LANE_NOT_READY, LANE_HELD = "2026120400001", "2026120400009", "2026120400019"
#: The ICAO specimen passport of devices/smartcard/demo_cards.json (never on the reader here).
SPECIMEN_NUMBER, SPECIMEN_BIRTH, SPECIMEN_EXPIRY = "L898902C3", "12081974", "15042012"
STEP_TIMEOUT_S = 10.0
#: Frames to let layout and redraw finish before a picture is taken.
SETTLE_S = 0.25
Ready = Callable[[], bool]
#: One of the flow's actions (what a button calls), e.g. ``flow.choose_pickup(True)``.
Move = Callable[[Any], object]


class GalleryDesk(DemoDesk):
    """The demo desk, able to hold an issue while the "taking your number" screen is shot."""

    def __init__(self) -> None:
        super().__init__(first_number=7)
        self.go_on = threading.Event()
        self.go_on.set()

    def issue(self, service: str | None, **kwargs: Any) -> Any:
        self.go_on.wait(STEP_TIMEOUT_S)
        return super().issue(service, **kwargs)

    def drive_thru_arrival(self, lane: str, scan: str) -> Any:
        self.go_on.wait(STEP_TIMEOUT_S)
        return super().drive_thru_arrival(lane, scan)


class Kiosk:
    """What an entry drives: the app, its flow, the desk and the devices; ``lane_flow`` is
    the same kiosk in drive-thru lane mode (:meth:`use_lane` shows it)."""

    def __init__(
        self, app: Any, devices: Any, desk: GalleryDesk, content: KioskContent, lane_flow: Any
    ) -> None:
        self.app, self.devices, self.desk, self.content = app, devices, desk, content
        self.lane_flow = lane_flow
        #: A pickup-only Saturday (tests/kiosk/saturday.py's queue states) while True.
        self.saturday = False

    def use_lane(self, language: str) -> None:
        """The app shows the lane kiosk's flow (``reset`` goes back to the applicant's)."""
        self.app.flow = self.lane_flow
        self.lane_flow.restart()
        self.lane_flow.set_language(language)

    def pickup_only(self, _now: Any) -> Any:
        """The flow's ``pickup_only`` collaborator: Saturday 09:00's answer while on."""
        from tests.kiosk.saturday import SATURDAY_09, saturday_sessions

        return saturday_sessions().pickup_only(SATURDAY_09) if self.saturday else None

    def on_saturday(self) -> None:
        self.saturday = True
        self.flow.tick()

    @property
    def flow(self) -> Any:
        return self.app.flow

    def on(self, screen: str) -> Ready:
        return lambda: bool(self.app.root.current == screen)

    def start(self, language: str) -> None:
        self.flow.start(language)

    def walk_in(self, language: str) -> None:
        """Up to the documents question of a walk-in passport."""
        self.start(language)
        self.flow.choose_group(ServiceGroup.PASSPORT)
        self.flow.choose_service("paspor-walkin")

    def pickup(self, language: str) -> None:
        self.start(language)
        self.flow.choose_service("pengambilan-paspor")

    def ticket(self, language: str) -> Iterator[Ready]:
        self.walk_in(language)
        self.flow.answer_documents(True)
        self.flow.choose_priority(None)
        yield lambda: self.flow.state.step is Step.TICKET

    def paper_out(self, out: bool) -> None:
        from devices.printer import PrinterStatus

        self.devices.printer.printer_status = PrinterStatus(paper_out=out)

    def keypad(self) -> Any:
        screen = self.app.root.current_screen
        return getattr(screen, "entry", None) or screen.ids.get("keypad")

    def type_keys(self, keys: list[str], ok: bool = True) -> None:
        """Touch each key of the shown keypad, then OK."""
        keypad = self.keypad()
        buttons = {button.key: button for button in keypad.key_buttons() if button.key}
        for key in keys:
            _press(buttons[key])
        if ok:
            _press(keypad.key_buttons()[-1])


#: How a picture's screen is reached: acts, and yields what to wait for.
Reach = Callable[[Kiosk, str], Iterator[Ready]]


@dataclass(frozen=True)
class Entry:
    """One picture per language: ``screen`` (a Step value or a maintenance screen) shown
    after ``reach`` (which acts and yields what to wait for)."""

    name: str
    screen: str
    reach: Reach


def _welcome(k: Kiosk, language: str) -> Iterator[Ready]:
    k.flow.set_language(language)
    yield k.on("welcome")


def _unavailable(k: Kiosk, language: str) -> Iterator[Ready]:
    """No office content yet (a new kiosk that never reached the server)."""
    k.app.content_changed(KioskContent())
    yield lambda: not k.flow.content.services and k.flow.state.message is not None
    k.flow.set_language(language)
    yield k.on("welcome")


def _unknown_code(k: Kiosk, language: str) -> Iterator[Ready]:
    k.flow.set_language(language)
    k.app.code_scanned("what is this?")
    yield lambda: k.flow.state.message is not None


def _then(begin: Callable[[Kiosk, str], None], screen: str, *moves: Move) -> Reach:
    """The way to most screens: ``begin`` (:meth:`Kiosk.start`, ``walk_in`` or ``pickup``),
    the flow's actions ``moves`` in order, then wait until ``screen`` shows."""

    def reach(k: Kiosk, language: str) -> Iterator[Ready]:
        begin(k, language)
        for move in moves:
            move(k.flow)
        yield k.on(screen)

    return reach


def _passport_service(service: str) -> list[Move]:
    """The passport group, then ``service`` in it."""
    return [
        lambda flow: flow.choose_group(ServiceGroup.PASSPORT),
        lambda flow: flow.choose_service(service),
    ]


_services = _then(Kiosk.start, "services")
_info_list = _then(Kiosk.start, "info_list", lambda flow: flow.show_documents())
_info = _then(
    Kiosk.start,
    "info",
    lambda flow: flow.show_documents(),
    lambda flow: flow.choose_info("paspor-hilang-rusak"),
)
_scan = _then(Kiosk.start, "scan", *_passport_service("paspor-mpaspor"))
_bap = _then(Kiosk.start, "bap", *_passport_service("paspor-hilang-rusak"))
_pickup = _then(Kiosk.pickup, "pickup")
_proxy = _then(Kiosk.pickup, "proxy", lambda flow: flow.choose_pickup(True))
_nik = _then(Kiosk.pickup, "nik", lambda flow: flow.choose_pickup(False))
_application = _then(Kiosk.pickup, "application", lambda flow: flow.type_application())


def _application_nik(k: Kiosk, language: str) -> Iterator[Ready]:
    """A NIK typed where the application number is asked: named as such, OK stays off."""
    yield from _application(k, language)
    k.type_keys(list(NIK), ok=False)
    yield lambda: bool(k.keypad()._message.text)


_registration_step = _then(Kiosk.start, "registration", lambda flow: flow.type_registration())


def _registration(k: Kiosk, language: str) -> Iterator[Ready]:
    """ "I registered ahead": the code's own keyboard, the first characters typed."""
    yield from _registration_step(k, language)
    k.type_keys(list("ACD3"), ok=False)
    yield lambda: k.keypad()._value.text == "ACD3"


def _registration_refused(k: Kiosk, language: str) -> Iterator[Ready]:
    """A typed code the server does not know (the demo desk's XXXXXX): its refusal."""
    yield from _registration_step(k, language)
    k.type_keys(list(DEMO_UNKNOWN_REGISTRATION))
    yield lambda: k.flow.state.step is Step.PROBLEM


def _welcome_saturday(k: Kiosk, language: str) -> Iterator[Ready]:
    """A pickup-only Saturday: the banner in both languages."""
    k.on_saturday()
    k.flow.set_language(language)
    yield lambda: k.on("welcome")() and k.flow.state.pickup_only is not None


def _services_saturday(k: Kiosk, language: str) -> Iterator[Ready]:
    """A pickup-only Saturday: pickup only, and the banner."""
    k.on_saturday()
    k.start(language)
    yield lambda: k.on("services")() and k.flow.state.pickup_only is not None


_documents = _then(Kiosk.walk_in, "documents")
_requirements = _then(Kiosk.walk_in, "requirements", lambda flow: flow.answer_documents(False))
_priority = _then(Kiosk.walk_in, "priority", lambda flow: flow.answer_documents(True))


def _passport(k: Kiosk, language: str) -> Iterator[Ready]:
    k.start(language)
    k.flow.choose_group(ServiceGroup.PASSPORT)
    yield lambda: k.flow.state.group is ServiceGroup.PASSPORT


def _offline(k: Kiosk, language: str) -> Iterator[Ready]:
    """The server cannot be reached: M-Paspor is marked, a touch says why."""
    k.desk.offline = True
    k.flow.tick()
    k.start(language)
    k.flow.choose_group(ServiceGroup.PASSPORT)
    k.flow.choose_service("paspor-mpaspor")
    yield lambda: k.flow.state.message is not None


def _countdown(k: Kiosk, language: str) -> Iterator[Ready]:
    """The last seconds before the kiosk returns to the welcome screen by itself."""
    k.start(language)
    k.flow.choose_group(ServiceGroup.PASSPORT)
    k.flow.idle_timeout_s = 9.4
    k.flow.touch()
    yield lambda: k.flow.state.seconds_left is not None


def _nik_wrong(k: Kiosk, language: str) -> Iterator[Ready]:
    """A NIK typed on the keypad that cannot be one: the keypad says why, OK stays off."""
    yield from _nik(k, language)
    k.type_keys(["<clear>", *WRONG_NIK])
    yield lambda: bool(k.keypad()._message.text)


def _mrz(k: Kiosk, language: str) -> Iterator[Ready]:
    """The e-passport instead of the NIK: the passport number first."""
    yield from _nik(k, language)
    k.flow.use_passport()
    yield lambda: k.on("mrz")() and k.flow.state.mrz_field == "number"


def _mrz_birth(k: Kiosk, language: str) -> Iterator[Ready]:
    yield from _mrz(k, language)
    k.type_keys(list(SPECIMEN_NUMBER))
    yield lambda: k.on("mrz")() and k.flow.state.mrz_field == "birth"


def _chip(k: Kiosk, language: str) -> Iterator[Ready]:
    """All three details typed: the chip is being read (nothing is on the reader)."""
    yield from _mrz_birth(k, language)
    k.type_keys(list(SPECIMEN_BIRTH))
    yield lambda: k.flow.state.mrz_field == "expiry"
    k.type_keys(list(SPECIMEN_EXPIRY))
    yield lambda: k.on("chip")() and k.flow.state.chip_busy


def _chip_retry(k: Kiosk, language: str) -> Iterator[Ready]:
    """Nothing laid on the reader in time: Try again, or the NIK."""
    yield from _chip(k, language)
    yield lambda: k.on("chip")() and not k.flow.state.chip_busy


#: An office's own list for the walk-in passport (admin console, Content), as it shows.
OFFICE_LIST: dict[str, list[str]] = {
    "id": [
        "e-KTP asli dan fotokopi di kertas A4 (tidak dipotong)",
        "Kartu keluarga asli",
        "Akta kelahiran, akta perkawinan, ijazah atau surat baptis (asli)",
        "Paspor lama, bila mengganti paspor",
        "Pas foto tidak diperlukan: foto diambil di kantor",
        "Datang sendiri: paspor tidak dapat diurus oleh orang lain",
    ],
    "en": [
        "Original e-KTP and a copy on A4 paper (not cut)",
        "Original family card",
        "Birth or marriage certificate, diploma or baptism certificate (original)",
        "Old passport, if you replace one",
        "No photo needed: it is taken at the office",
        "Come in person: nobody else can apply for you",
    ],
}
#: The longest list the office file allows: 30 lines of 200 characters.
LONG_LIST: dict[str, list[str]] = {
    language: [
        f"{number:02d} {'dokumen asli ' if language == 'id' else 'original paper '}" * 14
        for number in range(1, 31)
    ]
    for language in LANGUAGES
}


def _with_office_list(k: Kiosk, lists: dict[str, list[str]]) -> Iterator[Ready]:
    payload = copy.deepcopy(DEMO_PAYLOAD)
    for service in payload["services"]:
        if service["id"] == "paspor-walkin":
            service["requirements"] = {
                key: [line[:200] for line in lines] for key, lines in lists.items()
            }
    content = content_from_payload(payload)
    k.app.content_changed(content)
    yield lambda: k.flow.content is content


def _requirements_office(k: Kiosk, language: str) -> Iterator[Ready]:
    yield from _with_office_list(k, OFFICE_LIST)
    yield from _requirements(k, language)


def _requirements_long(k: Kiosk, language: str) -> Iterator[Ready]:
    yield from _with_office_list(k, LONG_LIST)
    yield from _requirements(k, language)


def _issuing(k: Kiosk, language: str) -> Iterator[Ready]:
    k.desk.go_on.clear()  # released before the next picture
    k.walk_in(language)
    k.flow.answer_documents(True)
    k.flow.choose_priority(None)
    yield k.on("issuing")


def _ticket(k: Kiosk, language: str) -> Iterator[Ready]:
    yield from k.ticket(language)


def _ticket_priority(k: Kiosk, language: str) -> Iterator[Ready]:
    k.walk_in(language)
    k.flow.answer_documents(True)
    k.flow.choose_priority("elderly")
    yield lambda: k.flow.state.step is Step.TICKET


def _paper_out(k: Kiosk, language: str) -> Iterator[Ready]:
    """The printer is out of paper: the ticket is the screen (NIK typed on the keypad)."""
    k.paper_out(True)
    yield from _nik(k, language)
    k.type_keys(["<clear>", *NIK])
    yield k.on("priority")
    k.flow.choose_priority(None)
    yield lambda: k.flow.state.step is Step.TICKET


def _ticket_offline(k: Kiosk, language: str) -> Iterator[Ready]:
    k.desk.offline = True
    k.flow.tick()
    yield from k.ticket(language)


def _problem(k: Kiosk, language: str) -> Iterator[Ready]:
    """An M-Paspor booking already checked in: refused by the desk."""
    yield from _scan(k, language)
    k.flow.submit_code("USED12345")
    k.flow.answer_documents(True)
    yield lambda: k.flow.state.step is Step.PROBLEM


def _status(k: Kiosk, language: str) -> Iterator[Ready]:
    """An Antre ticket's QR scanned: its status, and the rating its finished step asks for."""
    k.flow.set_language(language)
    k.app.code_scanned(TICKET_QR)
    yield lambda: k.flow.state.lookup is not None


def _rated(k: Kiosk, language: str) -> Iterator[Ready]:
    yield from _status(k, language)
    k.flow.rate(4)
    yield lambda: k.flow.state.rating is not None


def _lane(k: Kiosk, language: str) -> Iterator[Ready]:
    """A drive-thru lane kiosk (``lane: lajur-1``): its scan screen."""
    k.use_lane(language)
    yield k.on("lane")


def _lane_scan(code: str, *, checking: bool = False) -> Reach:
    """The lane kiosk after ``code`` was scanned: its answer (or, with ``checking``, the
    screen while the desk holds the answer back)."""

    def reach(k: Kiosk, language: str) -> Iterator[Ready]:
        k.use_lane(language)
        yield k.on("lane")
        if checking:
            k.desk.go_on.clear()  # released before the next picture
        k.app.code_scanned(code)
        if checking:
            yield lambda: k.on("lane_answer")() and k.flow.state.lane is None
        else:
            yield lambda: k.on("lane_answer")() and k.flow.state.lane is not None

    return reach


def _lane_nik(k: Kiosk, language: str) -> Iterator[Ready]:
    """A NIK scanned at the lane: refused on the kiosk, never sent."""
    yield from _lane(k, language)
    k.app.code_scanned(NIK)
    yield lambda: k.on("lane")() and k.flow.state.message is not None


def _lane_again(k: Kiosk, language: str) -> Iterator[Ready]:
    """The same car scanned again after its answer: already in the lane."""
    yield from _lane_scan(LANE_READY)(k, language)
    yield from _lane_scan(LANE_READY)(k, language)


def _lane_offline(k: Kiosk, language: str) -> Iterator[Ready]:
    """No link to the server: the lane cannot check, nothing is claimed."""
    k.desk.offline = True
    yield from _lane_scan(LANE_READY)(k, language)


def _pin(k: Kiosk, language: str) -> Iterator[Ready]:
    """The officer's long press on the welcome screen's corner opens the PIN keypad."""
    k.flow.set_language(language)
    k.app.maintenance_mode.open_pin()
    yield k.on("maintenance_pin")


def _maintenance(k: Kiosk, language: str) -> Iterator[Ready]:
    yield from _pin(k, language)
    k.type_keys(list(PIN))
    yield lambda: bool(k.app.root.get_screen("maintenance").ids.rows.children)


#: Every picture: name, screen, how to get there. Each Step needs at least one entry.
GALLERY: tuple[Entry, ...] = (
    Entry("welcome", Step.WELCOME, _welcome),
    Entry("welcome-unavailable", Step.WELCOME, _unavailable),
    Entry("welcome-unknown-code", Step.WELCOME, _unknown_code),
    Entry("services", Step.SERVICES, _services),
    Entry("services-passport", Step.SERVICES, _passport),
    Entry("services-offline", Step.SERVICES, _offline),
    Entry("countdown", Step.SERVICES, _countdown),
    Entry("info-list", Step.INFO_LIST, _info_list),
    Entry("info", Step.INFO, _info),
    Entry("scan", Step.SCAN, _scan),
    Entry("bap", Step.BAP, _bap),
    Entry("pickup", Step.PICKUP, _pickup),
    Entry("proxy", Step.PROXY, _proxy),
    Entry("application", Step.APPLICATION, _application),
    Entry("application-nik", Step.APPLICATION, _application_nik),
    Entry("registration", Step.REGISTRATION, _registration),
    Entry("problem-registration", Step.PROBLEM, _registration_refused),
    Entry("welcome-saturday", Step.WELCOME, _welcome_saturday),
    Entry("services-saturday", Step.SERVICES, _services_saturday),
    Entry("nik", Step.NIK, _nik),
    Entry("nik-wrong", Step.NIK, _nik_wrong),
    Entry("mrz", Step.MRZ, _mrz),
    Entry("mrz-birth", Step.MRZ, _mrz_birth),
    Entry("chip", Step.CHIP, _chip),
    Entry("chip-retry", Step.CHIP, _chip_retry),
    Entry("documents", Step.DOCUMENTS, _documents),
    Entry("requirements", Step.REQUIREMENTS, _requirements),
    Entry("requirements-office", Step.REQUIREMENTS, _requirements_office),
    Entry("requirements-long", Step.REQUIREMENTS, _requirements_long),
    Entry("priority", Step.PRIORITY, _priority),
    Entry("issuing", Step.ISSUING, _issuing),
    Entry("ticket", Step.TICKET, _ticket),
    Entry("ticket-priority", Step.TICKET, _ticket_priority),
    Entry("ticket-paper-out", Step.TICKET, _paper_out),
    Entry("ticket-offline", Step.TICKET, _ticket_offline),
    Entry("problem", Step.PROBLEM, _problem),
    Entry("status", Step.STATUS, _status),
    Entry("status-rated", Step.STATUS, _rated),
    Entry("lane", Step.LANE, _lane),
    Entry("lane-nik", Step.LANE, _lane_nik),
    Entry("lane-checking", Step.LANE_ANSWER, _lane_scan(LANE_HELD, checking=True)),
    Entry("lane-waiting", Step.LANE_ANSWER, _lane_scan(f"PERMOHONAN:{LANE_READY}")),
    Entry("lane-already", Step.LANE_ANSWER, _lane_again),
    Entry("lane-refused", Step.LANE_ANSWER, _lane_scan(LANE_NOT_READY)),
    Entry("lane-offline", Step.LANE_ANSWER, _lane_offline),
    Entry("maintenance-pin", "maintenance_pin", _pin),
    Entry("maintenance", "maintenance", _maintenance),
)


def main(
    out_dir: Path, size: str, only: set[str] | None = None, report_path: Path | None = None
) -> int:
    prepare_window(size, fullscreen=False, touch=True)
    from kivy.clock import Clock
    from kivy.core.window import Window

    from devices.config import device_config_from_mapping, open_devices
    from kiosk.app.app import KioskApp
    from kiosk.app.main import build_flow
    from kiosk.maintenance import KioskMaintenance, PinGate

    out_dir.mkdir(parents=True, exist_ok=True)
    paper = tempfile.mkdtemp(prefix="antre-gallery-printer-")  # the printed tickets
    config = device_config_from_mapping(
        {"printer": f"virtual:{paper}", "card_reader": "virtual"}, environ={}
    )
    devices = open_devices(config, on_code=lambda _code: None)
    desk, content = GalleryDesk(), content_from_payload(DEMO_PAYLOAD)
    holder: list[Kiosk] = []
    flow = build_flow(desk, devices, content, pickup_only=lambda now: holder[0].pickup_only(now))
    lane_flow = build_flow(desk, devices, content, lane="lajur-1")
    for either in (flow, lane_flow):
        either.tap_guard_s = 0.0  # the gallery calls the actions one after another
    passport_chip.CHIP_TIMEOUT_S = 1.0  # "nothing on the reader" comes sooner
    maintenance = KioskMaintenance(
        gate=PinGate(PIN),
        device_id="kiosk-1",
        printer=devices.printer,
        profile=devices.printer_profile,
        printer_name="virtual",
        card_reader=devices.card_reader,
    )
    app = KioskApp(flow, maintenance=maintenance)
    lane_flow.on_change(app._show)  # (the app listens to the flow it was built with)
    kiosk = Kiosk(app, devices, desk, content, lane_flow)
    holder.append(kiosk)
    report: dict[str, Any] = {"size": size, "shots": [], "errors": []}
    jobs = [
        (entry, language)
        for entry in GALLERY
        if only is None or entry.name in only
        for language in LANGUAGES
    ]

    def reset() -> None:
        """The kiosk as an applicant finds it: online, paper in, the office's content."""
        desk.go_on.set()
        desk.offline = False
        desk.lane_cars.clear()
        app.flow = flow
        kiosk.saturday = False
        kiosk.paper_out(False)
        flow.idle_timeout_s = 60.0
        if app.maintenance_mode.is_open:
            app.maintenance_mode.close()
        if flow.content is not content:
            flow.set_content(content)
            app.office_name = content.branding.office_name
        flow.tick()
        flow.restart()

    def shoot(entry: Entry, language: str) -> None:
        current = app.root.current
        name = f"gallery-{size}-{entry.name}-{language}"
        if current != entry.screen:
            report["errors"].append(f"{name}: shows {current}, not {entry.screen}")
        if app.language != language:
            report["errors"].append(f"{name}: in {app.language}, not {language}")
        taken = Path(Window.screenshot(name=str(out_dir / f"{name}.png")))
        target = out_dir / f"{name}.png"
        taken.replace(target)
        report["shots"].append(
            {
                "name": entry.name,
                "language": language,
                "screen": current,
                "file": target.name,
                "misfits": misfits(app.root.current_screen, Window.width, Window.height),
                "texts": shown_texts(app.root.current_screen),
            }
        )

    progress: dict[str, Any] = {"job": -1, "steps": None, "wait": None, "since": 0.0}

    def next_job() -> bool:
        progress["job"] += 1
        if progress["job"] >= len(jobs):
            return False
        entry, language = jobs[progress["job"]]
        reset()
        progress["steps"] = entry.reach(kiosk, language)
        progress["wait"], progress["since"], progress["ready_at"] = None, time.monotonic(), None
        return True

    def advance(_dt: float) -> None:
        entry, language = jobs[progress["job"]]
        try:
            if time.monotonic() - progress["since"] > STEP_TIMEOUT_S:
                report["errors"].append(f"{entry.name}-{language}: stuck on {app.root.current}")
                finish_job()
                return
            wait = progress["wait"]
            if wait is None or wait():
                if progress.get("ready_at") is None:
                    progress["ready_at"] = time.monotonic()
                if time.monotonic() - progress["ready_at"] < SETTLE_S:
                    return
                progress["ready_at"] = None
                step = next(progress["steps"], None)
                if step is None:
                    shoot(entry, language)
                    finish_job()
                    return
                progress["wait"], progress["since"] = step, time.monotonic()
            else:
                progress["ready_at"] = None
        except Exception as err:  # the test shows which picture failed and why
            report["errors"].append(f"{entry.name}-{language}: {err!r}")
            finish_job()

    def finish_job() -> None:
        if not next_job():
            reset()
            app.stop()

    def begin(_dt: float) -> None:
        if next_job():
            Clock.schedule_interval(advance, 0.05)
        else:
            app.stop()

    started = time.monotonic()
    Clock.schedule_once(begin, 0.5)
    app.run()
    desk.go_on.set()
    devices.close()
    shutil.rmtree(paper, ignore_errors=True)
    report["seconds"] = round(time.monotonic() - started, 1)
    if report_path is not None:
        report_path.write_text(json.dumps(report, indent=2))
    misfit_lines = [f"{shot['file']}: {m}" for shot in report["shots"] for m in shot["misfits"]]
    for line in [*report["errors"], *misfit_lines]:
        print(line, file=sys.stderr)
    return 1 if report["errors"] else 0


def misfits(screen: Any, window_w: float, window_h: float) -> list[str]:
    """The texts on ``screen`` that do not fit: a button's larger than the button, a label's
    larger than its box (it runs over its neighbours) or outside the window."""
    from kivy.uix.button import Button
    from kivy.uix.label import Label
    from kivy.uix.scrollview import ScrollView

    found = []
    for widget in screen.walk(restrict=True):
        if not isinstance(widget, Label) or not widget.text or not _visible(widget):
            continue
        if any(isinstance(parent, ScrollView) for parent in _parents(widget)):
            continue  # the maintenance table scrolls
        text_w, text_h = widget.texture_size
        label = f"{type(widget).__name__} {widget.text[:40]!r}"
        if text_w > widget.width + 1 or text_h > widget.height + 1:
            what = "button" if isinstance(widget, Button) else "label"
            found.append(
                f"{label}: text {text_w:.0f}x{text_h:.0f} in a {what} of "
                f"{widget.width:.0f}x{widget.height:.0f}"
            )
        # Where the text is drawn: centred in the widget (as Kivy's Label draws it).
        x, y = widget.to_window(widget.center_x - text_w / 2, widget.center_y - text_h / 2)
        if x < -1 or y < -1 or x + text_w > window_w + 1 or y + text_h > window_h + 1:
            found.append(f"{label}: outside the window at {x:.0f},{y:.0f}")
    return found


def shown_texts(screen: Any) -> list[str]:
    """Every visible text on ``screen`` (labels and buttons)."""
    from kivy.uix.label import Label

    return [
        widget.text
        for widget in screen.walk(restrict=True)
        if isinstance(widget, Label) and widget.text and _visible(widget)
    ]


def _parents(widget: Any) -> Iterator[Any]:
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        yield parent
        parent = parent.parent


def _visible(widget: Any) -> bool:
    if widget.opacity <= 0 or widget.width <= 0 or widget.height <= 0:
        return False
    return all(parent.opacity > 0 for parent in _parents(widget))


def _press(button: Any) -> None:
    from kivy.tests.common import UnitTestTouch

    pointer = UnitTestTouch(*button.to_window(*button.center))
    pointer.touch_down()
    pointer.touch_up()


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.kiosk.gallery", description=__doc__)
    parser.add_argument("out_dir", type=Path, help="where the PNG files go")
    parser.add_argument("size", help="the window size, e.g. 1024x600 or 1080x1920")
    parser.add_argument("--report", type=Path, help="write the JSON report to this file")
    parser.add_argument("--only", help="only these pictures, e.g. welcome,ticket")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = parse_args(sys.argv[1:])
    only = set(args.only.split(",")) if args.only else None
    sys.exit(main(args.out_dir, args.size, only, report_path=args.report))
