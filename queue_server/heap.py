"""The garbage collector in a long-running server process.

Reference counting frees what a request leaves behind (the hot paths make no reference
cycles: ``tests/services/test_reference_cycles.py``), but the cyclic collector still runs
its full passes over every object the process holds: the modules, the Flask app,
SQLAlchemy's compiled caches, the office snapshots. On a started server such a pass took
15-125 ms and stalled every thread meanwhile (a kiosk's answer, an officer's call, the
publisher): the slowest answers of ``bench/mqtt_issue.py`` were these passes.

:func:`settle_heap`, called once a process has started (and warmed its caches), moves
everything alive into the collector's permanent generation (:func:`gc.freeze`): later
full passes walk only what was made since, and their start is counted against that.
The price: a frozen object that later becomes part of an unreachable cycle is never freed
(startup objects live as long as the process anyway; an office reload replaces a few).
"""

from __future__ import annotations

import gc


def settle_heap() -> int:
    """Collect what startup left behind, then freeze the rest; the objects frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
