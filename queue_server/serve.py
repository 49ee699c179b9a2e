"""``antre serve``: lock the data folder, migrate, bind HTTP, start MQTT, serve with waitress.

The order keeps a failed start harmless: a second server on the same data folder stops
at the lock before it touches the database, the broker or its files; a busy HTTP port is
found (one line, no traceback) before the broker starts. The services are built once and
shared by the web app and the MQTT adapter.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import secrets
import signal
import socket
import sqlite3
import sys
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from queue_server.bootstrap import (
    DEMO_OFFICE,
    build,
    load_office,
    prepare_database,
    read_office_file,
    server_config,
)
from queue_server.config import ServerConfig, sqlite_path
from queue_server.data_folder import ServerLock, ServerRunning, data_folder
from queue_server.heap import settle_heap
from queue_server.housekeeping import DailyPurge, limit_queue_warnings
from queue_server.i18n import both
from queue_server.services.retention import purge_summary

if TYPE_CHECKING:
    from queue_server.mqtt.runtime import MqttRuntime
    from queue_server.processes import Followers
    from queue_server.services.container import Services
    from queue_server.services.unit import Clock

log = logging.getLogger("antre.serve")
DEMO_DATABASE = Path("var/demo.db")
DEMO_ADMIN = "admin"
#: Officers of the demo office, for trying the officer console at two counters.
DEMO_OFFICERS = ("petugas1", "petugas2")
ALREADY_RUNNING = (
    "Antre is already running on the data folder {folder} (pid {pid}); nothing was changed. "
    "Stop it first, or give this server another database folder with --db."
)
PORT_BUSY = (
    "The HTTP port {host}:{port} is in use by another program ({reason}); nothing was "
    "started. Stop it or choose another port with --port (make run PORT=...)."
)
NOT_A_DEMO_FILE = (
    "{path} holds offices that are not the demo ({offices}); --demo would delete that file, "
    "so nothing was changed. Serve it without --demo, or give the demo its own file with --db."
)
DEMO_TIME_WITHOUT_DEMO = "--demo-time works with --demo only; nothing was started."
BAD_DEMO_TIME = (
    "--demo-time {given} is not a moment written YYYY-MM-DD HH:MM (e.g. 2026-12-12 09:00); "
    "nothing was started."
)
NOTIFY_SETTINGS = "The notification settings cannot be used ({problem}); nothing was started."
PROCESSES_WITHOUT_MQTT = (
    "--processes {processes} needs the MQTT side (the processes share the kiosk requests "
    "through the broker) and the real clock: leave out --no-mqtt and --demo-time; nothing "
    "was started."
)
EXIT_REFUSED = 2


def run_server(args: argparse.Namespace) -> int:
    """The ``antre serve`` handler: 0 after a clean stop, 2 when it refused to start."""
    demo_time = getattr(args, "demo_time", None)
    if demo_time is not None and not args.demo:
        _refuse(DEMO_TIME_WITHOUT_DEMO)
        return EXIT_REFUSED
    clock = None
    if demo_time is not None:
        clock = _demo_clock(demo_time)
        if clock is None:
            return EXIT_REFUSED
    processes = getattr(args, "processes", None) or 1
    if processes > 1 and (args.no_mqtt or demo_time is not None):
        _refuse(PROCESSES_WITHOUT_MQTT, processes=processes)
        return EXIT_REFUSED
    own_demo_file = args.demo and not args.db  # var/demo.db is the demo's to replace
    if own_demo_file:
        args.db = str(DEMO_DATABASE)
    config = server_config(
        args.db,
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
    lock = ServerLock(data_folder(config))
    try:
        lock.acquire()
    except ServerRunning as running:
        _refuse(ALREADY_RUNNING, folder=str(running.folder), pid=running.pid or "?")
        return EXIT_REFUSED
    busy = http_port_busy(config.host, config.port)
    if busy is not None:  # before the demo is rebuilt and its password printed
        lock.release()
        _refuse(PORT_BUSY, host=config.host, port=config.port, reason=busy)
        return EXIT_REFUSED
    kept = real_offices(config) if args.demo and not own_demo_file else []
    if kept:  # --demo deletes its file: never one that holds a real office
        lock.release()
        path = str(sqlite_path(config.database_url))
        _refuse(NOT_A_DEMO_FILE, path=path, offices=", ".join(kept))
        return EXIT_REFUSED
    try:
        if args.demo:
            _fresh_demo(config, real_calendar=clock is not None)
        else:
            prepare_database(config)
        services = build(config, clock)
        try:
            warn_without_offices(services, config)
            return _serve(services, config, processes)
        finally:
            services.close()
    finally:
        lock.release()


def http_port_busy(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on (e.g. "Address already in use"), or None.

    Binds and releases a socket as waitress will (``SO_REUSEADDR``), so a port that only
    lingers in TIME_WAIT counts as free.
    """
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:
        return error.strerror or str(error)
    return None


def warn_without_offices(services: Services, config: ServerConfig) -> bool:
    """Log where to load an office when the database has none; True when it has none.

    Such a server answers every request for an office with 404 and serves no device, which
    is what a forgotten ``--db`` or ``antre office load`` looks like.
    """
    if services.views.offices():
        return False
    log.warning(
        "no office is loaded in %s: nothing to serve yet; load one with "
        "`antre office load FILE --db ...` (the server picks it up without a restart) "
        "or give the database with --db",
        _shown_database(config.database_url),
    )
    return True


def _shown_database(url: str) -> str:
    """The database URL for a log line, its password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


class MqttSide:
    """The MQTT runtime once started, and what ``/healthz`` reports about it meanwhile;
    with ``--processes N``, the followers too (``processes``: ok, starting or down)."""

    def __init__(self) -> None:
        self.runtime: MqttRuntime | None = None
        self.followers: Followers | None = None

    def health(self) -> Mapping[str, str]:
        report = (
            {"broker": "down", "mqtt": "down"} if self.runtime is None else self.runtime.health()
        )
        if self.followers is not None:
            report = {**report, "processes": self.followers.health()}
        return report

    def stop(self) -> None:
        if self.runtime is not None:
            self.runtime.stop()


def http_server(app: Any, *, host: str, port: int, threads: int, per_address: int | None) -> Any:
    """The waitress server of ``antre serve``: JSON parse errors, a share of connections per
    address (``per_address``), browser streams handed to the push hub."""
    import waitress

    from queue_server.web.waitress_channel import CONNECTION_LIMIT, guard

    server = waitress.create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="antre",
        connection_limit=CONNECTION_LIMIT,
        asyncore_use_poll=True,
    )
    guard(server, per_address=per_address)
    return server


def http_server_on(
    app: Any, listening: socket.socket, *, threads: int, per_address: int | None
) -> Any:
    """:func:`http_server` on a socket already listening (a follower's, from the leader)."""
    import waitress

    from queue_server.web.waitress_channel import CONNECTION_LIMIT, guard

    server = waitress.create_server(
        app,
        sockets=[listening],
        threads=threads,
        ident="antre",
        connection_limit=CONNECTION_LIMIT,
        asyncore_use_poll=True,
    )
    guard(server, per_address=per_address)
    return server


def _serve(services: Services, config: ServerConfig, processes: int = 1) -> int:
    from queue_server.notify.runner import configured_gateway, start_notifications
    from queue_server.notify.settings import NotifySettingsError
    from queue_server.push.hub import PushHub
    from queue_server.web.api_push import ticket_status_json
    from queue_server.web.app import create_app
    from queue_server.web.health import mqtt_disabled
    from queue_server.web.waitress_channel import CONNECTIONS_PER_ADDRESS

    try:
        gateway = configured_gateway()
    except NotifySettingsError as error:  # names the variable, never its value
        _refuse(NOTIFY_SETTINGS, problem=str(error))
        return EXIT_REFUSED
    mqtt = MqttSide()
    push = PushHub(ticket_status=ticket_status_json(services))
    app = create_app(
        config,
        services=services,
        mqtt_health=mqtt.health if config.mqtt_enabled else mqtt_disabled,
        push=push,
    )
    try:
        server = http_server(
            app,
            host=config.host,
            port=config.port,
            threads=config.threads,
            per_address=None if config.proxy_hops else CONNECTIONS_PER_ADDRESS,
        )
    except OSError as error:
        _refuse(PORT_BUSY, host=config.host, port=config.port, reason=error.strerror or error)
        return EXIT_REFUSED
    # SIGTERM (systemd, tests) must unwind through `finally` so the broker child stops too.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    limit_queue_warnings()
    raise_open_files_limit()
    purge = DailyPurge(lambda: _purge(services, config.retention_days))
    push.start()
    publisher = None
    notifications = None
    followers: Followers | None = None
    try:
        if config.mqtt_enabled:
            from queue_server.mqtt.runtime import start_mqtt

            mqtt.runtime = start_mqtt(services, config, sink=push.publish, processes=processes)
            if processes > 1:
                followers = mqtt.followers = start_followers(
                    config, mqtt.runtime, server, processes
                )
        else:  # no broker: the browsers' live updates still need the publisher
            from queue_server.mqtt.runtime import start_publisher_without_broker

            publisher = start_publisher_without_broker(services, push.publish)
        purge.start()
        notifications = start_notifications(services.database, gateway, clock=services.clock)
        log.info("serving on http://%s:%s/", config.host, config.port)
        settle_heap()
        server.run()
    finally:
        if followers is not None:
            followers.stop()
        if notifications is not None:
            notifications.stop()
        purge.stop()
        mqtt.stop()
        if publisher is not None:
            publisher.stop()
        push.stop()
        server.close()
    return 0


def start_followers(
    config: ServerConfig, runtime: MqttRuntime, server: Any, processes: int
) -> Followers:
    """Start processes 2..``processes``: each handles its share of the kiosk requests and
    of the HTTP connections on ``server``'s socket, and wakes this process's publisher
    after each commit (see ``queue_server/processes.py``)."""
    from queue_server.mqtt.sharing import follower_account
    from queue_server.processes import Followers, FollowerSetup, OutboxWake, follower_env

    assert runtime.address is not None
    followers: Followers | None = None

    def serving(index: int) -> None:
        if followers is not None:  # (set before any follower is started)
            followers.serving(index)

    wake = OutboxWake(runtime.publisher.wake, on_serving=serving).start()
    broker = dataclasses.asdict(runtime.address)
    setups = [
        FollowerSetup(
            index=index,
            config=config.model_dump(),
            broker={**broker, "username": follower_account(runtime.address.username, index)},
            wake_port=wake.port,
            http_fd=server.socket.fileno(),
            processes=processes,
        )
        for index in range(2, processes + 1)
    ]
    followers = Followers(setups, follower_env(), on_stop=wake.stop)
    followers.start()
    log.info("serving with %d processes (this one leads)", processes)
    return followers


def raise_open_files_limit() -> int:
    """Raise this process's open-files soft limit to its hard limit (each browser stream
    holds a socket); returns the soft limit now in force."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    except (ValueError, OSError):
        return soft
    return wanted


def _purge(services: Services, days: int) -> None:
    from queue_server.services.unit import Actor

    report = services.retention.purge(days, actor=Actor(name="retention"))
    if any(dataclasses.astuple(report)):
        summary = purge_summary(report)
        log.info(
            "personal data older than %d days cleared: %d visits, %s", days, report.visits, summary
        )


def _refuse(msgid: str, **params: object) -> None:
    message = both(msgid, **params)
    print(f"{message['id']} / {message['en']}", file=sys.stderr)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _base_url(config: ServerConfig) -> str:
    """Where this server is reached, for the demo's QR links.

    A wildcard bind address (all interfaces, so that phones can reach the demo) is named
    by this machine's host name, with the port the server really listens on.
    """
    host, port = config.host, config.port
    if host in ("", "0.0.0.0", "::"):
        host = socket.gethostname()
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def real_offices(config: ServerConfig) -> list[str]:
    """The offices in the SQLite file ``--demo`` would replace that are not demos.

    A file that is not an Antre database at all counts as one (``"?"``): it is not the
    demo's to delete. A missing file or one without offices holds nothing to lose.
    """
    path = sqlite_path(config.database_url)
    if path is None or not path.exists():
        return []
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            rows = db.execute("SELECT id, settings FROM offices").fetchall()
    except sqlite3.Error:
        return ["?"]
    return [office for office, settings in rows if not _is_demo(json.loads(settings))]


def _is_demo(settings: dict[str, Any]) -> bool:
    return bool(settings.get("office", {}).get("demo"))


def _demo_clock(text: str) -> Clock | None:
    """The clock of ``--demo-time`` (the demo office's local time), or None (said why)."""
    from queue_server.demo import demo_clock, demo_start

    timezone = str(read_office_file(DEMO_OFFICE)["office"]["timezone"])
    try:
        start = demo_start(text, timezone)
    except ValueError:
        _refuse(BAD_DEMO_TIME, given=repr(text[:40]))
        return None
    log.warning(
        "DEMO clock: the server's time starts at %s (%s) and runs on; the office keeps its "
        "real calendar",
        start.strftime("%Y-%m-%d %H:%M"),
        timezone,
    )
    return demo_clock(start)


def _fresh_demo(config: ServerConfig, *, real_calendar: bool = False) -> None:
    """A new SQLite file with the demo office, a demo admin and two demo officers (passwords
    printed once)."""
    from queue_server.demo import demo_settings
    from queue_server.domain.ids import Role
    from queue_server.services.unit import Actor

    path = sqlite_path(config.database_url)
    if path is None:
        raise SystemExit("--demo needs a SQLite database file")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    settings = demo_settings(
        read_office_file(DEMO_OFFICE), _base_url(config), real_calendar=real_calendar
    )
    load_office(config, settings)
    password = secrets.token_urlsafe(12)
    officers = {name: secrets.token_urlsafe(12) for name in DEMO_OFFICERS}
    services = build(config)
    try:
        demo = Actor(name="demo")
        services.accounts.create_first_admin(DEMO_ADMIN, "Demo Administrator", password, actor=demo)
        for name, officer_password in officers.items():
            services.accounts.create_user(
                name, f"Demo {name}", officer_password, Role.PETUGAS, actor=demo
            )
    finally:
        services.close()
    print(f"Demo office loaded into {path}")
    if not real_calendar:
        log.warning(
            "DEMO office %s: open around the clock every day (demo calendar); not a real office",
            settings["office"]["id"],
        )
    print(f"Demo admin: {DEMO_ADMIN} / {password}  (shown once)", flush=True)
    for name, officer_password in officers.items():
        print(f"Demo officer: {name} / {officer_password}  (shown once)", flush=True)
