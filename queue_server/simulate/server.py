"""The server of a simulated day, assembled as ``antre serve`` assembles it, in this process.

The database (a temporary SQLite file, or the PostgreSQL URL given) gets the schema, the
simulated office, one bearer token per counter's officer and the day's M-Paspor
bookings. Mosquitto runs on a random loopback port with one account per kiosk and
display; the server reaches it as an external broker (``--mqtt-url``), so the broker's
files stay in the temporary folder whatever the database. The HTTP API is served by
waitress on a random loopback port. The services' clock reads the shared simulated time.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from queue_server.config import ServerConfig
from queue_server.simulate.driver import Endpoints
from queue_server.simulate.plan import DAY, DayPlan

SERVER_USER = "antre-server"


@dataclass(frozen=True)
class RunningServer:
    endpoints: Endpoints
    services: Any  # queue_server.services.container.Services


class DatabaseNotEmpty(Exception):
    """The database already holds visits of the simulated office (from an earlier run)."""


def _seed_database(services: Any, plan: DayPlan) -> dict[str, str]:
    from sqlalchemy import text

    from queue_server.domain.ids import Role
    from queue_server.services.bookings import BookingEntry
    from queue_server.services.offices import store_office
    from queue_server.services.unit import Actor

    with services.database.reader() as session:
        query = text("select count(*) from visits where office_id = :office")
        if session.execute(query, {"office": plan.office}).scalar_one():
            raise DatabaseNotEmpty(plan.office)
    with services.database.writer() as session, session.begin():
        store_office(session, plan.settings, now=plan.opens_at - timedelta(hours=2))
    actor = Actor(name="simulate")
    tokens = {
        counter.id: services.accounts.create_token(
            f"sim-{counter.id}", Role.PETUGAS, actor=actor, offices=[plan.office]
        )
        for counter in plan.counters
    }
    entries = [BookingEntry(b.code, b.service, DAY, b.slot) for b in plan.bookings]
    if entries:
        services.bookings.import_bookings(plan.office, entries, actor=actor)
    return tokens


@contextlib.contextmanager
def running_server(
    url: str, folder: Path, plan: DayPlan, clock_value: Any, *, http_threads: int = 4
) -> Iterator[RunningServer]:
    """The whole server for ``plan`` on ``url``; stopped and closed when the block ends."""
    from queue_server.bootstrap import build, prepare_database
    from queue_server.heap import settle_heap
    from queue_server.mqtt.broker import Account, DeviceKind, MosquittoProcess, free_port
    from queue_server.mqtt.runtime import start_mqtt
    from queue_server.serve import http_server
    from queue_server.web.app import create_app

    def clock() -> datetime:
        return datetime.fromtimestamp(clock_value.value, UTC)

    kiosks = [(f"sim-kiosk-{i + 1}", secrets.token_urlsafe(12)) for i in range(plan.kiosks)]
    displays = [(f"sim-display-{i + 1}", secrets.token_urlsafe(12)) for i in range(plan.displays)]
    server_password = secrets.token_urlsafe(18)
    accounts = [
        Account(SERVER_USER, server_password, None),
        *(Account(name, pw, DeviceKind.KIOSK) for name, pw in kiosks),
        *(Account(name, pw, DeviceKind.DISPLAY) for name, pw in displays),
    ]
    broker_port, http_port = free_port(), free_port()
    config = ServerConfig(
        database_url=url,
        host="127.0.0.1",
        port=http_port,
        threads=http_threads,
        secret_key=secrets.token_urlsafe(24),
        nik_key="simulate",
        mqtt_url=f"mqtt://{SERVER_USER}:{server_password}@127.0.0.1:{broker_port}",
        # The day runs hundreds of times faster than real time: a kiosk sends far more
        # requests per real second than the per-device limit (meant for a stuck kiosk).
        mqtt_rate_per_s=10_000,
        mqtt_rate_burst=100_000,
        mqtt_backlog_per_device=100_000,
    )
    broker = MosquittoProcess(
        folder / "mqtt", office=plan.office, accounts=accounts, port=broker_port
    )
    prepare_database(config)
    services = build(config, clock)
    try:
        tokens = _seed_database(services, plan)
        with broker:
            runtime = start_mqtt(services, config)
            app = create_app(config, services=services, mqtt_health=runtime.health)
            web = http_server(
                app, host="127.0.0.1", port=http_port, threads=http_threads, per_address=None
            )
            thread = threading.Thread(target=web.run, name="simulate-http", daemon=True)
            thread.start()
            try:
                if not runtime.client.connected.wait(15):
                    raise RuntimeError("the server did not connect to the broker")
                settle_heap()  # as antre serve does once started
                endpoints = Endpoints(
                    office=plan.office,
                    http_port=http_port,
                    mqtt_port=broker_port,
                    officer_tokens=tokens,
                    kiosk_passwords=kiosks,
                    display_passwords=displays,
                )
                yield RunningServer(endpoints=endpoints, services=services)
            finally:
                web.close()
                runtime.stop()
    finally:
        services.close()
