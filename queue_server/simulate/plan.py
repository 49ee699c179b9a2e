"""The plan of a simulated office day, drawn from a seed before anything runs.

Everything random is decided here (arrivals, services, priority, bookings and their
no-shows, counters and their breaks, the offline kiosk's window) or drawn later from a
generator seeded by the seed and the ticket (service times), so one seed gives one day.
Pure Python: no database, no network.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

#: The simulated day: a Monday that is no holiday, every regular service open 08:00-16:00.
DAY = date(2026, 11, 23)
OPENS = time(8, 0)
#: The last arrival; counters keep serving whoever holds a number after closing.
LAST_ARRIVAL = time(15, 45)

#: Share of the day's arrivals in each local hour (a morning peak, a dip at lunch).
HOURLY_PROFILE: dict[int, float] = {
    8: 0.17,
    9: 0.19,
    10: 0.16,
    11: 0.13,
    12: 0.08,
    13: 0.12,
    14: 0.10,
    15: 0.05,
}

#: Share of visits per service (a large passport office: many pickups and questions).
SERVICE_MIX: dict[str, float] = {
    "paspor-mpaspor": 0.13,
    "paspor-walkin": 0.03,
    "paspor-prioritas": 0.02,
    "paspor-hilang-rusak": 0.01,
    "paspor-lanjutan-bap": 0.01,
    "itk-penerbitan": 0.01,
    "itas-vitas": 0.01,
    "itap-perpanjangan": 0.01,
    "pengambilan-paspor": 0.40,
    "pengambilan-izin-tinggal": 0.03,
    "pengaduan": 0.01,
    "informasi": 0.33,
}
PRIORITY_CATEGORIES = ("disabled", "elderly", "child_under_five", "pregnant")
#: Booked applicants who never come (their booking stays unused).
BOOKING_NO_SHOW = 0.08
#: Called applicants who are not there (the officer marks them absent after a while).
CALL_NO_SHOW = 0.03
NO_SHOW_AFTER_S = 120.0
#: Service times: a gamma distribution around the SOP minutes with this coefficient of variation.
SERVICE_CV = 0.4
#: The lunch break of every second counter of a station with two or more (in the office
#: file's rota, so the server knows it too).
BREAK = (time(12, 0), time(13, 0))


@dataclass(frozen=True)
class Arrival:
    """One applicant coming to a kiosk."""

    index: int
    at: datetime  # UTC
    service: str
    kiosk: int
    priority_category: str | None = None
    booking_code: str | None = None


@dataclass(frozen=True)
class CounterPlan:
    id: str
    stations: tuple[str, ...]
    breaks: tuple[tuple[datetime, datetime], ...] = ()


@dataclass(frozen=True)
class Booking:
    code: str
    service: str
    slot: time


@dataclass
class DayPlan:
    seed: int
    settings: dict[str, Any]
    office: str
    zone: ZoneInfo
    opens_at: datetime  # UTC
    arrivals: list[Arrival]
    bookings: list[Booking]
    counters: list[CounterPlan]
    kiosks: int
    displays: int
    offline_kiosk: int
    offline_window: tuple[datetime, datetime]
    #: (service, station) -> SOP standard minutes of that same-day step.
    standard_minutes: dict[tuple[str, str], float] = field(default_factory=dict)

    def service_seconds(self, label: str, service: str, station: str) -> float:
        """How long the officer takes with ``label`` at ``station`` (drawn around the SOP)."""
        minutes = self.standard_minutes.get((service, station), 5.0)
        draw = random.Random(f"{self.seed}:{label}:{station}")
        shape = 1.0 / (SERVICE_CV * SERVICE_CV)
        return max(20.0, draw.gammavariate(shape, minutes * 60.0 / shape))

    def absent_when_called(self, label: str, station: str) -> bool:
        return random.Random(f"{self.seed}:absent:{label}:{station}").random() < CALL_NO_SHOW


def _same_day_steps(service: dict[str, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    for step in service["journey"]:
        if steps and (step.get("after_days") or step.get("after_working_days")):
            break
        steps.append(step)
    return steps


def _station_of(service: dict[str, Any], station: str) -> str:
    # Priority tickets at BIO are routed to BIO_PRIORITY (the Loket Ramah HAM).
    if station == "BIO" and service["id"] == "paspor-prioritas":
        return "BIO_PRIORITY"
    return station


def standard_minutes(settings: dict[str, Any]) -> dict[tuple[str, str], float]:
    table: dict[tuple[str, str], float] = {}
    for service in settings["services"]:
        for step in _same_day_steps(service):
            station = _station_of(service, step["station"])
            table.setdefault((service["id"], station), float(step["minutes"]))
            table.setdefault((service["id"], step["station"]), float(step["minutes"]))
    return table


def station_load(settings: dict[str, Any], visits: int) -> dict[str, float]:
    """Expected officer minutes per station for ``visits`` visits of :data:`SERVICE_MIX`."""
    services = {service["id"]: service for service in settings["services"]}
    load: dict[str, float] = {}
    for code, share in SERVICE_MIX.items():
        service = services[code]
        for step in _same_day_steps(service):
            station = _station_of(service, step["station"])
            load[station] = load.get(station, 0.0) + visits * share * float(step["minutes"])
    return load


def allocate_counters(load: dict[str, float], total: int) -> dict[str, int]:
    """``total`` counters over the stations in proportion to their load, at least one each."""
    stations = sorted(load)
    counts = {station: 1 for station in stations}
    spare = max(0, total - len(stations))
    whole = sum(load.values()) or 1.0
    shares = {station: spare * load[station] / whole for station in stations}
    for station in stations:
        counts[station] += int(shares[station])
    left = total - sum(counts.values())
    by_remainder = sorted(stations, key=lambda s: shares[s] - int(shares[s]), reverse=True)
    for station in by_remainder[: max(0, left)]:
        counts[station] += 1
    return counts


def office_settings(demo: dict[str, Any], counts: dict[str, int]) -> dict[str, Any]:
    """The demo office without quotas or evening sessions, with ``counts`` counters per station.

    The priority station's desks also do document checks, as the demo's Loket Ramah HAM.
    Every second counter of a station with two or more takes the lunch break
    :data:`BREAK`, as the office file's rota says (the server's estimate counts on it).
    """
    settings = copy.deepcopy(demo)
    for service in settings["services"]:
        service.pop("daily_quota", None)
    settings["calendar"]["sessions"] = []
    settings.pop("registration", None)
    counters = []
    for station, count in sorted(counts.items()):
        stations = ["BIO_PRIORITY", "CS"] if station == "BIO_PRIORITY" else [station]
        for number in range(1, count + 1):
            counter: dict[str, Any] = {
                "id": f"{station.lower().replace('_', '-')}-{number}",
                "name": f"{station} {number}",
                "stations": stations,
            }
            if number % 2 == 0:
                counter["breaks"] = [[f"{BREAK[0]:%H:%M}", f"{BREAK[1]:%H:%M}"]]
            counters.append(counter)
    settings["counters"] = counters
    return settings


def make_plan(
    demo: dict[str, Any],
    *,
    visits: int,
    counters: int,
    kiosks: int,
    displays: int,
    seed: int,
) -> DayPlan:
    """The day: ``visits`` arrivals over the hourly profile, ``counters`` desks, ``kiosks``."""
    draw = random.Random(seed)
    counts = allocate_counters(station_load(demo, visits), counters)
    settings = office_settings(demo, counts)
    zone = ZoneInfo(settings["office"]["timezone"])

    def local(moment: time) -> datetime:
        return datetime.combine(DAY, moment, zone).astimezone(ZoneInfo("UTC"))

    opens_at = local(OPENS)
    last = local(LAST_ARRIVAL)
    services = list(SERVICE_MIX)
    weights = [SERVICE_MIX[code] for code in services]
    hours = list(HOURLY_PROFILE)
    hour_weights = [HOURLY_PROFILE[hour] for hour in hours]
    arrivals: list[Arrival] = []
    bookings: list[Booking] = []
    for index in range(visits):
        service = draw.choices(services, weights)[0]
        hour = draw.choices(hours, hour_weights)[0]
        at = local(time(hour, 0)) + timedelta(seconds=draw.uniform(0, 3600))
        at = min(max(at, opens_at), last)
        category = draw.choice(PRIORITY_CATEGORIES) if service == "paspor-prioritas" else None
        code = None
        if service == "paspor-mpaspor":
            # Booked slots every 30 minutes; the applicant comes up to 50 minutes early.
            slot_local = (at + timedelta(minutes=draw.uniform(0, 50))).astimezone(zone)
            minute = 0 if slot_local.minute < 30 else 30
            slot = min(time(slot_local.hour, minute), time(15, 30))
            code = f"SIM{seed % 1000:03d}{index:06d}"
            bookings.append(Booking(code, service, slot))
            if draw.random() < BOOKING_NO_SHOW:
                continue  # booked, never came
            slot_at = local(slot)
            at = min(max(at, slot_at - timedelta(minutes=55), opens_at), last)
            at = min(at, slot_at + timedelta(minutes=25))
        arrivals.append(Arrival(index, at, service, draw.randrange(kiosks), category, code))
    arrivals.sort(key=lambda arrival: (arrival.at, arrival.index))
    counter_plans = [
        CounterPlan(
            counter["id"],
            tuple(counter["stations"]),
            tuple(
                (local(time.fromisoformat(begins)), local(time.fromisoformat(ends)))
                for begins, ends in counter.get("breaks", ())
            ),
        )
        for counter in settings["counters"]
    ]
    offline_from = local(time(10, 0))
    return DayPlan(
        seed=seed,
        settings=settings,
        office=str(settings["office"]["id"]),
        zone=zone,
        opens_at=opens_at,
        arrivals=arrivals,
        bookings=bookings,
        counters=counter_plans,
        kiosks=kiosks,
        displays=displays,
        offline_kiosk=0,
        offline_window=(offline_from, offline_from + timedelta(minutes=45)),
        standard_minutes=standard_minutes(settings),
    )
