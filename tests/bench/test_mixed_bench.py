"""bench/mixed.py runs end to end on a tiny load (so a change of the server's pieces it
assembles is caught here, not on the benchmark day) and its table checks count what they
should."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.bench import bench_module


@pytest.fixture(scope="module")
def mixed() -> Iterator[Any]:
    with bench_module("mixed") as module:
        yield module


@pytest.mark.skipif(shutil.which("mosquitto") is None, reason="needs Mosquitto")
def test_a_tiny_mixed_run_keeps_the_invariants(mixed: Any) -> None:
    result = mixed.run("sqlite", kiosks=2, officers=2, seconds=1.0, rate=10, seeded=30)
    assert result["checks"] and not any(result["checks"].values()), result["checks"]
    assert result["mixed"]["issues"] > 0 and result["mixed"]["calls"] > 0
    assert result["mixed"]["calls_not_on_display"] == 0
    assert '"404"' in result["empty_poll"]["poller_statuses"]  # the poller's queue was empty


@pytest.mark.skipif(shutil.which("mosquitto") is None, reason="needs Mosquitto")
def test_officers_who_finish_and_call_next_in_one_request_keep_the_invariants(mixed: Any) -> None:
    result = mixed.run(
        "sqlite", kiosks=2, officers=2, seconds=1.0, rate=10, seeded=30, combined=True
    )
    assert result["checks"] and not any(result["checks"].values()), result["checks"]
    assert result["mixed"]["calls"] > 2  # more than the first call-next of each officer
    assert result["mixed"]["calls_not_on_display"] == 0
    statuses = json.loads(result["mixed"]["officer_statuses"])
    assert "409" not in statuses  # never a busy counter
    # About one request per applicant (call-next then finish would answer two per call;
    # on top: each officer's open, first call-next, last finish, and any finish that
    # found nobody to call).
    assert statuses["200"] < 1.5 * result["mixed"]["calls"] + 10, statuses
