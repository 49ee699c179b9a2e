"""``antre simulate``: a small day through the real server and Mosquitto keeps every
invariant, and the checks catch a broken day (a duplicated number, a second call, a lost
ticket) when they are handed one."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from queue_server.cli import main
from queue_server.simulate import DEMO_FILE, Day, Options, simulate_day
from queue_server.simulate.checks import DayRows, invariants
from queue_server.simulate.plan import make_plan

needs_mosquitto = pytest.mark.skipif(shutil.which("mosquitto") is None, reason="needs Mosquitto")


@pytest.fixture(scope="module")
def small_day() -> Day:
    return simulate_day(Options(visits=150, counters=12, kiosks=3, displays=2, seed=7))


@needs_mosquitto
def test_a_small_day_keeps_every_invariant(small_day: Day) -> None:
    report = small_day.report
    assert report["invariants"] == {
        "duplicate_numbers": 0,
        "double_calls": 0,
        "not_finished": 0,
        "lost": 0,
        "unexplained": 0,
    }
    assert report["invariants_hold"]
    driver = report["driver"]
    # Everybody who came got a number and was called; multi-step journeys made more tickets.
    issued = sum(report["issued_by_source"].values())
    assert issued == report["arrivals"] > 100
    assert report["tickets"] > issued
    assert driver["calls"] == report["tickets"] == driver["finishes"] + driver["no_shows"]
    assert driver["kiosk_errors"] == {} and driver["http_errors"] == {}
    # The offline kiosk's tickets reached the server when it came back.
    assert report["issued_by_source"].get("offline", 0) == driver["offline_synced"] > 0
    # Officers who finished mostly called the next applicant at once, in the same batch.
    assert 0 < driver["calls_after_finish"] < driver["calls"]
    # Both displays (in a process of their own) saw every call.
    assert driver["display_missing"] == 0 and driver["display_called"] == [driver["calls"]] * 2
    assert {"CS", "BIO", "PICKUP", "INFO"} <= set(report["stations"])
    assert report["estimate"]["tickets"] == len(small_day.estimates) > 0
    sample = small_day.estimates[0]
    assert sample["actual_minutes"] >= 0 and sample["open_counters"] >= 0


def test_the_plan_is_the_same_for_the_same_seed() -> None:
    from queue_server.bootstrap import read_office_file

    demo = read_office_file(DEMO_FILE)
    one, two, other = (
        make_plan(demo, visits=300, counters=20, kiosks=4, displays=1, seed=seed)
        for seed in (3, 3, 4)
    )
    assert one.arrivals == two.arrivals and one.bookings == two.bookings
    assert one.arrivals != other.arrivals
    assert len(one.counters) == 20
    assert one.service_seconds("A-001", "paspor-mpaspor", "CS") == two.service_seconds(
        "A-001", "paspor-mpaspor", "CS"
    )
    # The lunch rota the desks follow is the one the office file tells the server.
    rota = [bool(counter.get("breaks")) for counter in one.settings["counters"]]
    assert [bool(counter.breaks) for counter in one.counters] == rota and any(rota)


@needs_mosquitto
def test_every_service_lasts_as_long_as_drawn(small_day: Day) -> None:
    """A finish is never sent early with the batch before it (docs/operations.md)."""
    from queue_server.bootstrap import read_office_file

    plan = make_plan(
        read_office_file(DEMO_FILE), visits=150, counters=12, kiosks=3, displays=2, seed=7
    )
    lasted = [
        (
            (ticket.finished_at - ticket.called_at).total_seconds(),
            plan.service_seconds(ticket.label, ticket.service, ticket.station),
        )
        for ticket in small_day.rows.tickets
        if ticket.status == "done" and ticket.called_at and ticket.finished_at
    ]
    assert len(lasted) > 100
    assert all(abs(took - drawn) < 1 for took, drawn in lasted)


@needs_mosquitto
def test_the_checks_catch_a_broken_day(small_day: Day) -> None:
    rows, labels = small_day.rows, small_day.labels
    assert not any(invariants(rows, labels).values())
    first = rows.tickets[0]
    copy = dataclasses.replace(first, id=10**9, visit_id=10**9, label="X")
    duplicated = DayRows([*rows.tickets, copy], rows.calls_per_ticket)
    assert invariants(duplicated, [*labels, first.visit_label])["duplicate_numbers"] == 1
    called_twice = DayRows(rows.tickets, {**rows.calls_per_ticket, first.id: 2})
    assert invariants(called_twice, labels)["double_calls"] == 1
    left_waiting = DayRows(
        [dataclasses.replace(first, status="waiting"), *rows.tickets[1:]], rows.calls_per_ticket
    )
    assert invariants(left_waiting, labels)["not_finished"] == 1
    assert invariants(rows, [*labels, "Z-999"])["lost"] == 1
    assert invariants(rows, labels[1:])["unexplained"] == 1


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--visits", "0"], "--visits"),
        (["--visits", "lots"], "--visits"),
        (["--counters", "3"], "--counters"),
        (["--db", "mysql://u:secret@host/x"], "--db"),
    ],
)
def test_bad_arguments_are_refused_in_both_languages(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["simulate", *argv])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert expected in error and " / " in error and "secret" not in error


def test_displays_that_cannot_connect_stop_the_day_at_once() -> None:
    import multiprocessing
    import time

    from queue_server.mqtt.broker import free_port
    from queue_server.simulate.displays import DisplaysFailed, Lobby
    from queue_server.simulate.driver import Endpoints

    nobody = Endpoints(
        office="kanim-banjarmasin",
        http_port=free_port(),
        mqtt_port=free_port(),  # no broker listens there
        officer_tokens={},
        kiosk_passwords=[],
        display_passwords=[("sim-display-1", "secret")],
    )
    began = time.monotonic()
    lobby = Lobby(multiprocessing.get_context("spawn"), nobody)
    with pytest.raises(DisplaysFailed, match="ConnectionRefusedError"), lobby:
        pass
    assert time.monotonic() - began < 20  # told, not left to the 30 s wait
