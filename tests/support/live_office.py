"""A whole server for one test module: a migrated SQLite file with the web tests' office
and one user per role, the app under werkzeug's threaded server on a loopback port."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import make_server

from queue_server.domain.ids import Role
from queue_server.persistence.migrate import upgrade
from queue_server.services.container import Services, build_services
from queue_server.services.offices import store_office
from queue_server.services.unit import Actor, Clock
from queue_server.web import create_app
from tests.web.conftest import PASSWORDS, office_settings, web_config


@dataclass(frozen=True)
class LiveOffice:
    services: Services
    url: str


@contextmanager
def live_office(folder: Path, clock: Clock) -> Iterator[LiveOffice]:
    config = web_config(folder)
    upgrade(config.database_url)
    services = build_services(config, clock=clock)
    with services.database.writer() as session, session.begin():
        store_office(session, office_settings(), now=clock())
    for role, password in PASSWORDS.items():
        services.accounts.create_user(
            role, role.title(), password, Role(role), actor=Actor(name="fixture")
        )
    server = make_server("127.0.0.1", 0, create_app(services=services), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveOffice(services, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        services.close()
