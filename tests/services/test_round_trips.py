"""Round trips to PostgreSQL per issue (issue 13): statements sent, BEGIN and COMMIT
included, counted on the engine; a guard against new queries on the hot path."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from queue_server.domain.ids import TicketSource
from queue_server.services.issuing import IssueRequest
from queue_server.services.retries import RetryKey
from queue_server.services.unit import Actor
from tests.services.conftest import Engine

#: Now: BEGIN, office version, waiting counts (estimate), the booked check-ins queued
#: after the newcomer (estimate; only where a booked service starts at the station, as
#: in this office), quota and number upserts, visit, ticket, timeline row, stored
#: answer, outbox row, COMMIT. Issue 13's target is 3.
MAX_ROUND_TRIPS_PER_ISSUE = 12


class Trips:
    def __init__(self, engine: Engine) -> None:
        self.sent: list[str] = []
        for bound in engine.database.engines:
            event.listen(bound, "before_cursor_execute", self._statement)
            event.listen(bound, "begin", lambda _conn: self.sent.append("BEGIN"))
            event.listen(bound, "commit", lambda _conn: self.sent.append("COMMIT"))

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        self.sent.append(" ".join(statement.split()[:3]))


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_an_issue_takes_at_most_the_known_round_trips(engine: Engine) -> None:
    request = IssueRequest(office="kanim-test", service="walkin", source=TicketSource.KIOSK)
    actor = Actor(name="kiosk:k1")
    engine.issuing.issue(request, actor=actor)  # warm: the office snapshot is cached
    trips = Trips(engine)
    for index in range(5):
        engine.issuing.issue(
            request, actor=actor, retry_key=RetryKey("k1", f"t-{index}", "fingerprint")
        )
    per_issue = len(trips.sent) / 5
    assert trips.sent.count("COMMIT") == 5
    assert per_issue <= MAX_ROUND_TRIPS_PER_ISSUE, trips.sent[:14]
