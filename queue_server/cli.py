"""The ``antre`` command: one entry point for every node, heavy imports done lazily.

A kiosk or display never needs Flask, so each sub-command imports what it uses.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from queue_server import __version__

DEMO_OFFICE = Path(__file__).with_name("demo") / "banjarmasin.yaml"
log = logging.getLogger("antre")

Handler = Callable[[argparse.Namespace], int]


def database_url(value: str | None) -> str | None:
    """Accept a URL or a plain file path for ``--db``."""
    if value is None or "://" in value:
        return value
    return f"sqlite:///{Path(value).resolve()}"


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database URL or SQLite file (default: var/antre.db)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="antre", description="Antre queue system")
    parser.add_argument("--version", action="version", version=f"antre {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the queue server")
    _add_db(serve)
    serve.add_argument("--host", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8080)")
    serve.add_argument("--threads", type=int, help="HTTP worker threads")
    serve.add_argument("--demo", action="store_true", help="fresh SQLite file with the demo office")
    serve.add_argument("--mqtt-port", type=int, help="port of the managed MQTT broker (1883)")
    serve.add_argument("--no-mqtt", action="store_true", help="HTTP only: no broker, no MQTT")
    serve.add_argument("--mqtt-host", help="address the managed broker binds (127.0.0.1)")
    serve.add_argument(
        "--mqtt-url",
        help="external broker mqtt[s]://user:pass@host:port instead of the managed one "
        "(prefer ANTRE_MQTT_URL: arguments are visible in ps)",
    )
    serve.add_argument("--mqtt-ca", help="CA file to trust for an mqtts:// broker")
    serve.add_argument(
        "--mqtt-tls", action="store_true", help="add a TLS listener (self-signed if no cert given)"
    )
    serve.add_argument("--mqtt-tls-cert", help="TLS listener certificate (PEM)")
    serve.add_argument("--mqtt-tls-key", help="TLS listener private key (PEM)")
    serve.add_argument("--mqtt-tls-port", type=int, help="TLS listener port (8883)")
    serve.add_argument("--mqtt-tls-host", help="address the TLS listener binds (0.0.0.0)")
    serve.set_defaults(handler=_serve)

    db = commands.add_parser("db", help="database schema").add_subparsers(
        dest="action", required=True
    )
    upgrade = db.add_parser("upgrade", help="create or migrate the schema")
    _add_db(upgrade)
    upgrade.set_defaults(handler=_db_upgrade)

    office = commands.add_parser("office", help="office configuration")
    office_actions = office.add_subparsers(dest="action", required=True)
    load = office_actions.add_parser("load", help="load an office file (YAML)")
    load.add_argument("file", type=Path)
    _add_db(load)
    load.set_defaults(handler=_office_load)
    check = office_actions.add_parser("check", help="validate an office file without loading it")
    check.add_argument("file", type=Path)
    check.set_defaults(handler=_office_check)

    user = commands.add_parser("user", help="user accounts")
    user_actions = user.add_subparsers(dest="action", required=True)
    admin = user_actions.add_parser("create-admin", help="create the first admin")
    admin.add_argument("username")
    admin.add_argument("--name", default="Administrator")
    admin.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    _add_db(admin)
    admin.set_defaults(handler=_create_admin)

    device = commands.add_parser("device", help="kiosks and displays")
    device_actions = device.add_subparsers(dest="action", required=True)
    add = device_actions.add_parser(
        "add", help="register a device; its MQTT password is printed once"
    )
    add.add_argument("device", help="device id, e.g. kiosk-lobby-1 ([a-z0-9-]+)")
    add.add_argument("--kind", required=True, choices=["kiosk", "display", "counter-display"])
    add.add_argument("--office", required=True, help="office id")
    _add_db(add)
    add.set_defaults(handler=_add_device)
    from devices.cli import register as register_device_commands

    register_device_commands(device_actions)

    booking = commands.add_parser("booking", help="M-Paspor bookings")
    booking_actions = booking.add_subparsers(dest="action", required=True)
    imports = booking_actions.add_parser(
        "import", help="import a booking list (CSV: code,service,date,slot)"
    )
    imports.add_argument("file", type=Path)
    imports.add_argument("--office", required=True, help="office id")
    _add_db(imports)
    imports.set_defaults(handler=_import_bookings)

    from queue_server.mqtt.commands import register as register_mqtt_commands

    register_mqtt_commands(commands)

    token = commands.add_parser("token", help="machine tokens")
    token_actions = token.add_subparsers(dest="action", required=True)
    create = token_actions.add_parser("create", help="create a bearer token (printed once)")
    create.add_argument("name")
    create.add_argument("--role", default="kiosk", choices=["kiosk", "petugas", "laporan", "admin"])
    _add_db(create)
    create.set_defaults(handler=_create_token)
    return parser


def _config(args: argparse.Namespace, **extra: Any) -> Any:
    from queue_server.config import load_config

    return load_config(database_url=database_url(getattr(args, "db", None)), **extra)


def _prepare(config: Any) -> None:
    from queue_server.config import sqlite_path
    from queue_server.persistence.migrate import upgrade

    path = sqlite_path(config.database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    upgrade(config.database_url)


def _db_upgrade(args: argparse.Namespace) -> int:
    config = _config(args)
    _prepare(config)
    print("schema is up to date")
    return 0


def _read_office_file(path: Path) -> dict[str, Any]:
    """The office file's content, validated; problems raise OfficeConfigError."""
    from queue_server.office_config import load_office_file

    data, _definition = load_office_file(path)
    return dict(data)


def _office_check(args: argparse.Namespace) -> int:
    from queue_server.office_config import parse_office_config

    definition = parse_office_config(_read_office_file(args.file))
    print(
        f"{definition.office.id}: {len(definition.services)} services, "
        f"{len(definition.counters)} counters"
    )
    for warning in definition.warnings:
        print(f"warning: {warning}")
    return 0


def _office_load(args: argparse.Namespace) -> int:
    config = _config(args)
    _prepare(config)
    reloaded = load_office(config, _read_office_file(args.file))
    print(f"office {reloaded.office} loaded (version {reloaded.version})")
    return 0


def load_office(config: Any, settings: dict[str, Any]) -> Any:
    from queue_server.persistence.outbox import insert_events
    from queue_server.services.container import build_services
    from queue_server.services.offices import store_office

    services = build_services(config)
    try:
        with services.database.writer() as session, session.begin():
            reloaded = store_office(session, settings, now=services.clock())
            insert_events(session, [reloaded], now=reloaded.at)  # a running server republishes
        services.events.publish([reloaded])
        return reloaded
    finally:
        services.close()


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise SystemExit("passwords differ; nothing was created")
    return first


def _create_admin(args: argparse.Namespace) -> int:
    from queue_server.services.container import build_services
    from queue_server.services.unit import Actor

    config = _config(args)
    _prepare(config)
    services = build_services(config)
    try:
        services.accounts.create_first_admin(
            args.username, args.name, _password(args), actor=Actor(name="cli")
        )
    finally:
        services.close()
    print(f"admin {args.username} created")
    return 0


def _create_token(args: argparse.Namespace) -> int:
    from queue_server.domain.ids import Role
    from queue_server.services.container import build_services
    from queue_server.services.unit import Actor

    config = _config(args)
    _prepare(config)
    services = build_services(config)
    try:
        token = services.accounts.create_token(args.name, Role(args.role), actor=Actor(name="cli"))
    finally:
        services.close()
    print(token)
    return 0


def _add_device(args: argparse.Namespace) -> int:
    import secrets

    from queue_server.mqtt.broker import hash_password
    from queue_server.protocol.topics import check_id
    from queue_server.services.container import build_services
    from queue_server.services.unit import Actor

    device = check_id(args.device, "device")
    config = _config(args)
    _prepare(config)
    password = secrets.token_urlsafe(18)
    services = build_services(config)
    try:
        services.devices.add(
            args.office, device, args.kind, hash_password(password), actor=Actor(name="cli")
        )
    finally:
        services.close()
    print(f"device {device} ({args.kind}) added to {args.office}")
    print(f"MQTT user: {device}")
    print(f"MQTT password: {password}  (shown once)")
    return 0


def _import_bookings(args: argparse.Namespace) -> int:
    from queue_server.services.bookings import read_booking_csv
    from queue_server.services.container import build_services
    from queue_server.services.unit import Actor

    entries = read_booking_csv(args.file.read_text(encoding="utf-8-sig"))
    config = _config(args)
    _prepare(config)
    services = build_services(config)
    try:
        result = services.bookings.import_bookings(args.office, entries, actor=Actor(name="cli"))
    finally:
        services.close()
    print(f"bookings: {result.added} added, {result.updated} moved, {result.unchanged} unchanged")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from queue_server.serve import run_server

    return run_server(args)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the boundary: show a clear message, not a traceback
        from queue_server.cli_errors import describe

        message = describe(error)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
