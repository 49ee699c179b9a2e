"""Accuracy of the wait estimate (issue 13 item 6): the estimate given at issue against the
wait that followed (issue -> first call), new model vs. the queue-length baseline.

Usage: python bench/estimate_accuracy.py [--seeds 1 2 3 4 5] [--scale 1.0] [--json]

Replays simulated office days in-process through the real services (issuing, booking
check-in, officer call/finish/no-show) on a temporary SQLite database with the demo office
(queue_server/demo/banjarmasin.yaml), the services' clock advanced in simulated time:

- arrivals by hour (a morning peak, a lull at lunch) over the office's services, about
  320 visits a day at ``--scale 1``; 8% of walk-ins with a priority category;
- M-Paspor bookings with slots every few minutes 08:00-14:30, checked in from 45 minutes
  before to 20 minutes after their slot, 10% of bookings never come;
- 5% of issued tickets walk away: when called, the officer waits 1-2 minutes and marks
  a no-show;
- service times drawn around the SOP standard minutes of each step: each officer is
  slower or faster for the whole day (x0.7-1.5), each applicant varies (lognormal, 35%),
  1% of services run very long; 0.1-0.6 minutes between a finish and the next call;
- multi-step journeys as in the office file (document check, then biometrics, ...);
- counters open at 08:00 (a few late), close in two waves for lunch (12:00-12:30 and
  12:30-13:00; single desks 12:00-12:45), one random counter is away 30 minutes in the
  afternoon; arrivals stop at 15:30 and the queue is served until empty.

For each ticket it records, at the moment of issue, the server's estimate (what the kiosk
receives, ``estimated_wait_minutes``), the baseline "people ahead x SOP standard minutes /
open counters" and the estimate of the previous model (median-blended service time /
open counters), then the actual minutes until the ticket's first call. It reports MAE,
bias (mean of estimate - actual) and p90 absolute error per first station and overall.

No recorded office days exist in the repository (queue_server/demo has the office file
only, the test fixtures no ticket history), so simulated days are all it can replay.
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import random
import statistics
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from queue_server.config import ServerConfig
from queue_server.domain.calling import newcomer_position
from queue_server.domain.errors import DomainError
from queue_server.domain.estimate import baseline_wait_minutes
from queue_server.domain.ids import ServiceId, StationType, TicketSource
from queue_server.persistence.db import open_database
from queue_server.persistence.migrate import upgrade
from queue_server.services import queries
from queue_server.services.bookings import BookingEntry, CheckInRequest
from queue_server.services.container import Services, build_services
from queue_server.services.issuing import IssueRequest
from queue_server.services.offices import OfficeSnapshot, store_office
from queue_server.services.station_stats import StationStats
from queue_server.services.unit import Actor

DEMO_FILE = ROOT / "queue_server" / "demo" / "banjarmasin.yaml"
DAY = date(2026, 11, 23)  # a Monday, no holiday
WITA = timedelta(hours=8)
START = datetime.combine(DAY, time(8, 0), tzinfo=UTC) - WITA  # 08:00 local, in UTC
KIOSK = Actor(name="sim-kiosk")
OFFICER = Actor(name="sim-officer")

#: Walk-in arrivals per hour of the day (local hour -> visits), at --scale 1.
ARRIVALS_BY_HOUR = {8: 40, 9: 42, 10: 36, 11: 26, 12: 12, 13: 22, 14: 18, 15: 8}
#: Walk-in service mix (service id -> weight).
WALK_IN_MIX = {
    "paspor-walkin": 30,
    "paspor-prioritas": 4,
    "paspor-hilang-rusak": 8,
    "paspor-lanjutan-bap": 6,
    "itk-penerbitan": 9,
    "itas-vitas": 7,
    "itap-perpanjangan": 5,
    "pengambilan-paspor": 45,
    "pengambilan-izin-tinggal": 6,
    "pengaduan": 2,
    "informasi": 8,
}
BOOKINGS = 110
PRIORITY_SHARE = 0.08
WALK_AWAY_SHARE = 0.05
BOOKING_NO_SHOW = 0.10


@dataclass
class Record:
    station: str
    kind: str  # "booked", "priority" or "walk-in"
    issued_at: float
    estimate: float | None
    baseline: float | None
    previous: float | None
    called_at: float | None = None


@dataclass
class Desk:
    code: str
    stations: frozenset[str]
    pace: float
    is_open: bool = False
    busy: bool = False
    idle: bool = False


@dataclass(order=True)
class Event:
    at: float
    seq: int
    action: Callable[[], None] = field(compare=False)


class OfficeDay:
    """One simulated day: an event queue in minutes since 08:00 driving the services."""

    def __init__(self, services: Services, office: str, seed: int, scale: float) -> None:
        self.services, self.office = services, office
        self.rng = random.Random(seed)
        self.scale = scale
        self.minute = 0.0
        self.queue: list[Event] = []
        self.seq = 0
        self.records: dict[int, Record] = {}
        self.walks_away: set[int] = set()
        self.refused = 0
        with services.database.reader() as session:
            self.snapshot: OfficeSnapshot = services.catalog.get(session, office)
        self.desks = {
            str(code): Desk(
                str(code),
                frozenset(station.value for station in counter.stations),
                self.rng.uniform(0.7, 1.5),
            )
            for code, counter in self.snapshot.counters.items()
        }

    # -- the clock and the event queue ----------------------------------------------------

    def now(self) -> datetime:
        return START + timedelta(minutes=self.minute)

    def at(self, minute: float, action: Callable[[], None]) -> None:
        self.seq += 1
        heapq.heappush(self.queue, Event(minute, self.seq, action))

    def run(self) -> None:
        self.plan()
        while self.queue:
            event = heapq.heappop(self.queue)
            self.minute = max(self.minute, event.at)
            event.action()

    # -- the day's plan -------------------------------------------------------------------

    def plan(self) -> None:
        rng = self.rng
        for code in self.desks:
            late = rng.random() < 0.2
            self.at(rng.uniform(5, 20) if late else rng.uniform(0, 2), self.opener(code))
        by_station: dict[frozenset[str], list[str]] = defaultdict(list)
        for code, desk in self.desks.items():
            by_station[desk.stations].append(code)
        for codes in by_station.values():
            if len(codes) == 1:
                self.at(240 + rng.uniform(0, 5), self.closer(codes[0], minutes=45))
                continue
            for index, code in enumerate(codes):
                self.at((240 if index % 2 == 0 else 270) + rng.uniform(0, 3), self.closer(code, 30))
        away = rng.choice(sorted(self.desks))
        self.at(rng.uniform(330, 400), self.closer(away, minutes=30))
        weights = list(WALK_IN_MIX.values())
        for hour, count in ARRIVALS_BY_HOUR.items():
            for _ in range(round(count * self.scale)):
                minute = (hour - 8) * 60 + rng.uniform(0, 60)
                if minute > 450:
                    continue
                service = rng.choices(list(WALK_IN_MIX), weights)[0]
                self.at(minute, self.walk_in(service))
        entries = []
        for index in range(round(BOOKINGS * self.scale)):
            slot_minute = int(index * 390 / (BOOKINGS * self.scale)) // 5 * 5
            slot = (datetime.combine(DAY, time(8, 0)) + timedelta(minutes=slot_minute)).time()
            code = f"MP-{index:05d}"
            entries.append(BookingEntry(code, "paspor-mpaspor", DAY, slot))
            if rng.random() < BOOKING_NO_SHOW:
                continue
            arrive = max(slot_minute + rng.uniform(-45, 20), 0.0)
            self.at(arrive, self.check_in(code))
        self.services.bookings.import_bookings(self.office, entries, actor=OFFICER)

    # -- applicants -----------------------------------------------------------------------

    def walk_in(self, service: str) -> Callable[[], None]:
        def arrive() -> None:
            category = None
            if service == "paspor-prioritas" or (
                service != "informasi" and self.rng.random() < PRIORITY_SHARE
            ):
                category = "elderly"
            request = IssueRequest(
                office=self.office,
                service=service,
                source=TicketSource.KIOSK,
                priority_category=category,
            )
            self.issue(lambda: self.services.issuing.issue(request, actor=KIOSK), service, category)

        return arrive

    def check_in(self, code: str) -> Callable[[], None]:
        def arrive() -> None:
            request = CheckInRequest(office=self.office, code=code, documents_ready=True)
            self.issue(
                lambda: self.services.bookings.check_in(request, actor=KIOSK),
                "paspor-mpaspor",
                None,
            )

        return arrive

    def issue(self, issue: Callable[[], Any], service_id: str, category: str | None) -> None:
        service = self.snapshot.service(service_id)
        priority = category is not None
        station = service.station_for(0, priority=priority)
        baseline, previous = self.queue_length_estimates(service_id, station, priority)
        try:
            issued = issue()
        except DomainError:
            self.refused += 1
            return
        kind = "booked" if service.kind.value == "booking_required" else "walk-in"
        kind = "priority" if priority else kind
        self.records[issued.ticket_id] = Record(
            station.value, kind, self.minute, issued.estimated_wait_minutes, baseline, previous
        )
        if self.rng.random() < WALK_AWAY_SHARE:
            self.walks_away.add(issued.ticket_id)
        self.wake(station.value)

    def queue_length_estimates(
        self, service_id: str, station: StationType, priority: bool
    ) -> tuple[float | None, float | None]:
        """The baseline and the previous model, from the same counts the server used."""
        snapshot = self.snapshot
        service = ServiceId(service_id)
        with self.services.database.reader() as session:
            counts = {True: 0, False: 0}
            for (other, is_priority), count in queries.waiting_by_class(
                session, self.office, station
            ).items():
                if any(
                    counter.serves(station, ServiceId(other)) and counter.serves(station, service)
                    for counter in snapshot.counters.values()
                ):
                    counts[is_priority] += count
            ahead = newcomer_position(
                priority_waiting=counts[True],
                regular_waiting=counts[False],
                priority=priority,
                policy=snapshot.office.priority,
            )
            open_codes = queries.open_counter_codes(session, self.office)
            recent = queries.recent_service_minutes(session, self.office, station)
        counters = queries.counters_serving(snapshot, open_codes, station, service)
        standard = snapshot.service(service_id).journey[0].standard_minutes
        baseline = baseline_wait_minutes(ahead, counters, standard)
        per_ticket = standard
        if recent:
            weight = len(recent[:20])
            per_ticket = (statistics.median(recent[:20]) * weight + standard * 5) / (weight + 5)
        previous = None if counters <= 0 else round(ahead * per_ticket / counters, 1)
        return baseline, previous

    # -- officers -------------------------------------------------------------------------

    def opener(self, code: str) -> Callable[[], None]:
        def open_counter() -> None:
            self.services.officer.open_counter(self.office, code, actor=OFFICER)
            desk = self.desks[code]
            desk.is_open = True
            self.at(self.minute, self.caller(code))

        return open_counter

    def closer(self, code: str, minutes: float) -> Callable[[], None]:
        def close_counter() -> None:
            desk = self.desks[code]
            if desk.busy:  # the officer finishes the applicant first
                self.at(self.minute + 0.5, close_counter)
                return
            if not desk.is_open:
                return
            self.services.officer.close_counter(self.office, code, actor=OFFICER)
            desk.is_open = desk.idle = False
            self.at(self.minute + minutes, self.opener(code))

        return close_counter

    def wake(self, station: str) -> None:
        for desk in self.desks.values():
            if desk.idle and desk.is_open and station in desk.stations:
                desk.idle = False
                self.at(self.minute + self.rng.uniform(0.05, 0.3), self.caller(desk.code))

    def caller(self, code: str) -> Callable[[], None]:
        def call() -> None:
            desk = self.desks[code]
            if not desk.is_open or desk.busy:
                return
            try:
                ticket = self.services.officer.call_next(self.office, code, actor=OFFICER)
            except DomainError:
                desk.idle = True
                return
            desk.busy, desk.idle = True, False
            record = self.records.get(ticket.id)
            if record is not None and record.called_at is None:
                record.called_at = self.minute
            if ticket.id in self.walks_away:
                self.at(self.minute + self.rng.uniform(1, 2), self.no_show(code))
                return
            step = self.snapshot.service(ticket.service).journey
            standard = next(
                (s.standard_minutes for s in step if s.station.value == ticket.station),
                step[0].standard_minutes,
            )
            minutes = standard * desk.pace * math.exp(self.rng.gauss(-0.06, 0.35))
            if self.rng.random() < 0.01:
                minutes *= 4
            self.at(self.minute + minutes, self.finisher(code))

        return call

    def finisher(self, code: str) -> Callable[[], None]:
        def finish() -> None:
            _, successor = self.services.officer.finish(self.office, code, actor=OFFICER)
            self.after_counter(code, None if successor is None else successor.station)

        return finish

    def no_show(self, code: str) -> Callable[[], None]:
        def mark() -> None:
            self.services.officer.no_show(self.office, code, actor=OFFICER)
            self.after_counter(code, None)

        return mark

    def after_counter(self, code: str, next_station: str | None) -> None:
        self.desks[code].busy = False
        if next_station is not None:
            self.wake(next_station)
        self.at(self.minute + self.rng.uniform(0.1, 0.6), self.caller(code))


def run_day(seed: int, scale: float) -> tuple[list[Record], dict[str, int]]:
    with tempfile.TemporaryDirectory(prefix="antre-estimate-") as folder:
        url = f"sqlite:///{folder}/day.db"
        upgrade(url)
        settings = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
        clock_box: list[OfficeDay] = []

        def clock() -> datetime:
            return clock_box[0].now() if clock_box else START

        database = open_database(url)
        with database.writer() as session, session.begin():
            office = str(store_office(session, settings, now=START).office)
        database.dispose()
        services = build_services(ServerConfig(database_url=url, nik_key="bench"), clock=clock)
        try:
            day = OfficeDay(services, office, seed, scale)
            clock_box.append(day)
            # The estimate cache lives 2 s of office time, not of this fast replay's time.
            stats = services.issuing._stats
            if isinstance(stats, StationStats):
                stats._clock = lambda: day.minute * 60
            day.run()
        finally:
            services.close()
    records = list(day.records.values())
    counts = {
        "issued": len(records),
        "refused": day.refused,
        "never_called": sum(1 for r in records if r.called_at is None),
        "no_counter_open": sum(1 for r in records if r.estimate is None or r.baseline is None),
    }
    return records, counts


def errors(records: list[Record], pick: Callable[[Record], float | None]) -> dict[str, float]:
    pairs = [
        (value, r.called_at - r.issued_at)
        for r in records
        if r.called_at is not None
        and r.estimate is not None
        and r.baseline is not None
        and (value := pick(r)) is not None
    ]
    if not pairs:
        return {"n": 0}
    absolute = sorted(abs(estimate - actual) for estimate, actual in pairs)
    return {
        "n": len(pairs),
        "mae": statistics.fmean(absolute),
        "bias": statistics.fmean(estimate - actual for estimate, actual in pairs),
        "p90": absolute[min(len(absolute) - 1, math.ceil(0.9 * len(absolute)) - 1)],
        "mean_wait": statistics.fmean(actual for _, actual in pairs),
    }


MODELS: dict[str, Callable[[Record], float | None]] = {
    "baseline": lambda r: r.baseline,
    "previous": lambda r: r.previous,
    "new": lambda r: r.estimate,
}


def report(records: list[Record]) -> dict[str, dict[str, dict[str, float]]]:
    stations = sorted({r.station for r in records})
    table: dict[str, dict[str, dict[str, float]]] = {}
    for station in [*stations, "all"]:
        chosen = records if station == "all" else [r for r in records if r.station == station]
        table[station] = {name: errors(chosen, pick) for name, pick in MODELS.items()}
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--scale", type=float, default=1.0, help="arrivals x this")
    parser.add_argument("--json", action="store_true", help="print the tables as JSON")
    args = parser.parse_args()
    everything: list[Record] = []
    per_seed = {}
    for seed in args.seeds:
        records, counts = run_day(seed, args.scale)
        everything += records
        overall = report(records)["all"]
        per_seed[seed] = {"counts": counts, "all": overall}
        print(
            f"seed {seed}: {counts['issued']} tickets ({counts['refused']} refused, "
            f"{counts['never_called']} never called, {counts['no_counter_open']} without an "
            f"estimate); MAE baseline {overall['baseline']['mae']:.1f} min, previous "
            f"{overall['previous']['mae']:.1f}, new {overall['new']['mae']:.1f} "
            f"({1 - overall['new']['mae'] / overall['baseline']['mae']:.0%} lower than baseline)"
        )
    table = report(everything)
    if args.json:
        print(json.dumps({"seeds": per_seed, "stations": table}, indent=2))
        return
    print(f"\nAll seeds {args.seeds}, scale {args.scale}: minutes (estimate at issue vs. actual)")
    print(
        f"{'station':<14}{'n':>5}{'wait':>7}  "
        + "  ".join(f"{name + ' MAE/bias/p90':>27}" for name in MODELS)
    )
    for station, models in table.items():
        base = models["baseline"]
        if not base.get("n"):
            continue
        cells = "  ".join(
            f"{m['mae']:>9.1f}{m['bias']:>+9.1f}{m['p90']:>9.1f}" for m in models.values()
        )
        print(f"{station:<14}{base['n']:>5}{base['mean_wait']:>7.1f}  {cells}")
    overall = table["all"]
    cut = 1 - overall["new"]["mae"] / overall["baseline"]["mae"]
    print(f"\nnew MAE {cut:.0%} lower than the baseline (target: at least 40%)")


if __name__ == "__main__":
    main()
