"""The P2 end-to-end benchmark's bookkeeping (bench/click_to_screen.py) on made-up probe
records: each part is the difference of the right two moments, matched by ticket label."""

from __future__ import annotations

from typing import Any

import pytest

from tests.bench import bench_module


@pytest.fixture(scope="module")
def bench() -> Any:
    with bench_module("click_to_screen") as module:
        return module


def records(bench: Any, labels: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A console and one board where call i starts at 1000*i ms; the board's records come
    in another order than the calls (they are matched by label, not by position)."""
    console: dict[str, Any] = {"keys": [], "requests": [], "status": []}
    board: dict[str, Any] = {"arrivals": [], "shown": [], "frames": []}
    for index, label in enumerate(labels):
        key = 1000.0 * index
        console["keys"].append(key)
        console["requests"].append(
            {"start": key + 1, "sent": key + 2, "first_byte": key + 20, "end": key + 22}
        )
        console["status"].append({"text": f"Called {label} to CS 1", "at": key + 30})
        board["arrivals"].insert(
            0, {"label": label, "id": index, "seq": (key + 15) * 1000, "ts": key + 10,
                "at": key + 25},
        )  # fmt: skip
        board["shown"].insert(0, {"label": label, "at": key + 27})
        board["frames"].insert(0, {"label": label, "at": key + 35})
    return console, [board]


def test_parts_are_differences_of_the_matched_moments(bench: Any) -> None:
    labels = [f"B-{n:03d}" for n in range(1, bench.WARM_UP_CALLS + 4)]
    console, boards = records(bench, labels)
    mqtt = {label: 1000.0 * index + 19 for index, label in enumerate(labels)}
    measured = bench.parts(labels, console, boards, mqtt, [])
    expected = {
        "A: key press → request sent (console JS)": 2,
        "A: HTTP call-next round trip (request sent → response read)": 20,
        "A: response → console status line updated": 8,
        "server: request sent → call time in the use case (ts)": 8,
        "server: call time (ts) → publisher built the message (seq)": 5,
        "server: message built (seq) → push message in board B": 10,
        "server part, web: request sent → push message in board B": 23,
        "B: push message → number changed in the DOM": 2,
        "B: DOM changed → next animation frame": 8,
        "total: key press → board B's DOM shows the number": 27,
        "server part, MQTT: request sent → display client receives event/called": 17,
    }
    for name, value in expected.items():
        assert measured[name] == pytest.approx([value] * 3), name  # warm-up calls left out
    assert "fan-out: last board's DOM − first board's DOM" not in measured  # one board


def test_missing_requests_are_an_error_not_a_shifted_match(bench: Any) -> None:
    labels = ["B-001", "B-002"]
    console, boards = records(bench, labels)
    console["requests"].pop()
    with pytest.raises(RuntimeError, match="2 keys, 1 requests, 2 calls"):
        bench.parts(labels, console, boards, {}, [])


def test_the_table_reports_each_part(bench: Any) -> None:
    text = bench.table({"x": [1.0, 2.0, 3.0, 10.0]})
    assert "| x | 4 | 2.5 ms |" in text
    assert text.rstrip().endswith("| 10.0 ms |")


def test_page_times_are_moved_to_the_system_clock(bench: Any) -> None:
    """A page whose clock runs 3.4 ms ahead of Date.now(): its times are moved back by
    that skew (less the half millisecond that Date.now() drops), Python's are left."""
    labels = [f"B-{n:03d}" for n in range(1, bench.WARM_UP_CALLS + 2)]
    console, boards = records(bench, labels)
    boards[0]["skew"] = [{"at": 1000.0 * n, "skew": 3.4} for n in range(len(labels) + 1)]
    measured = bench.parts(labels, console, boards, {}, [])
    assert measured["total: key press → board B's DOM shows the number"] == pytest.approx([24.1])
    assert measured["server: message built (seq) → push message in board B"] == pytest.approx([7.1])
    assert measured["B: push message → number changed in the DOM"] == pytest.approx([2])
