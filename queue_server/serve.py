"""``antre serve``: migrate, optionally build the demo office, then serve HTTP with waitress."""

from __future__ import annotations

import argparse
import logging
import secrets
import signal
from pathlib import Path
from typing import TYPE_CHECKING

from queue_server.cli import DEMO_OFFICE, _config, _prepare, _read_office_file, load_office

if TYPE_CHECKING:
    from queue_server.mqtt.runtime import MqttRuntime

log = logging.getLogger("antre.serve")
DEMO_DATABASE = Path("var/demo.db")
DEMO_ADMIN = "admin"


def run_server(args: argparse.Namespace) -> int:
    if args.demo and not args.db:
        args.db = str(DEMO_DATABASE)
    config = _config(
        args,
        host=args.host,
        port=args.port,
        threads=args.threads,
        mqtt_port=args.mqtt_port,
        mqtt_enabled=False if args.no_mqtt else None,
        mqtt_host=args.mqtt_host,
        mqtt_url=args.mqtt_url,
        mqtt_ca=args.mqtt_ca,
        mqtt_tls=True if args.mqtt_tls else None,
        mqtt_tls_cert=args.mqtt_tls_cert,
        mqtt_tls_key=args.mqtt_tls_key,
        mqtt_tls_port=args.mqtt_tls_port,
        mqtt_tls_host=args.mqtt_tls_host,
    )
    if args.demo:
        _fresh_demo(config)
    else:
        _prepare(config)
    from queue_server.web.app import create_app

    app = create_app(config)
    # SIGTERM (systemd, tests) must unwind through `finally` so the broker child stops too.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    runtime = _start_mqtt(app.extensions["antre"], config)
    import waitress

    log.info("serving on http://%s:%s/", config.host, config.port)
    try:
        waitress.serve(
            app, host=config.host, port=config.port, threads=config.threads, ident="antre"
        )
    finally:
        if runtime is not None:
            runtime.stop()
    return 0


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _start_mqtt(services: object, config: object) -> MqttRuntime | None:
    """The managed broker and MQTT adapter for the office served here (``--no-mqtt``: none)."""
    from queue_server.config import ServerConfig
    from queue_server.mqtt.runtime import start_mqtt
    from queue_server.services.container import Services

    assert isinstance(services, Services) and isinstance(config, ServerConfig)
    if not config.mqtt_enabled:
        return None
    offices = [office["id"] for office in services.views.offices()]
    office = config.default_office or (offices[0] if len(offices) == 1 else None)
    if office is None:
        log.warning("MQTT not started: load exactly one office or set ANTRE_DEFAULT_OFFICE")
        return None
    return start_mqtt(services, config, office)


def _base_url(config: object) -> str | None:
    """Where this server is reached, for the demo's QR links (None for a wildcard host)."""
    host, port = getattr(config, "host", ""), getattr(config, "port", 0)
    if host in ("", "0.0.0.0", "::"):
        return None
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def _fresh_demo(config: object) -> None:
    """A new SQLite file with the demo office and a demo admin whose password is printed once."""
    from queue_server.config import ServerConfig, sqlite_path
    from queue_server.demo import demo_settings
    from queue_server.services.container import build_services
    from queue_server.services.unit import Actor

    assert isinstance(config, ServerConfig)
    path = sqlite_path(config.database_url)
    if path is None:
        raise SystemExit("--demo needs a SQLite database file")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    _prepare(config)
    settings = demo_settings(_read_office_file(DEMO_OFFICE), _base_url(config))
    load_office(config, settings)
    password = secrets.token_urlsafe(12)
    services = build_services(config)
    try:
        services.accounts.create_first_admin(
            DEMO_ADMIN, "Demo Administrator", password, actor=Actor(name="demo")
        )
    finally:
        services.close()
    print(f"Demo office loaded into {path}")
    log.warning(
        "DEMO office %s: open around the clock every day (demo calendar); not a real office",
        settings["office"]["id"],
    )
    print(f"Demo admin: {DEMO_ADMIN} / {password}  (shown once)", flush=True)
