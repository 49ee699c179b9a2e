"""Where the server's time goes during a simulated day: a small sampling profiler.

A thread looks at every other thread's stack every few milliseconds
(``sys._current_frames``); a thread waiting (on a lock, a socket, a queue, a sleep) is
idle and not counted. For each busy sample every distinct function on the stack counts
once, so a function's share is the part of the busy samples it was running in (itself or
below). Sampling costs the server a little CPU; it is on only with ``--profile``.
"""

from __future__ import annotations

import sys
import threading
from collections import Counter
from types import FrameType

#: Innermost functions that mean "this thread waits" (not CPU work).
IDLE = frozenset(
    {
        "wait", "select", "poll", "poll2", "_poll", "recv", "_recv", "_recv_bytes",
        "recv_into", "accept", "sleep", "_wait_for_tstate_lock", "readinto", "acquire",
    }
)  # fmt: skip


def _idle(frame: FrameType) -> bool:
    name = frame.f_code.co_name
    # paho's network loop waits inside select() called from its own _loop function.
    return name in IDLE or (name == "_loop" and "paho" in frame.f_code.co_filename)


def _where(frame: FrameType) -> str:
    code = frame.f_code
    path = code.co_filename
    for marker in ("queue_server/", "site-packages/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    else:
        path = path.rsplit("/", 1)[-1]
    return f"{path}:{code.co_name}"


class Sampler:
    def __init__(self, interval_s: float = 0.005) -> None:
        self.interval_s = interval_s
        self.busy = 0
        self.functions: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="simulate-sampler", daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        me = threading.get_ident()
        while not self._stop.wait(self.interval_s):
            for ident, frame in sys._current_frames().items():
                if ident == me or _idle(frame):
                    continue
                self.busy += 1
                seen: set[str] = set()
                walker: FrameType | None = frame
                while walker is not None:
                    if not walker.f_code.co_filename.endswith("threading.py"):
                        seen.add(_where(walker))
                    walker = walker.f_back
                self.functions.update(seen)

    def top(self, count: int = 25) -> list[tuple[str, float]]:
        """The ``count`` functions with the largest share of busy samples (percent)."""
        if not self.busy:
            return []
        return [
            (name, round(100.0 * hits / self.busy, 1))
            for name, hits in self.functions.most_common(count)
        ]
