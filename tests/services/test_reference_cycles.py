"""The hot paths leave no reference cycles behind (issue 13): every object of an issue, a
call and a finish is freed by reference counting. A cycle per request makes the cyclic
garbage collector run often, and its full passes over the server's heap stalled answers
for 50-150 ms (bench/mqtt_issue.py: p99 12 -> 69 ms when the driver-cursor statements
remembered their connection with a strong reference to the session's transaction).

The counting runs in a fresh interpreter: ``gc.collect()`` counts the cycles of every
thread in the process, and a pytest worker may still run threads of earlier tests (a
network client, a clock) that make garbage of their own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.services.conftest import Engine

ROOT = Path(__file__).resolve().parents[2]

#: Run in a child interpreter with the database URL as its argument; prints the cycles
#: left by ten issues and by five calls and finishes, with the types found in them.
PROBE = """
import collections, gc, json, sys
from queue_server.domain.ids import TicketSource
from queue_server.persistence.db import open_database
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from tests.services.clock import MONDAY_10_WITA, FakeClock
from tests.services.conftest import Engine

OFFICE = "kanim-test"
kiosk, officer = Actor(name="kiosk:k1"), Actor(name="petugas1")
database = open_database(sys.argv[1])
engine = Engine(database, FakeClock(MONDAY_10_WITA))
request = IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK)
engine.issuing.issue(request, actor=kiosk)  # warm: caches filled once are not garbage
engine.officer.open_counter(OFFICE, "cs-1", actor=officer)
engine.officer.call_next(OFFICE, "cs-1", actor=officer)
engine.officer.finish(OFFICE, "cs-1", actor=officer)
engine.issuing.issue(request, actor=kiosk)  # with a finished ticket: the estimate's reads
gc.collect()
gc.disable()
gc.set_debug(gc.DEBUG_SAVEALL)

def cycles():
    gc.collect()
    kinds = collections.Counter(type(thing).__qualname__ for thing in gc.garbage)
    gc.garbage.clear()
    gc.set_debug(0)
    gc.collect()  # what was saved above is still garbage: free it now, uncounted
    gc.set_debug(gc.DEBUG_SAVEALL)
    return {"objects": sum(kinds.values()), "kinds": dict(kinds.most_common(8))}

for _ in range(10):
    engine.issuing.issue(request, actor=kiosk)
issuing = cycles()
for _ in range(5):
    engine.officer.call_next(OFFICE, "cs-1", actor=officer)
    engine.officer.finish(OFFICE, "cs-1", actor=officer)
calling = cycles()
database.dispose()
print(json.dumps({"issuing": issuing, "calling": calling}))
"""


def test_issuing_calling_and_finishing_leave_no_cycles(engine: Engine) -> None:
    child = subprocess.run(
        [sys.executable, "-c", PROBE, engine.database.url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-2000:]
    left = json.loads(child.stdout.strip().splitlines()[-1])
    assert left["issuing"]["objects"] == 0, f"issuing left reference cycles: {left['issuing']}"
    assert left["calling"]["objects"] == 0, (
        f"calling and finishing left reference cycles: {left['calling']}"
    )
