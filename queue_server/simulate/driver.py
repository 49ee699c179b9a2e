"""The simulated people: kiosks over MQTT and officers over HTTP.

Runs in its own process (apart from the server's interpreter) and talks to the server
only through its public interfaces: the MQTT contract (``docs/protocol.md``) with each
kiosk's own account, and the officer HTTP API with bearer tokens. It owns the simulated
clock: the server reads the same shared value, and the driver moves it forward from one
batch of events to the next, so nothing waits for real time. The lobby displays listen
in a process of their own (:mod:`.displays`).

Events that fall into one tick of simulated time form a batch: the kiosks' requests of
the batch are sent together, and at the same time the officers' finishes (kiosks and
officers are different people); an officer who finished calls the next applicant at once
if one is believed waiting at the desk's stations; then the counters' openings and
closings, then every idle counter with work waiting calls next (in parallel;
``lockstep`` sends one request at a time instead, the kiosks' before the officers', and
calls only once the batch is over).
A batch runs at the time of its first event, so its other events happen up to a tick
early; an officer's finish (or no-show) never does: it ends the batch before it and runs
at its own time, so every service lasts as long as drawn (finishes run early by up to
30 s made a 3-minute pickup 2.8 minutes and let a newcomer be called "at once" by a
counter that was still busy).
"""

from __future__ import annotations

import heapq
import http.client
import itertools
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from queue_server.mqtt.client import without_nagle
from queue_server.simulate.plan import NO_SHOW_AFTER_S, Arrival, DayPlan

#: A kiosk's or officer's request gets this long (real seconds) for its answer.
ANSWER_TIMEOUT_S = 30.0
#: Walk-in services the offline kiosk leases numbers for, and how many each.
LEASE_COUNT = 30
#: Events that run at their own time, never early with a batch.
ON_TIME = frozenset({"done", "absent"})


@dataclass(frozen=True)
class Endpoints:
    """Where the driver finds the server, and the secrets it acts with."""

    office: str
    http_port: int
    mqtt_port: int
    officer_tokens: dict[str, str]  # counter id -> bearer token
    kiosk_passwords: list[tuple[str, str]]
    display_passwords: list[tuple[str, str]]


class SharedClock:
    """Seconds since the epoch of simulated time in a value the server process reads too."""

    def __init__(self, value: Any) -> None:
        self._value = value

    def set(self, moment: datetime) -> None:
        self._value.value = moment.timestamp()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._value.value, UTC)


def client_for(port: int, username: str, password: str) -> mqtt.Client:
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=username,
        protocol=MQTTProtocolVersion.MQTTv5,
    )
    client.username_pw_set(username, password)
    client.on_socket_open = without_nagle  # as a real kiosk's session does
    return client


def connect(client: mqtt.Client, port: int, topics: Iterable[str]) -> None:
    client.connect("127.0.0.1", port, keepalive=60)
    client.loop_start()
    _subscribe(client, topics)


def _subscribe(client: mqtt.Client, topics: Iterable[str]) -> None:
    subscribed = threading.Event()
    wanted = list(topics)
    client.on_subscribe = lambda *_args: subscribed.set()
    client.subscribe([(topic, 1) for topic in wanted])
    if not subscribed.wait(15):
        raise RuntimeError(f"could not subscribe to {wanted}")


class Kiosk:
    """One kiosk: its own MQTT account, requests matched to answers by transaction."""

    def __init__(self, port: int, office: str, username: str, password: str) -> None:
        self.name, self.office = username, office
        self._lock = threading.Lock()
        self._pending: dict[str, tuple[threading.Event, list[dict[str, Any]]]] = {}
        self.client = client_for(port, username, password)
        self.client.on_message = self._on_message
        self.topic = f"antre/v1/{office}/kiosk/{username}/response/+"
        connect(self.client, port, [self.topic])

    def go_offline(self) -> None:
        """The kiosk loses its link (the broker sees its connection end)."""
        self.client.disconnect()
        self.client.loop_stop()

    def come_back(self) -> None:
        self.client.reconnect()
        self.client.loop_start()
        _subscribe(self.client, [self.topic])

    def _on_message(self, _c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        answer = json.loads(message.payload)
        with self._lock:
            waiting = self._pending.pop(str(answer.get("transaction")), None)
        if waiting is not None:
            waiting[1].append(answer)
            waiting[0].set()

    def send(self, action: str, data: dict[str, Any]) -> Callable[[], dict[str, Any]]:
        """Publish a request; the returned function waits for its answer."""
        transaction = str(uuid.uuid4())
        done: threading.Event = threading.Event()
        box: list[dict[str, Any]] = []
        with self._lock:
            self._pending[transaction] = (done, box)
        body = json.dumps({"transaction": transaction, "data": data})
        self.client.publish(
            f"antre/v1/{self.office}/kiosk/{self.name}/request/{action}", body, qos=1
        )

        def answer() -> dict[str, Any]:
            if not done.wait(ANSWER_TIMEOUT_S):
                return {"status": "error", "error": {"code": "no_answer"}}
            return box[0]

        return answer

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class Officer:
    """The officer at one counter: a keep-alive HTTP connection and a bearer token."""

    def __init__(self, port: int, office: str, counter: str, stations: tuple[str, ...], token: str):
        self.counter, self.stations = counter, stations
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=ANSWER_TIMEOUT_S)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.base = f"/api/v1/offices/{office}/counters/{counter}"
        self.is_open = False
        self.busy: dict[str, Any] | None = None  # the ticket at the counter
        self.closing = False

    def post(self, action: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        payload = json.dumps(body or {}).encode()
        self.connection.request("POST", f"{self.base}/{action}", body=payload, headers=self.headers)
        response = self.connection.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else {})


@dataclass
class Issued:
    """A number a kiosk gave out, with what the applicant was told."""

    label: str
    service: str
    station: str
    at: str  # simulated time, ISO
    source: str  # kiosk, booking, offline
    estimate_minutes: float | None
    people_ahead: int | None
    open_counters: int


@dataclass
class Outcome:
    """What the driver saw, for the report and the checks."""

    issued: list[Issued] = field(default_factory=list)
    kiosk_errors: Counter[str] = field(default_factory=Counter)
    http_errors: Counter[str] = field(default_factory=Counter)
    calls: int = 0
    #: Of the calls, those an officer made right after finishing (in the same batch).
    calls_after_finish: int = 0
    finishes: int = 0
    no_shows: int = 0
    empty_polls: int = 0
    requests: int = 0
    batches: int = 0
    phase_seconds: dict[str, float] = field(default_factory=dict)
    called_labels: list[str] = field(default_factory=list)
    offline_synced: int = 0
    offline_refused: int = 0
    day_ended_at: str = ""
    last_call_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "issued": [vars(item) for item in self.issued],
            "kiosk_errors": dict(self.kiosk_errors),
            "http_errors": dict(self.http_errors),
            "calls": self.calls,
            "calls_after_finish": self.calls_after_finish,
            "finishes": self.finishes,
            "no_shows": self.no_shows,
            "empty_polls": self.empty_polls,
            "requests": self.requests,
            "batches": self.batches,
            "phase_seconds": {k: round(v, 3) for k, v in self.phase_seconds.items()},
            "called_labels": self.called_labels,
            "offline_synced": self.offline_synced,
            "offline_refused": self.offline_refused,
            "day_ended_at": self.day_ended_at,
            "last_call_at": self.last_call_at,
        }


def _error_code(body: dict[str, Any]) -> str:
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("code", "?"))
    return "?"


class Driver:
    def __init__(
        self,
        plan: DayPlan,
        endpoints: Endpoints,
        clock: SharedClock,
        *,
        tick_s: float,
        lockstep: bool,
    ) -> None:
        self.plan, self.endpoints, self.clock = plan, endpoints, clock
        self.tick = timedelta(seconds=tick_s)
        self.lockstep = lockstep
        self.outcome = Outcome()
        self.heap: list[tuple[datetime, int, str, Any]] = []
        self.order = itertools.count()
        self.hint: Counter[str] = Counter()  # tickets believed waiting per station
        self.claimed: Counter[str] = Counter()  # of those, being called right now
        self.lock = threading.Lock()  # the heap, hints and counts (officer threads share them)
        office, port = endpoints.office, endpoints.mqtt_port
        self.kiosks = [Kiosk(port, office, name, pw) for name, pw in endpoints.kiosk_passwords]
        self.officers = {
            counter.id: Officer(
                endpoints.http_port, office, counter.id, counter.stations,
                endpoints.officer_tokens[counter.id],
            )
            for counter in plan.counters
        }  # fmt: skip
        self.pool = ThreadPoolExecutor(max_workers=max(1, min(32, len(self.officers))))
        self.kiosk_pool = ThreadPoolExecutor(max_workers=1)  # a batch's arrivals, in order
        self.offline: set[int] = set()
        self.leases: dict[str, dict[str, Any]] = {}  # service -> lease answer and next number
        self.offline_tickets: list[dict[str, Any]] = []
        self.offline_services: dict[int, str] = {}

    # -- scheduling ---------------------------------------------------------------

    def at(self, moment: datetime, kind: str, data: Any = None) -> None:
        with self.lock:
            heapq.heappush(self.heap, (moment, next(self.order), kind, data))

    def schedule_day(self) -> None:
        plan = self.plan
        self.at(plan.opens_at - timedelta(minutes=5), "lease")
        for counter in plan.counters:
            self.at(plan.opens_at, "open", counter.id)
            for start, end in counter.breaks:
                self.at(start, "close", counter.id)
                self.at(end, "open", counter.id)
        for arrival in plan.arrivals:
            self.at(arrival.at, "arrive", arrival)
        start, end = plan.offline_window
        self.at(start, "offline", plan.offline_kiosk)
        self.at(end, "online", plan.offline_kiosk)

    # -- running --------------------------------------------------------------------

    def run(self) -> Outcome:
        self.schedule_day()
        self.clock.set(self.plan.opens_at - timedelta(minutes=10))
        for _round in range(20 * len(self.plan.arrivals) + 10_000):  # bounded: see the error
            if not self.heap:
                if not self._call_idle() and self._idle_everywhere():
                    break
                continue
            first = self.heap[0][0]
            self.clock.set(first)
            batch = []
            while self.heap and self.heap[0][0] < first + self.tick:
                if self.heap[0][2] in ON_TIME and self.heap[0][0] > first:
                    break  # a finish runs at its own time (see the module's docstring)
                batch.append(heapq.heappop(self.heap))
            self.outcome.batches += 1
            self._run_batch(batch)
            self._call_idle()
        else:
            raise RuntimeError("the simulated day did not end (a queue that never empties)")
        self.outcome.day_ended_at = self.clock.now().isoformat()
        self._close_all()
        return self.outcome

    def _add_time(self, phase: str, seconds: float) -> None:
        times = self.outcome.phase_seconds
        times[phase] = times.get(phase, 0.0) + seconds

    def _timed(self, phase: str, work: Callable[[], None]) -> None:
        began = time.perf_counter()
        work()
        self._add_time(phase, time.perf_counter() - began)

    def _run_batch(self, batch: list[tuple[datetime, int, str, Any]]) -> None:
        by_kind: dict[str, list[Any]] = {}
        for _at, _n, kind, data in batch:
            by_kind.setdefault(kind, []).append(data)
        if "lease" in by_kind:
            self._timed("lease", self._lease)
        for kiosk in by_kind.get("offline", []):
            self.offline.add(kiosk)
            self.kiosks[kiosk].go_offline()
        for kiosk in by_kind.get("online", []):
            self.offline.discard(kiosk)
            self.kiosks[kiosk].come_back()
            self._timed("sync", self._sync)
        arrivals = by_kind.get("arrive", [])
        actions = [(c, "finish") for c in by_kind.get("done", [])]
        actions += [(c, "no-show") for c in by_kind.get("absent", [])]
        if arrivals and actions and not self.lockstep:
            self._timed("issue+finish", lambda: self._arrive_and_finish(arrivals, actions))
        else:
            if arrivals:
                self._timed("issue", lambda: self._arrive(arrivals))
            if actions:
                self._timed("finish", lambda: self._parallel(self._end_service, actions))
        switches = [(c, "close") for c in by_kind.get("close", [])]
        switches += [(c, "open") for c in by_kind.get("open", [])]
        if switches:
            self._timed("open_close", lambda: self._parallel(self._switch, switches))

    def _arrive_and_finish(self, arrivals: list[Arrival], actions: list[Any]) -> None:
        kiosks = self.kiosk_pool.submit(self._arrive, arrivals)
        try:
            self._parallel(self._end_service, actions)
        finally:
            kiosks.result()

    def _parallel(self, work: Callable[[Any], object], items: list[Any]) -> None:
        if self.lockstep or len(items) == 1:
            for item in items:
                work(item)
            return
        for future in [self.pool.submit(work, item) for item in items]:
            future.result()

    # -- kiosks ---------------------------------------------------------------------

    def _open_counters(self, station: str) -> int:
        return sum(
            1
            for o in self.officers.values()
            if o.is_open and not o.closing and station in o.stations
        )

    def _arrive(self, arrivals: list[Arrival]) -> None:
        waits: list[tuple[Arrival, str, Callable[[], dict[str, Any]]]] = []
        for arrival in arrivals:
            kiosk = arrival.kiosk
            if kiosk in self.offline:
                if arrival.booking_code is None and self._issue_offline(arrival):
                    continue
                kiosk = (kiosk + 1) % len(self.kiosks)  # the applicant walks to the next kiosk
            if arrival.booking_code is not None:
                action = "check_in"
                data: dict[str, Any] = {
                    "booking_code": arrival.booking_code,
                    "documents_ready": True,
                    "language": "id",
                }
            else:
                action = "issue_ticket"
                data = {"service": arrival.service, "language": "id"}
                if arrival.priority_category:
                    data["priority_category"] = arrival.priority_category
            with self.lock:
                self.outcome.requests += 1
            answer = self.kiosks[kiosk].send(action, data)
            if self.lockstep:
                self._issued(arrival, answer())
            else:
                waits.append((arrival, action, answer))
        for arrival, _action, answer in waits:
            self._issued(arrival, answer())

    def _issued(self, arrival: Arrival, answer: dict[str, Any]) -> None:
        with self.lock:  # officer threads count too
            self._count_issued(arrival, answer)

    def _count_issued(self, arrival: Arrival, answer: dict[str, Any]) -> None:
        if answer.get("status") != "ok":
            self.outcome.kiosk_errors[_error_code(answer)] += 1
            return
        data = answer["data"]
        station = str(data["station"])
        self.hint[station] += 1
        self.outcome.issued.append(
            Issued(
                label=str(data["label"]),
                service=str(data["service"]),
                station=station,
                at=self.clock.now().isoformat(),
                source="booking" if arrival.booking_code else "kiosk",
                estimate_minutes=data.get("estimated_wait_minutes"),
                people_ahead=data.get("people_ahead"),
                open_counters=self._open_counters(station),
            )
        )

    def _lease(self) -> None:
        kiosk = self.kiosks[self.plan.offline_kiosk]
        walk_ins = sorted({a.service for a in self.plan.arrivals if a.booking_code is None})
        answers = [
            (service, kiosk.send("lease_numbers", {"service": service, "count": LEASE_COUNT}))
            for service in walk_ins
        ]
        for service, answer in answers:
            reply = answer()
            self.outcome.requests += 1
            if reply.get("status") == "ok":
                lease = dict(reply["data"])
                lease["next"] = int(lease["first_number"])
                self.leases[service] = lease
            else:
                self.outcome.kiosk_errors[f"lease:{_error_code(reply)}"] += 1

    def _issue_offline(self, arrival: Arrival) -> bool:
        lease = self.leases.get(arrival.service)
        if lease is None or lease["next"] > int(lease["last_number"]):
            return False
        number = lease["next"]
        lease["next"] += 1
        ticket: dict[str, Any] = {
            "service": arrival.service,
            "number": number,
            "issued_at": self.clock.now().isoformat(),
            "language": "id",
            "lease": lease["lease"],
        }
        if arrival.priority_category:
            ticket["priority_category"] = arrival.priority_category
        self.offline_tickets.append(ticket)
        return True

    def _sync(self) -> None:
        kiosk = self.kiosks[self.plan.offline_kiosk]
        tickets, self.offline_tickets = self.offline_tickets, []
        for start in range(0, len(tickets), 500):
            chunk = tickets[start : start + 500]
            self.outcome.requests += 1
            reply = kiosk.send("sync_tickets", {"tickets": chunk})()
            if reply.get("status") != "ok":
                self.outcome.kiosk_errors[f"sync:{_error_code(reply)}"] += len(chunk)
                self.outcome.offline_refused += len(chunk)
                continue
            for sent, result in zip(chunk, reply["data"]["tickets"], strict=True):
                if result.get("status") != "accepted":
                    self.outcome.offline_refused += 1
                    continue
                self.outcome.offline_synced += 1
                station = self._first_station(sent["service"])
                self.hint[station] += 1
                self.outcome.issued.append(
                    Issued(
                        label=str(result["label"]),
                        service=sent["service"],
                        station=station,
                        at=sent["issued_at"],
                        source="offline",
                        estimate_minutes=None,
                        people_ahead=None,
                        open_counters=self._open_counters(station),
                    )
                )

    def _first_station(self, service: str) -> str:
        for item in self.plan.settings["services"]:
            if item["id"] == service:
                return str(item["journey"][0]["station"])
        return "?"

    # -- officers -------------------------------------------------------------------

    def _switch(self, item: tuple[str, str]) -> None:
        counter, action = item
        officer = self.officers[counter]
        if action == "close":
            if officer.busy is not None:
                officer.closing = True  # closes once the applicant at the desk is done
                return
            action_ok = self._post(officer, "close")
            officer.is_open = not action_ok
            return
        if officer.closing:  # the break ended before the desk was free
            officer.closing = False
            return
        if not officer.is_open:
            officer.is_open = self._post(officer, "open")

    def _post(self, officer: Officer, action: str, body: dict[str, Any] | None = None) -> bool:
        status, _answer = self._request(officer, action, body)
        return status == 200

    def _request(
        self, officer: Officer, action: str, body: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        status, answer = officer.post(action, body)
        with self.lock:
            self.outcome.requests += 1
            if status != 200:
                self.outcome.http_errors[f"{action}:{status}:{_error_code(answer)}"] += 1
        return status, answer

    def _end_service(self, item: tuple[str, str]) -> None:
        """A finish or no-show. An officer who finishes while an applicant is believed
        waiting at the desk's stations (and who is not closing) finishes and calls next
        in one request, as the console's "Finish & call next" does."""
        counter, action = item
        officer = self.officers[counter]
        claimed = None
        if action == "finish" and not officer.closing and not self.lockstep:
            claimed = self._claim_waiting(officer)
        try:
            body = {"call_next": True} if claimed is not None else None
            status, answer = self._request(officer, action, body)
            officer.busy = None
            with self.lock:
                if status == 200 and action == "finish":
                    self.outcome.finishes += 1
                    following = answer.get("next")
                    if following:
                        self.hint[str(following["station"])] += 1
                elif status == 200:
                    self.outcome.no_shows += 1
            if claimed is not None and status == 200:
                called = answer.get("called")
                if called is None:
                    self._nobody_for(officer, empty_poll=True)
                else:
                    self._called(officer, called)
                with self.lock:
                    self.outcome.calls_after_finish += called is not None
        finally:
            if claimed is not None:
                with self.lock:
                    self.claimed[claimed] -= 1
        if officer.closing:
            officer.closing = False
            officer.is_open = not self._post(officer, "close")
        elif not self.lockstep and claimed is None:
            self._call_if_waiting(officer)

    def _claim_waiting(self, officer: Officer) -> str | None:
        """A station of the desk where an applicant is believed waiting and not claimed by
        another officer of the batch (now claimed: release it), or None."""
        with self.lock:
            station = next(
                (s for s in officer.stations if self.hint[s] - self.claimed[s] > 0), None
            )
            if station is None or not officer.is_open:
                return None
            self.claimed[station] += 1
            return station

    def _call_if_waiting(self, officer: Officer) -> None:
        """The officer who just finished (the finish's own next step may be at this desk)
        calls the next applicant at once, if one is believed waiting at the desk's
        stations; the others are called once the batch is over (``_call_idle``)."""
        station = self._claim_waiting(officer)
        if station is None:
            return
        try:
            began = time.perf_counter()
            called = self._call(officer)
            with self.lock:
                self._add_time("call after finish", time.perf_counter() - began)
                self.outcome.calls_after_finish += called
        finally:
            with self.lock:
                self.claimed[station] -= 1

    def _call_idle(self) -> bool:
        """Idle open counters with work believed waiting call next; True if any did."""
        budget = Counter({station: n for station, n in self.hint.items() if n > 0})
        idle = []
        for officer in self.officers.values():  # no more callers than tickets believed waiting
            if not officer.is_open or officer.busy is not None or officer.closing:
                continue
            station = next((s for s in officer.stations if budget[s] > 0), None)
            if station is not None:
                budget[station] -= 1
                idle.append(officer)
        if not idle:
            return False
        began = time.perf_counter()
        self._parallel(self._call, idle)
        self._add_time("call", time.perf_counter() - began)
        return True

    def _call(self, officer: Officer) -> bool:
        """Call next at ``officer``'s counter; whether somebody was called."""
        status, answer = officer.post("call-next")
        with self.lock:
            self.outcome.requests += 1
        if status == 200:
            self._called(officer, answer["ticket"])
            return True
        empty = status == 404 and _error_code(answer) == "queue_empty"
        if not empty:
            with self.lock:
                self.outcome.http_errors[f"call-next:{status}:{_error_code(answer)}"] += 1
        self._nobody_for(officer, empty_poll=empty)
        return False

    def _nobody_for(self, officer: Officer, *, empty_poll: bool) -> None:
        """A call at ``officer``'s desk found nobody: stop asking there for now."""
        with self.lock:
            self.outcome.empty_polls += empty_poll
            for station in officer.stations:
                self.hint[station] = 0

    def _called(self, officer: Officer, ticket: dict[str, Any]) -> None:
        """``ticket`` was called to ``officer``'s desk: the applicant comes, or does not."""
        with self.lock:
            station = str(ticket["station"])
            self.hint[station] = max(0, self.hint[station] - 1)
            self.outcome.calls += 1
            label = str(ticket["label"])
            self.outcome.called_labels.append(label)
            now = self.clock.now()
            self.outcome.last_call_at = now.isoformat()
        officer.busy = ticket
        if self.plan.absent_when_called(label, station):
            self.at(now + timedelta(seconds=NO_SHOW_AFTER_S), "absent", officer.counter)
        else:
            seconds = self.plan.service_seconds(label, str(ticket["service"]), station)
            self.at(now + timedelta(seconds=seconds), "done", officer.counter)

    def _idle_everywhere(self) -> bool:
        """The end of the day: no event left, nobody at a desk, and a last call-next at every
        counter finds nobody waiting (a wrong hint would otherwise end the day early)."""
        if any(o.busy is not None for o in self.officers.values()):
            return False
        for officer in self.officers.values():
            if not officer.is_open:
                officer.is_open = self._post(officer, "open")
        before = self.outcome.calls
        self._parallel(self._call, list(self.officers.values()))
        return self.outcome.calls == before and not self.heap

    def _close_all(self) -> None:
        def close(officer: Officer) -> None:
            self._post(officer, "close")

        self._parallel(
            close,
            [o for o in self.officers.values() if o.is_open],
        )

    def close(self) -> None:
        self.kiosk_pool.shutdown(wait=True)
        self.pool.shutdown(wait=True)
        for index, kiosk in enumerate(self.kiosks):
            if index not in self.offline:
                kiosk.close()
        for officer in self.officers.values():
            officer.connection.close()


def drive(
    plan: DayPlan,
    endpoints: Endpoints,
    clock_value: Any,
    tick_s: float,
    lockstep: bool,
    results: Any,
) -> None:
    """The child process's entry: run the day and put the outcome (or the error) on ``results``."""
    try:
        began = time.perf_counter()
        cpu = time.process_time()
        driver = Driver(plan, endpoints, SharedClock(clock_value), tick_s=tick_s, lockstep=lockstep)
        connect_s = time.perf_counter() - began
        try:
            outcome = driver.run()
        finally:
            driver.close()
        outcome.phase_seconds["connect"] = connect_s
        outcome.phase_seconds["driver_cpu"] = time.process_time() - cpu
        results.put(("ok", outcome.as_dict()))
    except Exception as error:  # reported by the parent, which owns the server
        results.put(("error", f"{type(error).__name__}: {error}"))
