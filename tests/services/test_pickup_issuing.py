"""A pickup ticket carrying an application number, through the real issuing path: the
number is stored on the visit in the domain's form, a bad one is refused, and a passport
not yet due is refused with its expected day (nothing taken: no number, no quota place)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from queue_server.domain.ids import TicketSource
from queue_server.domain.passports import ReadySource
from queue_server.i18n import both
from queue_server.persistence.models import VisitRow
from queue_server.services.issuing import IssueRequest
from queue_server.services.passports import ApplicationInvalid, PassportNotDue, PassportService
from queue_server.services.unit import Actor
from tests.services.conftest import Engine
from tests.services.test_passports import visit_with_biometrics

OFFICE = "kanim-test"
KIOSK = Actor(name="kiosk:kiosk-1")


def pickup(engine: Engine, number: str | None, service: str = "pickup") -> int:
    issued = engine.issuing.issue(
        IssueRequest(
            office=OFFICE, service=service, source=TicketSource.KIOSK, application_no=number
        ),
        actor=KIOSK,
    )
    return issued.visit_id


def stored(engine: Engine, visit: int) -> str | None:
    with engine.database.reader() as session:
        return session.scalar(select(VisitRow.application_no).where(VisitRow.id == visit))


def visits(engine: Engine) -> int:
    with engine.database.reader() as session:
        return int(session.scalar(select(func.count()).select_from(VisitRow)) or 0)


def test_the_number_is_stored_in_its_domain_form_and_old_requests_still_work(
    engine: Engine,
) -> None:
    assert stored(engine, pickup(engine, "APP: 1234567890")) == "1234567890"
    assert stored(engine, pickup(engine, None)) is None  # an old kiosk sends none
    # Another service may carry it too (the biometrics flow); no readiness check there.
    assert stored(engine, pickup(engine, "12345678901234567", service="walkin")) == (
        "12345678901234567"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [("3171234567890123", "NIK"), ("12345", "10 to 20 digits"), ("   ", "empty")],
)
def test_a_bad_number_is_refused_with_a_reason_and_changes_nothing(
    engine: Engine, text: str, reason: str
) -> None:
    before = visits(engine)
    with pytest.raises(ApplicationInvalid) as refused:
        pickup(engine, text)
    assert reason in str(refused.value)
    problem = refused.value.params["problem"]
    assert isinstance(problem, dict) and problem["id"] and problem["id"] != problem["en"]
    assert text.strip() == "" or text not in str(refused.value)  # never echoed
    assert visits(engine) == before


def test_a_passport_not_yet_due_is_refused_with_its_day_then_issued_when_due(
    engine: Engine,
) -> None:
    # Biometrics on Monday 23 November 2026: expected on Friday 27 November.
    visit_with_biometrics(engine, "1234567890")
    before = visits(engine)
    with pytest.raises(PassportNotDue) as refused:
        pickup(engine, "1234567890")
    assert refused.value.params == {"day": "2026-11-27"}
    texts = both(refused.value.template, **refused.value.params)
    assert "2026-11-27" in texts["en"] and "diperkirakan selesai pada 2026-11-27" in texts["id"]
    assert visits(engine) == before
    # The pickup quota is 3: refusals took no place, so three tickets still fit.
    engine.clock.advance(days=4)  # Friday: the day has come, even before it is marked
    assert [stored(engine, pickup(engine, "1234567890")) for _ in range(3)] == ["1234567890"] * 3


def test_a_passport_marked_ready_early_is_issued_and_an_unknown_one_too(engine: Engine) -> None:
    visit_with_biometrics(engine, "1234567890")
    PassportService(**engine.shared).mark_list(
        OFFICE, ["1234567890"], source=ReadySource.API, actor=KIOSK
    )
    assert stored(engine, pickup(engine, "1234567890")) == "1234567890"
    # No biometrics recorded here: the office cannot tell, the counter checks.
    assert stored(engine, pickup(engine, "9999999999")) == "9999999999"
