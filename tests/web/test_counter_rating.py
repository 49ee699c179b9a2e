"""The counter screen's rating question: asked only after steps that ask, answered once,
refused when late, for another counter or ticket, and cleared by the counter's next call."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from queue_server.domain.ids import Role
from queue_server.persistence.models import AuditLogRow, RatingRow, TicketRow, UserRow
from queue_server.services.container import Services
from queue_server.services.unit import Actor
from tests.services.clock import FakeClock
from tests.web.conftest import BASE, AuthActions, count_rows
from tests.web.test_officer_flow import issue

CS = f"{BASE}/counters/cs-1"
BIO = f"{BASE}/counters/bio-1"


def counter(auth: AuthActions, code: str) -> dict[str, Any]:
    items = auth.get(f"{BASE}/counters").get_json()["items"]
    found: dict[str, Any] = next(item for item in items if item["code"] == code)
    return found


def finish_at_bio(auth: AuthActions) -> str:
    """Walk one walk-in ticket through CS to the end of BIO (a step that asks); its label."""
    label = str(issue(auth)["label"])
    for path in (CS, BIO):
        auth.post(f"{path}/open")
        assert auth.post(f"{path}/call-next").get_json()["ticket"]["label"] == label
        auth.post(f"{path}/start")
        auth.post(f"{path}/finish")
    return label


def rate(auth: AuthActions, path: str, ticket: str, score: int, lang: str = "en") -> Any:
    return auth.post(
        f"{path}/rating", {"ticket": ticket, "score": score}, **{"Accept-Language": lang}
    )


@pytest.fixture
def officer(auth: AuthActions) -> AuthActions:
    auth.login("petugas")
    return auth


def test_a_step_that_asks_puts_the_question_on_its_counter(officer: AuthActions) -> None:
    label = str(issue(officer)["label"])
    officer.post(f"{CS}/open")
    officer.post(f"{CS}/call-next")
    officer.post(f"{CS}/finish")  # CS does not ask for a rating
    assert "rating" not in counter(officer, "cs-1")
    officer.post(f"{BIO}/open")
    officer.post(f"{BIO}/call-next")
    officer.post(f"{BIO}/finish")  # BIO does
    prompt = counter(officer, "bio-1")["rating"]
    assert prompt["ticket_label"] == label
    assert prompt["until"] > prompt["asked_at"]
    assert "rating" not in counter(officer, "cs-1")


def test_the_answer_is_recorded_once_against_ticket_counter_and_officer(
    officer: AuthActions, services: Services
) -> None:
    label = finish_at_bio(officer)
    answer = rate(officer, BIO, label, 4)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"label": label, "station": "BIO", "score": 4}
    with services.database.reader() as session:
        rating = session.scalars(select(RatingRow)).one()
        ticket = session.get(TicketRow, rating.ticket_id)
        petugas = session.scalars(select(UserRow).where(UserRow.username == "petugas")).one()
        audited = session.scalars(select(AuditLogRow).where(AuditLogRow.action == "rate")).all()
    assert ticket is not None and (ticket.label, ticket.station) == (label, "BIO")
    assert (rating.score, rating.station, rating.counter_pk) == (4, "BIO", ticket.counter_pk)
    assert rating.user_id == petugas.id
    assert len(audited) == 1
    assert "rating" not in counter(officer, "bio-1")  # the question is gone

    again = rate(officer, BIO, label, 1)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "already_rated"
    assert count_rows(services, RatingRow) == 1


def test_a_late_answer_is_refused_and_changes_nothing(
    officer: AuthActions, services: Services, clock: FakeClock
) -> None:
    label = finish_at_bio(officer)
    clock.advance(seconds=31)  # the test office keeps the default 30 s
    late = rate(officer, BIO, label, 3, lang="id")
    assert late.status_code == 409
    error = late.get_json()["error"]
    assert error["code"] == "rating_timed_out"
    assert error["message"] == "Waktu untuk menilai layanan ini sudah habis."
    assert error["messages"]["en"] == "The time to rate this service has passed."
    assert count_rows(services, RatingRow) == 0
    assert "rating" not in counter(officer, "bio-1")  # an expired question is not shown


def test_an_answer_for_another_counter_or_ticket_is_refused(
    officer: AuthActions, services: Services
) -> None:
    label = finish_at_bio(officer)
    elsewhere = rate(officer, CS, label, 4)
    assert elsewhere.status_code == 409
    assert elsewhere.get_json()["error"]["code"] == "rating_not_asked"
    assert "CS 1" in elsewhere.get_json()["error"]["messages"]["en"]
    other_ticket = rate(officer, BIO, "Z-999", 4)
    assert other_ticket.get_json()["error"]["code"] == "rating_not_asked"
    assert count_rows(services, RatingRow) == 0
    assert counter(officer, "bio-1")["rating"]["ticket_label"] == label  # still asking


def test_the_next_call_at_the_counter_clears_the_question(
    officer: AuthActions, services: Services
) -> None:
    label = finish_at_bio(officer)
    issue(officer)
    officer.post(f"{CS}/call-next")
    officer.post(f"{CS}/finish")
    assert counter(officer, "bio-1")["rating"]["ticket_label"] == label  # CS's call: not here
    officer.post(f"{BIO}/call-next")
    assert "rating" not in counter(officer, "bio-1")
    refused = rate(officer, BIO, label, 2)
    assert refused.get_json()["error"]["code"] == "rating_not_asked"
    assert count_rows(services, RatingRow) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"score": 0},
        {"score": 5},
        {"score": "4"},
        {"score": 3.5},
        {"score": 3, "ticket": ""},
        {"score": 3, "ticket": None},
        {"score": 3, "extra": 1},
    ],
)
def test_bad_bodies_are_refused(
    officer: AuthActions, services: Services, body: dict[str, Any]
) -> None:
    label = finish_at_bio(officer)
    response = officer.post(f"{BIO}/rating", {"ticket": label} | body)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["messages"]) == {"id", "en"}
    assert count_rows(services, RatingRow) == 0
    assert counter(officer, "bio-1")["rating"]["ticket_label"] == label


def test_only_officers_and_the_counter_screen_may_answer(
    client: FlaskClient, auth: AuthActions, kiosk: dict[str, str], services: Services
) -> None:
    auth.login("petugas")
    label = finish_at_bio(auth)
    auth.logout()
    anonymous = client.post(f"{BIO}/rating", json={"ticket": label, "score": 4})
    assert anonymous.status_code == 401
    machine = client.post(f"{BIO}/rating", json={"ticket": label, "score": 4}, headers=kiosk)
    assert machine.status_code == 403
    auth.login("laporan")
    assert rate(auth, BIO, label, 4).status_code == 403
    assert count_rows(services, RatingRow) == 0


def test_another_officer_may_not_answer_for_the_counter(
    officer: AuthActions, services: Services
) -> None:
    label = finish_at_bio(officer)  # "petugas" opened bio-1
    services.accounts.create_user(
        "petugas-2", "Petugas Dua", "petugas-password-2", Role.PETUGAS, actor=Actor(name="t")
    )
    officer.logout()
    officer.login("petugas-2", "petugas-password-2")
    refused = rate(officer, BIO, label, 4)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "rating_other_officer"
    assert count_rows(services, RatingRow) == 0
    officer.logout()
    officer.login("admin")
    assert rate(officer, BIO, label, 4).status_code == 200


def test_a_score_written_as_a_whole_json_number_counts_and_other_types_are_refused(
    officer: AuthActions, services: Services
) -> None:
    # JSON and the OpenAPI document's "integer" take 4.0 as 4 (schemathesis sent it and
    # got 422); a string, a boolean, a fraction or a huge number still changes nothing.
    label = finish_at_bio(officer)
    for score in ("4", True, 3.5, 1e300, [4], {"n": 4}):
        refused = officer.post(f"{BIO}/rating", {"ticket": label, "score": score})
        assert refused.status_code == 422, (score, refused.get_json())
    assert count_rows(services, RatingRow) == 0
    answered = officer.post(f"{BIO}/rating", {"ticket": label, "score": 4.0})
    assert answered.status_code == 200, answered.get_json()
    with services.database.reader() as session:
        assert session.scalars(select(RatingRow.score)).all() == [4]
