"""Report figures against an independent computation over a generated day of tickets.

The day is played through the real use cases with the fake clock; the test notes every
time itself as it acts (its own log, not the database) and recomputes each figure from
that log with plain Python, then compares with what the reports read back (SQL).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from queue_server.domain.errors import QueueEmpty
from queue_server.domain.ids import Role, TicketSource
from queue_server.persistence.db import open_database
from queue_server.persistence.migrate import upgrade
from queue_server.persistence.models import UserRow
from queue_server.services.issuing import IssueRequest
from queue_server.services.officer import TicketView, TransferTarget
from queue_server.services.ratings import CounterRating
from queue_server.services.reports import Group, ReportKind, ReportRequest, ReportService
from queue_server.services.reports.figures import NaiveEstimator, OfficeFacts
from queue_server.services.reports.records import CallRecord, TicketRecord
from queue_server.services.reports.service import (
    BadReportDate,
    BadReportGroup,
    MissingReportDate,
    ReportRangeReversed,
    ReportRangeTooLong,
    UnknownReportKind,
    UnknownStation,
    check_group,
    check_station,
    parse_day,
    parse_kind,
)
from queue_server.services.unit import Actor
from tests.services.clock import MONDAY_10_WITA, FakeClock
from tests.services.conftest import Engine, office_settings
from tests.support.postgres import PostgresServer

OFFICE = "kanim-test"
WITA = ZoneInfo("Asia/Makassar")
MONDAY = date(2026, 11, 23)
KIOSK = Actor(name="kiosk-1")
#: SOP standard minutes of the test office's journeys (tests/services/office.yaml).
STANDARDS = {("walkin", 0): 4, ("walkin", 1): 10, ("lost", 0): 4, ("lost", 1): 30}
COUNTERS = {"cs-1": "petugas-a", "cs-2": "petugas-b", "bio-1": "petugas-c", "bap-1": "petugas-d"}


@dataclass
class Noted:
    """What the test saw happen to one ticket."""

    service: str
    station: str
    step: int
    queued: datetime
    predicted: float | None = None
    first_call: datetime | None = None
    last_call: datetime | None = None
    start: datetime | None = None
    finish: datetime | None = None
    left_waiting: datetime | None = None
    status: str = "waiting"
    counter: str | None = None
    officer: str | None = None
    no_show: bool = False
    transferred: bool = False
    cancelled: bool = False

    @property
    def wait(self) -> float | None:
        return None if self.first_call is None else minutes(self.first_call - self.queued)

    @property
    def service_time(self) -> float | None:
        began = self.start or self.last_call
        if self.status not in ("done", "transferred") or self.finish is None or began is None:
            return None
        return minutes(self.finish - began)


@dataclass
class Day:
    tickets: dict[int, Noted] = field(default_factory=dict)
    issued: dict[str, int] = field(default_factory=dict)
    #: (station, counter, officer, score)
    ratings: list[tuple[str, str, str, int]] = field(default_factory=list)
    #: (station, at, counter) of every call
    calls: list[tuple[str, datetime, str]] = field(default_factory=list)


def minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


# -- the independent arithmetic ------------------------------------------------------


def plain_median(values: list[float]) -> float:
    ordered, middle = sorted(values), len(values) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def plain_stats(values: list[float]) -> dict[str, Any]:
    buckets = [0] * 21
    for value in values:
        buckets[min(int(value // 3), 20)] += 1
    if not values:
        return {"count": 0, "mean": None, "median": None, "p90": None, "max": None, "b": buckets}
    ordered = sorted(values)
    return {
        "count": len(values),
        "mean": round(sum(values) / len(values), 2),
        "median": round(plain_median(values), 2),
        "p90": round(ordered[math.ceil(0.9 * len(values)) - 1], 2),
        "max": round(max(values), 2),
        "b": buckets,
    }


def report_stats(row: dict[str, Any]) -> dict[str, Any]:
    stats = {name: row[name] for name in ("count", "mean", "median", "p90", "max")}
    stats["b"] = [value for name, value in row.items() if name.startswith("min_")]
    return stats


def close(actual: float | None, expected: float | None, tolerance: float = 0.011) -> bool:
    if actual is None or expected is None:
        return actual is expected
    return abs(actual - expected) <= tolerance


def ikm_letter(value: float) -> str:
    return "A" if value >= 88.31 else "B" if value >= 76.61 else "C" if value >= 65 else "D"


# -- playing a day ---------------------------------------------------------------------


def officers(engine: Engine) -> dict[str, Actor]:
    actors = {}
    with engine.database.writer() as session, session.begin():
        for counter, username in COUNTERS.items():
            user = UserRow(
                username=username,
                display_name=username,
                password_hash="-",
                role="petugas",
                created_at=engine.clock(),
                offices=[OFFICE],
            )
            session.add(user)
            session.flush()
            actors[counter] = Actor(name=username, user_id=user.id, role=Role.PETUGAS)
    return actors


def note_successor(day: Day, successor: TicketView | None, now: datetime) -> None:
    if successor is not None:
        day.tickets[successor.id] = Noted(successor.service, successor.station, 1, now)


def play_day(engine: Engine, seed: int, steps: int = 150) -> Day:
    """Arrivals, calls, no-shows, recalls, transfers, cancellations and ratings, at random."""
    rng, day, actors = random.Random(seed), Day(), officers(engine)
    for counter, actor in actors.items():
        engine.officer.open_counter(OFFICE, counter, actor=actor)
    busy: dict[str, tuple[int, datetime | None]] = {}  # counter -> (ticket, finish due)
    for _step in range(steps):
        now = engine.clock()
        if rng.random() < 0.45:
            issue(engine, day, "lost" if rng.random() < 0.2 else "walkin", now)
        if rng.random() < 0.04:
            cancel_one(engine, day, rng, actors["cs-1"], now)
        for counter, actor in actors.items():
            act(engine, day, rng, counter, actor, busy, now)
        engine.clock.advance(seconds=rng.randint(20, 110))
    return day


def issue(engine: Engine, day: Day, service: str, now: datetime) -> None:
    request = IssueRequest(office=OFFICE, service=service, source=TicketSource.KIOSK)
    issued = engine.issuing.issue(request, actor=KIOSK)
    day.tickets[issued.ticket_id] = Noted(
        service, issued.station.value, 0, now, predicted=issued.estimated_wait_minutes
    )
    day.issued[service] = day.issued.get(service, 0) + 1


def cancel_one(engine: Engine, day: Day, rng: random.Random, actor: Actor, now: datetime) -> None:
    waiting = [ticket_id for ticket_id, noted in day.tickets.items() if noted.status == "waiting"]
    if waiting:
        ticket_id = rng.choice(sorted(waiting))
        engine.officer.cancel(OFFICE, ticket_id, actor=actor)
        noted = day.tickets[ticket_id]
        noted.status, noted.cancelled = "cancelled", True
        noted.left_waiting = noted.left_waiting or now


def act(
    engine: Engine,
    day: Day,
    rng: random.Random,
    counter: str,
    actor: Actor,
    busy: dict[str, tuple[int, datetime | None]],
    now: datetime,
) -> None:
    officer = engine.officer
    if counter not in busy:
        try:
            view = officer.call_next(OFFICE, counter, actor=actor)
        except QueueEmpty:
            return
        noted = day.tickets[view.id]
        noted.first_call = noted.first_call or now
        noted.left_waiting = noted.left_waiting or now
        noted.last_call, noted.status = now, "called"
        noted.counter, noted.officer = counter, actor.name
        day.calls.append((noted.station, now, counter))
        busy[counter] = (view.id, None)
        return
    ticket_id, due = busy[counter]
    noted = day.tickets[ticket_id]
    if noted.status == "called":
        roll = rng.random()
        if roll < 0.08:
            officer.no_show(OFFICE, counter, actor=actor)
            noted.status, noted.no_show = "no_show", True
            del busy[counter]
        elif roll < 0.14:
            officer.recall(OFFICE, counter, actor=actor)
        elif roll < 0.18:
            finish(engine, day, rng, counter, actor, noted, now)
            del busy[counter]
        else:
            officer.start(OFFICE, counter, actor=actor)
            noted.start, noted.status = now, "serving"
            budget = STANDARDS[(noted.service, noted.step)] * rng.uniform(0.4, 1.6)
            busy[counter] = (ticket_id, now + timedelta(minutes=budget))
    elif due is not None and now >= due:
        if counter.startswith("cs") and rng.random() < 0.12:
            _moved, successor = officer.transfer(OFFICE, counter, TransferTarget(), actor=actor)
            noted.status, noted.transferred, noted.finish = "transferred", True, now
            note_successor(day, successor, now)
        else:
            finish(engine, day, rng, counter, actor, noted, now)
        del busy[counter]


def finish(
    engine: Engine,
    day: Day,
    rng: random.Random,
    counter: str,
    actor: Actor,
    noted: Noted,
    now: datetime,
) -> None:
    view, successor = engine.officer.finish(OFFICE, counter, actor=actor)
    noted.status, noted.finish = "done", now
    note_successor(day, successor, now)
    if noted.station == "BIO" and rng.random() < 0.8:
        score = rng.choice([1, 2, 3, 3, 4, 4, 4])
        answer = CounterRating(OFFICE, counter, view.label, score)
        engine.ratings.rate_at_counter(answer, actor=actor)
        day.ratings.append((noted.station, counter, actor.name, score))


def reports(engine: Engine) -> ReportService:
    return ReportService(**engine.shared)


def table(
    engine: Engine, kind: ReportKind, first: date = MONDAY, last: date | None = None, **extra: Any
) -> Any:
    request = ReportRequest(OFFICE, kind, first, last or first, **extra)
    return reports(engine).report(request).table


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, Day]]:
    """One played day per database, shared by the tests that only read reports over it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('reports')}/antre.db"
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        name, url = server.fresh_database()
    upgrade(url)
    database = open_database(url)
    engine = Engine(database, FakeClock(MONDAY_10_WITA))
    engine.load(office_settings())
    try:
        yield engine, play_day(engine, seed=20261123)
    finally:
        database.dispose()
        if request.param != "sqlite":
            server.drop_database(name)


# -- the figures -----------------------------------------------------------------------


def noted_key(group: Group, noted: Noted, moment: datetime | None) -> Any:
    if group is Group.HOUR:
        return None if moment is None else moment.astimezone(WITA).hour
    return {
        Group.SERVICE: noted.service,
        Group.STATION: noted.station,
        Group.COUNTER: noted.counter,
        Group.OFFICER: noted.officer,
        Group.DAY: MONDAY.isoformat(),
    }[group]


def test_the_generated_day_has_every_kind_of_event(world: tuple[Engine, Day]) -> None:
    _, played = world
    statuses = {noted.status for noted in played.tickets.values()}
    assert {"done", "transferred", "cancelled", "no_show", "waiting"} <= statuses
    assert {"called", "serving"} & statuses  # some ticket was called and never finished
    assert any(noted.start is None and noted.status == "done" for noted in played.tickets.values())
    assert len(played.ratings) >= 5


@pytest.mark.parametrize("group", list(Group))
def test_waiting_times_per_group(world: tuple[Engine, Day], group: Group) -> None:
    engine, played = world
    expected: dict[Any, list[Noted]] = {}
    for noted in played.tickets.values():
        expected.setdefault(noted_key(group, noted, noted.queued), []).append(noted)
    result = table(engine, ReportKind.WAITING, group=group)
    assert {row[group.value] for row in result.rows} == set(expected)
    for row in result.rows:
        members = expected[row[group.value]]
        waits = [noted.wait for noted in members if noted.wait is not None]
        assert row["tickets"] == len(members)
        assert row["not_called"] == len(members) - len(waits)
        assert_stats(report_stats(row), plain_stats(waits))


@pytest.mark.parametrize("group", list(Group))
def test_service_times_per_group(world: tuple[Engine, Day], group: Group) -> None:
    engine, played = world
    expected: dict[Any, list[float]] = {}
    for noted in played.tickets.values():
        if noted.service_time is not None:
            key = noted_key(group, noted, noted.start or noted.last_call)
            expected.setdefault(key, []).append(noted.service_time)
    result = table(engine, ReportKind.SERVICE_TIME, group=group)
    assert {row[group.value] for row in result.rows} == set(expected)
    for row in result.rows:
        assert_stats(report_stats(row), plain_stats(expected[row[group.value]]))


def assert_stats(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    assert actual["count"] == expected["count"]
    assert actual["b"] == expected["b"]
    for name in ("mean", "median", "p90", "max"):
        assert close(actual[name], expected[name]), (name, actual, expected)


def test_compliance_with_the_sop_standard_per_step(world: tuple[Engine, Day]) -> None:
    engine, played = world
    result = table(engine, ReportKind.COMPLIANCE)
    steps = {(n.station, n.service, n.step) for n in played.tickets.values()}
    assert {(row["station"], row["service"], row["step"] - 1) for row in result.rows} == steps
    for row in result.rows:
        members = [
            noted
            for noted in played.tickets.values()
            if (noted.station, noted.service, noted.step)
            == (row["station"], row["service"], row["step"] - 1)
        ]
        standard = STANDARDS[(row["service"], row["step"] - 1)]
        served = [noted.service_time for noted in members if noted.service_time is not None]
        waits = [noted.wait for noted in members if noted.wait is not None]
        assert row["standard_minutes"] == standard
        assert row["served"] == len(served)
        within = sum(1 for value in served if value <= standard)
        assert row["service_within_standard"] == within
        assert close(row["service_compliance"], within / len(served) if served else None, 1e-4)
        wait_share = sum(1 for value in waits if value <= standard) / len(waits) if waits else None
        assert close(row["wait_within_standard"], wait_share, 1e-4)
        assert close(row["wait_mean"], plain_stats(waits)["mean"])
        assert close(row["service_p90"], plain_stats(served)["p90"])


def test_biometrics_question_is_one_call(world: tuple[Engine, Day]) -> None:
    engine, played = world
    """How long did people wait for BIO, and did BIO meet its 10-minute standard?"""
    result = table(engine, ReportKind.COMPLIANCE, station="BIO")
    bio = [noted for noted in played.tickets.values() if noted.station == "BIO"]
    assert [row["station"] for row in result.rows] == ["BIO"]  # only walk-ins reach BIO here
    row = result.rows[0]
    waits = [noted.wait for noted in bio if noted.wait is not None]
    served = [noted.service_time for noted in bio if noted.service_time is not None]
    assert row["standard_minutes"] == 10 and row["called"] == len(waits) > 0
    assert close(row["wait_median"], plain_stats(waits)["median"])
    assert row["service_within_standard"] == sum(1 for value in served if value <= 10)


def test_volumes_per_day_and_service(world: tuple[Engine, Day]) -> None:
    engine, played = world
    result = table(engine, ReportKind.VOLUMES)
    services = {noted.service for noted in played.tickets.values()}
    assert {row["service"] for row in result.rows} == services
    for row in result.rows:
        members = [noted for noted in played.tickets.values() if noted.service == row["service"]]
        assert row["day"] == MONDAY.isoformat()
        assert row["issued"] == played.issued.get(row["service"], 0)
        assert row["finished"] == sum(1 for noted in members if noted.status == "done")
        assert row["no_shows"] == sum(1 for noted in members if noted.no_show)
        assert row["transfers"] == sum(1 for noted in members if noted.transferred)
        assert row["cancellations"] == sum(1 for noted in members if noted.cancelled)
        assert row["quota_used"] == played.issued.get(row["service"], 0)
        assert row["quota"] is None  # walk-in and lost passports have no daily quota here


@pytest.mark.parametrize("group", [Group.STATION, Group.OFFICER, Group.COUNTER])
def test_ratings_and_ikm(world: tuple[Engine, Day], group: Group) -> None:
    engine, played = world
    position = {Group.STATION: 0, Group.COUNTER: 1, Group.OFFICER: 2}[group]
    expected: dict[str, list[int]] = {}
    for rating in played.ratings:
        expected.setdefault(str(rating[position]), []).append(rating[3])
    result = table(engine, ReportKind.RATINGS, group=group)
    assert {row[group.value] for row in result.rows} == set(expected)
    assert any("element 7" in note for note in result.notes)
    for row in result.rows:
        scores = expected[row[group.value]]
        assert [row[f"score_{score}"] for score in (1, 2, 3, 4)] == [
            scores.count(score) for score in (1, 2, 3, 4)
        ]
        mean = sum(scores) / len(scores)
        assert close(row["mean"], round(mean, 2))
        assert close(row["ikm"], round(mean * 25, 2))
        assert row["ikm_category"] == ikm_letter(round(mean * 25, 2))


def test_estimate_accuracy_beside_the_naive_estimate(world: tuple[Engine, Day]) -> None:
    engine, played = world
    result = table(engine, ReportKind.ESTIMATES)
    assert result.rows
    for row in result.rows:
        judged = [
            (ticket_id, noted)
            for ticket_id, noted in played.tickets.items()
            if noted.service == row["service"]
            and noted.predicted is not None
            and noted.wait is not None
        ]
        assert row["tickets"] == len(judged)
        shown = [noted.predicted - noted.wait for _, noted in judged]  # type: ignore[operator]
        assert close(row["shown_mae"], sum(abs(error) for error in shown) / len(shown))
        assert close(row["shown_bias"], sum(shown) / len(shown))
        naive = [naive_estimate(played, ticket_id) - noted.wait for ticket_id, noted in judged]  # type: ignore[operator]
        assert close(row["naive_mae"], sum(abs(error) for error in naive) / len(naive))
        assert close(row["naive_bias"], sum(naive) / len(naive))


def naive_estimate(day: Day, ticket_id: int) -> float:
    """People ahead x the station's mean service time so far / counters that called in
    the hour before, from the test's own log."""
    me = day.tickets[ticket_id]
    peers = {key: noted for key, noted in day.tickets.items() if noted.station == me.station}
    ahead = sum(
        1
        for key, noted in peers.items()
        if (noted.queued, key) < (me.queued, ticket_id)
        and (noted.left_waiting is None or noted.left_waiting > me.queued)
    )
    done = [
        noted.service_time
        for noted in peers.values()
        if noted.finish is not None and noted.finish < me.queued and noted.service_time is not None
    ]
    per_ticket = sum(done) / len(done) if done else STANDARDS[(me.service, me.step)]
    counters = {
        counter
        for station, at, counter in day.calls
        if station == me.station and me.queued - timedelta(hours=1) <= at < me.queued
    }
    return ahead * per_ticket / max(len(counters), 1)


# -- edges -----------------------------------------------------------------------------


def test_an_empty_day_gives_empty_tables(engine: Engine) -> None:
    for kind in ReportKind:
        result = table(engine, kind)
        assert result.rows == [] and result.columns


def test_a_ticket_called_but_never_finished(engine: Engine) -> None:
    actors = officers(engine)
    engine.officer.open_counter(OFFICE, "cs-1", actor=actors["cs-1"])
    issue(engine, Day(), "walkin", engine.clock())
    engine.clock.advance(minutes=7, seconds=30)
    engine.officer.call_next(OFFICE, "cs-1", actor=actors["cs-1"])
    engine.officer.start(OFFICE, "cs-1", actor=actors["cs-1"])
    waiting = table(engine, ReportKind.WAITING).rows
    assert waiting[0]["count"] == 1 and waiting[0]["mean"] == 7.5 and waiting[0]["min_6_9"] == 1
    assert table(engine, ReportKind.SERVICE_TIME).rows == []
    compliance = table(engine, ReportKind.COMPLIANCE).rows[0]
    assert compliance["served"] == 0 and compliance["service_compliance"] is None


def test_a_range_of_two_days(engine: Engine) -> None:
    actors = officers(engine)
    engine.officer.open_counter(OFFICE, "cs-1", actor=actors["cs-1"])
    waits = {}
    for day_number, wait_minutes in ((0, 2), (1, 5)):
        engine.clock.now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC) + timedelta(days=day_number)
        issue(engine, Day(), "walkin", engine.clock())
        engine.clock.advance(minutes=wait_minutes)
        engine.officer.call_next(OFFICE, "cs-1", actor=actors["cs-1"])
        engine.officer.finish(OFFICE, "cs-1", actor=actors["cs-1"], end_visit=True)
        waits[(MONDAY + timedelta(days=day_number)).isoformat()] = wait_minutes
    tuesday = MONDAY + timedelta(days=1)
    both = table(engine, ReportKind.WAITING, MONDAY, tuesday, group=Group.DAY).rows
    assert {row["day"]: row["mean"] for row in both} == waits
    merged = table(engine, ReportKind.WAITING, MONDAY, tuesday).rows
    assert merged[0]["count"] == 2 and merged[0]["mean"] == 3.5
    volumes = table(engine, ReportKind.VOLUMES, MONDAY, tuesday).rows
    assert [(row["day"], row["issued"], row["finished"]) for row in volumes] == [
        ("2026-11-23", 1, 1),
        ("2026-11-24", 1, 1),
    ]
    assert table(engine, ReportKind.WAITING, tuesday).rows[0]["mean"] == 5


def test_a_ticket_at_2330_local_belongs_to_its_office_day(engine: Engine) -> None:
    actors = officers(engine)
    engine.officer.open_counter(OFFICE, "cs-1", actor=actors["cs-1"])
    engine.clock.now = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)  # 23:30 WITA, Monday
    desk = IssueRequest(office=OFFICE, service="walkin", source=TicketSource.OFFICER)
    engine.issuing.issue(desk, actor=actors["cs-1"])
    engine.clock.advance(minutes=20)  # called at 23:50 WITA: 15:50 UTC
    engine.officer.call_next(OFFICE, "cs-1", actor=actors["cs-1"])
    rows = table(engine, ReportKind.WAITING, group=Group.HOUR).rows
    assert [(row["hour"], row["count"], row["mean"]) for row in rows] == [(23, 1, 20)]
    assert table(engine, ReportKind.WAITING, MONDAY + timedelta(days=1)).rows == []
    assert table(engine, ReportKind.WAITING, MONDAY - timedelta(days=1)).rows == []


def test_the_recap_has_every_section(world: tuple[Engine, Day]) -> None:
    engine, played = world
    recap = reports(engine).recap(OFFICE, MONDAY).tables
    assert set(recap) == {"volumes", "compliance", "counters", "officers", "ratings"}
    served_by_officer = {row["officer"]: row["count"] for row in recap["officers"].rows}
    expected: dict[str, int] = {}
    for noted in played.tickets.values():
        if noted.service_time is not None and noted.officer is not None:
            expected[noted.officer] = expected.get(noted.officer, 0) + 1
    assert served_by_officer == expected


# -- bad parameters --------------------------------------------------------------------


def test_bad_parameters_are_refused_clearly(engine: Engine) -> None:
    with pytest.raises(UnknownReportKind):
        parse_kind("everything")
    with pytest.raises(MissingReportDate):
        parse_day("")
    for bad in ("2026-13-01", "24-11-2026", "2026-11-3", "2026-11-24T00:00", "٢٠٢٦-١١-٢٤"):
        with pytest.raises(BadReportDate):
            parse_day(bad)
    assert parse_day("2026-11-24") == date(2026, 11, 24)
    with pytest.raises(ReportRangeReversed):
        table(engine, ReportKind.WAITING, MONDAY, MONDAY - timedelta(days=1))
    with pytest.raises(ReportRangeTooLong):
        table(engine, ReportKind.WAITING, MONDAY, MONDAY + timedelta(days=366))
    table(engine, ReportKind.WAITING, MONDAY, MONDAY + timedelta(days=365))  # 366 days: fine
    with pytest.raises(BadReportGroup):
        check_group(ReportKind.RATINGS, "hour")
    with pytest.raises(BadReportGroup):
        check_group(ReportKind.COMPLIANCE, "service")
    assert check_group(ReportKind.WAITING, None) is Group.SERVICE
    with pytest.raises(UnknownStation):
        check_station("bio")
    assert check_station("BIO") == "BIO"


def test_the_naive_estimate_rules_one_by_one() -> None:
    """People still waiting ahead, the mean of the services finished before, the counters
    that called in the hour before: each rule pinned with hand-made records."""
    start = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)

    def record(ticket_id: int, queued_min: float, **times: float | None) -> TicketRecord:
        at = {name: None if value is None else start + timedelta(minutes=value)
              for name, value in times.items()}  # fmt: skip
        return TicketRecord(
            ticket_id, MONDAY, "walkin", 0, "CS", "done" if at.get("finished_at") else "waiting",
            start + timedelta(minutes=queued_min), at.get("called_at"), at.get("called_at"),
            at.get("started_at"), at.get("finished_at"), at.get("called_at"), None, None, None,
            False, False, False,
        )  # fmt: skip

    served = record(1, 0, called_at=1, started_at=2, finished_at=8)  # 6 minutes of service
    gone = record(2, 0.5, called_at=9)  # stopped waiting at minute 9
    waiting = record(3, 2)  # never called
    newcomer = record(4, 10)
    calls = [
        CallRecord("CS", MONDAY, start + timedelta(minutes=1), 1),
        CallRecord("CS", MONDAY, start + timedelta(minutes=9), 2),
        CallRecord("CS", MONDAY, start - timedelta(minutes=70), 3),  # over an hour before
        CallRecord("BIO", MONDAY, start + timedelta(minutes=5), 4),  # another station
    ]
    facts = OfficeFacts(WITA, {("walkin", 0): 4.0}, {})
    estimator = NaiveEstimator([served, gone, waiting, newcomer], calls, facts)
    # Ahead of the newcomer: only ticket 3; one service of 6 minutes; counters 1 and 2.
    assert estimator.estimate(newcomer) == 1 * 6 / 2
    # Ticket 2 joined at minute 1: ticket 1 still waited then; nothing finished yet, so the
    # standard time (4); nobody had called in the hour before: one counter.
    assert estimator.estimate(gone) == 1 * 4.0 / 1
    assert estimator.estimate(served) == 0


def test_special_session_quota_used_in_the_volumes(engine: Engine) -> None:
    office_file = yaml.safe_load((Path(__file__).parent / "office.yaml").read_text("utf-8"))
    sessions = {item["code"]: item for item in office_file["calendar"]["sessions"]}
    saturday = MONDAY + timedelta(days=5)
    engine.clock.now = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)  # Saturday 09:00 WITA
    day = Day()
    for _ in range(2):
        issue(engine, day, "pickup", engine.clock())
    engine.clock.now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday: the regular hours
    issue(engine, day, "pickup", engine.clock())
    rows = table(engine, ReportKind.VOLUMES, MONDAY, saturday).rows
    in_sessions = [row for row in rows if row["session"] is not None]
    assert in_sessions == [
        {"day": saturday.isoformat(), "service": None, "issued": None, "finished": None,
         "no_shows": None, "transfers": None, "cancellations": None, "quota_used": 2,
         "quota": sessions["sabtu-ambil"]["quota"], "session": "sabtu-ambil"},
    ]  # fmt: skip
    monday = [row for row in rows if row["session"] is None and row["day"] == MONDAY.isoformat()]
    assert [(row["service"], row["quota_used"]) for row in monday] == [("pickup", 1)]
    assert rows[-1] is not None and rows[-1]["session"] == "sabtu-ambil"  # after the services
    for service, expected in (("pickup", 1), ("walkin", 0)):  # the session serves pickup only
        filtered = table(engine, ReportKind.VOLUMES, MONDAY, saturday, service=service).rows
        assert sum(row["session"] is not None for row in filtered) == expected
