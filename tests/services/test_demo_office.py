"""The shipped demo office: usable at any hour under ``--demo``, and true to the SOPs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from queue_server.demo import DEMO_OFFICE_FILE, demo_settings
from queue_server.domain.errors import ServiceClosed
from queue_server.domain.ids import StationType, TicketSource
from queue_server.office_config import load_office_file
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from tests.services.conftest import Engine

DEMO = "kanim-banjarmasin"
KIOSK = Actor(name="kiosk-1")
OFFICER = Actor(name="officer-1", user_id=None)
#: Sunday 29 November 2026, 23:00 WITA.
SUNDAY_23_WITA = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
#: Friday 25 December 2026 (Christmas), 03:00 WITA.
CHRISTMAS_NIGHT_WITA = datetime(2026, 12, 24, 19, 0, tzinfo=UTC)


def office_file() -> dict[str, Any]:
    data, _definition = load_office_file(DEMO_OFFICE_FILE)
    return dict(data)


def issue(engine: Engine, service: str = "paspor-walkin") -> Any:
    request = IssueRequest(office=DEMO, service=service, source=TicketSource.KIOSK)
    return engine.issuing.issue(request, actor=KIOSK)


@pytest.mark.parametrize("moment", [SUNDAY_23_WITA, CHRISTMAS_NIGHT_WITA])
def test_the_office_file_alone_is_closed_at_night(engine: Engine, moment: datetime) -> None:
    engine.clock.now = moment
    engine.load(office_file())
    with pytest.raises(ServiceClosed):
        issue(engine)


@pytest.mark.parametrize("moment", [SUNDAY_23_WITA, CHRISTMAS_NIGHT_WITA])
def test_the_demo_issues_at_night_on_sundays_and_holidays(engine: Engine, moment: datetime) -> None:
    engine.clock.now = moment
    engine.load(demo_settings(office_file(), "http://127.0.0.1:8080"))
    assert issue(engine).label == "B-001"
    assert issue(engine, "pengambilan-paspor").label == "D-001"


def test_the_demo_is_marked_and_the_office_file_is_not_changed() -> None:
    original = office_file()
    settings = demo_settings(original, "http://127.0.0.1:9000")
    assert settings["office"]["demo"] is True
    assert settings["office"]["public_base_url"] == "http://127.0.0.1:9000"
    assert "demo" not in original["office"]
    assert original["office"]["public_base_url"] == "http://127.0.0.1:8080"


def test_customer_service_hands_out_a_new_number_for_biometrics(engine: Engine) -> None:
    """Seed 004, M-Paspor step 4 and priority step 2: CS gives a BIO queue number."""
    engine.load(office_file())
    ticket = issue(engine)
    engine.officer.open_counter(DEMO, "cs-1", actor=OFFICER)
    engine.officer.call_next(DEMO, "cs-1", actor=OFFICER)
    _, following = engine.officer.finish(DEMO, "cs-1", actor=OFFICER)
    assert ticket.label == "B-001"
    assert following is not None
    assert (following.label, following.station) == ("BI-001", StationType.BIO)


def test_a_priority_applicant_gets_a_ramah_ham_number(engine: Engine) -> None:
    engine.load(office_file())
    request = IssueRequest(
        office=DEMO,
        service="paspor-walkin",
        source=TicketSource.KIOSK,
        priority_category="elderly",
    )
    engine.issuing.issue(request, actor=KIOSK)
    engine.officer.open_counter(DEMO, "ramah-ham", actor=OFFICER)
    engine.officer.call_next(DEMO, "ramah-ham", actor=OFFICER)
    _, following = engine.officer.finish(DEMO, "ramah-ham", actor=OFFICER)
    assert following is not None
    assert (following.label, following.station) == ("BP-001", StationType.BIO_PRIORITY)


def test_one_number_per_visit_stays_an_office_choice(engine: Engine) -> None:
    settings = office_file()
    settings["office"]["numbering"] = "keep"
    engine.load(settings)
    issue(engine)
    engine.officer.open_counter(DEMO, "cs-1", actor=OFFICER)
    engine.officer.call_next(DEMO, "cs-1", actor=OFFICER)
    _, following = engine.officer.finish(DEMO, "cs-1", actor=OFFICER)
    assert following is not None and following.label == "B-001"


def test_bap_approval_is_four_calendar_days_as_the_sop_says() -> None:
    """Seed 004 L202: "disetujui dalam 4 (empat hari)" -- days, not "hari kerja"."""
    _data, definition = load_office_file(DEMO_OFFICE_FILE)
    services = {service.id: service for service in definition.services}
    journey = services["paspor-hilang-rusak"].journey
    bio, pickup = journey[2], journey[3]
    assert bio.station is StationType.BIO
    assert (bio.after_days, bio.after_working_days, bio.later_visit) == (4, 0, True)
    assert (pickup.after_days, pickup.after_working_days) == (0, 4)


def test_the_bap_visit_ends_after_the_bap(engine: Engine) -> None:
    engine.load(office_file())
    issue(engine, "paspor-hilang-rusak")
    engine.officer.open_counter(DEMO, "cs-1", actor=OFFICER)
    engine.officer.call_next(DEMO, "cs-1", actor=OFFICER)
    _, at_bap = engine.officer.finish(DEMO, "cs-1", actor=OFFICER)
    assert at_bap is not None and at_bap.station == StationType.BAP
    engine.officer.open_counter(DEMO, "bap", actor=OFFICER)
    engine.officer.call_next(DEMO, "bap", actor=OFFICER)
    _, after_bap = engine.officer.finish(DEMO, "bap", actor=OFFICER)
    assert after_bap is None  # biometrics come on a later visit, after the approval


def test_kiosks_get_the_public_base_url_in_config_kiosk(engine: Engine) -> None:
    from queue_server.services.device_config import DeviceConfigService

    engine.load(demo_settings(office_file(), "http://192.0.2.10:8080"))
    configs = DeviceConfigService(**engine.shared)
    kiosk = configs.config(DEMO, "kiosk").model_dump()
    assert kiosk["public_base_url"] == "http://192.0.2.10:8080"
    assert "public_base_url" not in configs.config(DEMO, "display").model_dump()
