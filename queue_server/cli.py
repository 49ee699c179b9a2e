"""The ``antre`` command: one entry point for every node, heavy imports done lazily.

A kiosk or display never needs Flask, so each sub-command imports what it uses. Other
packages add command groups through the ``antre.commands`` entry points (the kiosk's
device drivers add ``antre device probe|print-test|scan|read-card``): the server package
does not import them.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from queue_server import __version__

log = logging.getLogger("antre")
#: The entry-point group of command groups other packages add to ``antre``.
COMMAND_GROUP = "antre.commands"
RETENTION_DAYS_INVALID = "{value} is not a number of days: give a whole number of 1 or more."

Handler = Callable[[argparse.Namespace], int]
#: A group name and the function that adds its sub-commands to that group's sub-parsers.
CommandGroup = tuple[str, Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]]


def installed_command_groups() -> list[CommandGroup]:
    """The command groups installed packages declare under ``antre.commands``."""
    groups = []
    for entry in sorted(entry_points(group=COMMAND_GROUP), key=lambda entry: entry.name):
        try:
            groups.append((entry.name, entry.load()))
        except ImportError as error:  # e.g. the kiosk extras are not installed here
            log.debug("command group %s not available: %s", entry.name, error)
    return groups


def _processes(text: str) -> int:
    """``--processes``: a whole number from 1 to 32."""
    try:
        count = int(text)
    except ValueError:
        count = 0
    if not 1 <= count <= 32:
        raise argparse.ArgumentTypeError(f"a whole number from 1 to 32, not {text[:20]!r}")
    return count


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database URL or SQLite file (default: var/antre.db)")


def build_parser(command_groups: Iterable[CommandGroup] | None = None) -> argparse.ArgumentParser:
    """The ``antre`` parser; ``command_groups`` default to the installed entry points."""
    parser = argparse.ArgumentParser(prog="antre", description="Antre queue system")
    parser.add_argument("--version", action="version", version=f"antre {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the queue server")
    _add_db(serve)
    serve.add_argument("--host", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8080)")
    serve.add_argument("--threads", type=int, help="HTTP worker threads (default 48)")
    serve.add_argument("--demo", action="store_true", help="fresh SQLite file with the demo office")
    serve.add_argument(
        "--demo-time",
        metavar="'YYYY-MM-DD HH:MM'",
        help="with --demo: the server's clock starts at this moment of the office's local "
        "time and runs on; the demo office keeps its real calendar (a Saturday session, a "
        "holiday, the 19:00 registration opening can be tried at any hour)",
    )
    serve.add_argument(
        "--processes",
        type=_processes,
        default=1,
        help="server processes sharing kiosk requests and HTTP (default 1; see docs/operations.md)",
    )
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
    _add_offices(admin, "offices the admin manages (repeatable; default: every office)")
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
    add.add_argument(
        "--counter", help="the counter a counter-display shows (its code in the office file)"
    )
    _add_db(add)
    add.set_defaults(handler=_add_device)
    reset = device_actions.add_parser(
        "reset",
        help="give a device a new password (printed once); browsers paired with it are unpaired",
    )
    reset.add_argument("device", help="device id")
    _add_db(reset)
    reset.set_defaults(handler=_reset_device)
    listing = device_actions.add_parser(
        "list", help="the registered devices with their last status, health and last contact"
    )
    listing.add_argument("--office", help="only this office's devices")
    _add_db(listing)
    listing.set_defaults(handler=_list_devices)

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
    _add_offices(
        create,
        "office the token may act in (repeatable; default: the only office, or every office "
        "for an admin token)",
    )
    _add_db(create)
    create.set_defaults(handler=_create_token)
    listing = token_actions.add_parser("list", help="list tokens (never their secret)")
    _add_db(listing)
    listing.set_defaults(handler=_list_tokens)
    revoke = token_actions.add_parser("revoke", help="revoke a token by its id (see list)")
    revoke.add_argument("id", type=int)
    _add_db(revoke)
    revoke.set_defaults(handler=_revoke_token)

    purge = commands.add_parser(
        "purge", help="clear the personal data of visits older than the retention period"
    )
    purge.add_argument(
        "--older-than",
        type=_days,
        metavar="DAYS",
        help="days to keep (default ANTRE_RETENTION_DAYS, 30)",
    )
    purge.add_argument("--dry-run", action="store_true", help="count only, change nothing")
    _add_db(purge)
    purge.set_defaults(handler=_purge)

    from queue_server.simulate.cli import register as register_simulate

    register_simulate(commands)

    groups = {"device": device_actions}
    for name, register in installed_command_groups() if command_groups is None else command_groups:
        if name not in groups:
            group = commands.add_parser(name, help=f"{name} commands")
            groups[name] = group.add_subparsers(dest="action", required=True)
            # A group may take options of its own (``antre display --config FILE``).
            group_options = getattr(register, "group_options", None)
            if group_options is not None:
                group_options(group, groups[name])
        register(groups[name])
    return parser


def _add_offices(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument(
        "--office", dest="offices", action="append", metavar="OFFICE", help=help_text
    )


def _days(value: str) -> int:
    """A retention period for ``--older-than``: a whole number of days, at least 1."""
    if not value.strip().isdigit() or int(value) < 1:
        from queue_server.i18n import both

        message = both(RETENTION_DAYS_INVALID, value=value)
        raise argparse.ArgumentTypeError(f"{message['id']} / {message['en']}")
    return int(value)


def _config(args: argparse.Namespace) -> Any:
    from queue_server.bootstrap import server_config

    return server_config(getattr(args, "db", None))


def _existing(args: argparse.Namespace) -> Any:
    """The configuration of a command on existing data: its SQLite file must exist."""
    from queue_server.bootstrap import require_database

    return require_database(_config(args))


def _db_upgrade(args: argparse.Namespace) -> int:
    from queue_server.bootstrap import prepare_database

    prepare_database(_config(args))
    print("schema is up to date")
    return 0


def _office_check(args: argparse.Namespace) -> int:
    from queue_server.bootstrap import read_office_file
    from queue_server.office_config import parse_office_config

    definition = parse_office_config(read_office_file(args.file))
    print(
        f"{definition.office.id}: {len(definition.services)} services, "
        f"{len(definition.counters)} counters"
    )
    from queue_server.i18n.notes import note_texts

    for warning in definition.warnings:
        texts = note_texts(warning)
        print(f"peringatan: {texts['id']}\nwarning: {texts['en']}")
    return 0


def _office_load(args: argparse.Namespace) -> int:
    from queue_server.bootstrap import load_office, read_office_file

    reloaded = load_office(_config(args), read_office_file(args.file))
    print(f"office {reloaded.office} loaded (version {reloaded.version})")
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise SystemExit("passwords differ; nothing was created")
    return first


def _create_admin(args: argparse.Namespace) -> int:
    from queue_server.bootstrap import opened_services
    from queue_server.services.unit import Actor

    with opened_services(_config(args)) as services:
        services.accounts.create_first_admin(
            args.username, args.name, _password(args), actor=Actor(name="cli"), offices=args.offices
        )
    print(f"admin {args.username} created")
    return 0


def _create_token(args: argparse.Namespace) -> int:
    from queue_server.bootstrap import opened_services
    from queue_server.domain.ids import Role
    from queue_server.services.unit import Actor

    with opened_services(_existing(args)) as services:
        token = services.accounts.create_token(
            args.name, Role(args.role), actor=Actor(name="cli"), offices=args.offices
        )
    print(token)
    return 0


def _list_tokens(args: argparse.Namespace) -> int:
    from queue_server.bootstrap import opened_services
    from queue_server.services.unit import Actor

    with opened_services(_existing(args)) as services:
        tokens = services.accounts.list_tokens(actor=Actor(name="cli"))
    print("id\tname\trole\toffices\tcreated by\tcreated at\tstate")
    for token in tokens:
        offices = ",".join(token.offices) if token.offices is not None else "*"
        state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
        created = f"{token.created_at:%Y-%m-%d %H:%M}"
        by = token.created_by or "cli"
        print(f"{token.id}\t{token.name}\t{token.role}\t{offices}\t{by}\t{created}\t{state}")
    return 0


def _revoke_token(args: argparse.Namespace) -> int:
    from queue_server.bootstrap import opened_services
    from queue_server.services.unit import Actor

    with opened_services(_existing(args)) as services:
        token = services.accounts.revoke_token(args.id, actor=Actor(name="cli"))
    print(f"token {token.id} ({token.name}) revoked")
    return 0


def _add_device(args: argparse.Namespace) -> int:
    import secrets

    from queue_server.bootstrap import opened_services
    from queue_server.mqtt.broker import hash_password
    from queue_server.protocol.topics import check_id
    from queue_server.services.unit import Actor

    device = check_id(args.device, "device")
    password = secrets.token_urlsafe(18)
    with opened_services(_existing(args)) as services:
        services.devices.add(
            args.office,
            device,
            args.kind,
            hash_password(password),
            actor=Actor(name="cli"),
            counter=args.counter,
        )
    shows = f", counter {args.counter}" if args.counter else ""
    print(f"device {device} ({args.kind}{shows}) added to {args.office}")
    print(f"MQTT user: {device}")
    print(f"MQTT password: {password}  (shown once)")
    return 0


def _reset_device(args: argparse.Namespace) -> int:
    import secrets

    from queue_server.bootstrap import opened_services
    from queue_server.mqtt.broker import hash_password
    from queue_server.services.unit import Actor

    password = secrets.token_urlsafe(18)
    with opened_services(_existing(args)) as services:
        account = services.devices.reset(
            args.device, hash_password(password), actor=Actor(name="cli")
        )
    print(f"device {account.id} ({account.kind}) of {account.office} has a new password")
    print(f"MQTT password: {password}  (shown once)")
    return 0


def _list_devices(args: argparse.Namespace) -> int:
    from typing import cast

    from queue_server.bootstrap import opened_services

    with opened_services(_existing(args)) as services:
        offices = [args.office] if args.office else [o["id"] for o in services.views.offices()]
        fleets = [(office, services.presence.fleet(office)) for office in offices]
        counters = {account.id: account.counter for account in services.devices.accounts()}
    print("id\toffice\tkind\tcounter\tstatus\tlast seen (UTC)\thealth")
    for office, fleet in fleets:
        for device in fleet:
            seen = device["last_seen_at"]
            health = cast(dict[str, str], device["health"] or {})
            problems = [f"{part}={say}" for part, say in sorted(health.items()) if say != "ok"]
            fields = [
                device["id"],
                office,
                device["kind"],
                counters.get(str(device["id"])) or "-",
                ("never seen" if seen is None else device["status"])
                if device["active"]
                else "retired",
                f"{seen:%Y-%m-%d %H:%M:%S}" if seen else "-",
                ", ".join(problems) or ("ok" if health else "-"),
            ]
            print("\t".join(str(field) for field in fields))
    return 0


def _import_bookings(args: argparse.Namespace) -> int:
    from queue_server.bootstrap import opened_services
    from queue_server.services.bookings import read_booking_csv
    from queue_server.services.unit import Actor

    entries = read_booking_csv(args.file.read_text(encoding="utf-8-sig"))
    with opened_services(_existing(args)) as services:
        result = services.bookings.import_bookings(args.office, entries, actor=Actor(name="cli"))
    print(f"bookings: {result.added} added, {result.updated} moved, {result.unchanged} unchanged")
    return 0


def _purge(args: argparse.Namespace) -> int:
    from queue_server.bootstrap import opened_services
    from queue_server.services.retention import purge_summary
    from queue_server.services.unit import Actor

    config = _existing(args)
    days = config.retention_days if args.older_than is None else args.older_than
    with opened_services(config) as services:
        report = services.retention.purge(days, dry_run=args.dry_run, actor=Actor(name="cli"))
    verb = "would clear" if args.dry_run else "cleared"
    print(
        f"{verb} the personal data of {report.visits} visits older than {days} days "
        f"({purge_summary(report)})"
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    from queue_server.serve import run_server

    return run_server(args)


def main(
    argv: Sequence[str] | None = None, *, command_groups: Iterable[CommandGroup] | None = None
) -> int:
    """Run one ``antre`` command; ``command_groups`` default to the installed entry points."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = build_parser(command_groups).parse_args(argv)
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
