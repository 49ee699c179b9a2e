"""``antre mqtt acl``: the ACL and password files an external broker needs.

With ``--mqtt-url`` Antre starts no broker, so the operator's Mosquitto must know the
devices. This writes the same files the managed broker uses: ``acl`` (one block per
account) and ``passwd`` (the devices' PBKDF2 hashes; never a clear password), and
``antre.conf``, the broker options Antre relies on (client ids bound to accounts, the
packet size limit) with the paths of those two files, to include in ``mosquitto.conf``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from queue_server.mqtt.broker import Account, hardening_options, write_acl, write_passwords
from queue_server.mqtt.sharing import follower_account

SERVER_USER = "antre-server"  # the same name as the managed broker's server account
BROKER_USER = "mosquitto"  # the user Debian's mosquitto drops to when started as root


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``antre mqtt acl`` to the top-level sub-commands."""
    group = actions.add_parser("mqtt", help="MQTT broker files").add_subparsers(
        dest="action", required=True
    )
    acl = group.add_parser("acl", help="write the ACL and password file of an external broker")
    acl.add_argument("--office", help="only this office's devices (default: every office)")
    acl.add_argument("--out", type=Path, default=Path("mqtt-acl"), help="folder to write to")
    acl.add_argument("--server-user", default=SERVER_USER, help="the server's broker account")
    acl.add_argument(
        "--server-password-stdin",
        action="store_true",
        help="read the server account's password from stdin and add it to passwd",
    )
    acl.add_argument(
        "--processes",
        type=int,
        default=1,
        help="server processes (antre serve --processes N): accounts SERVER-2..N too",
    )
    acl.add_argument("--db", help="database URL or SQLite file (default: var/antre.db)")
    acl.set_defaults(handler=write_broker_files)


def write_broker_files(args: argparse.Namespace) -> int:
    """The handler of ``antre mqtt acl``: write ``acl`` and ``passwd`` into ``args.out``."""
    from queue_server.bootstrap import opened_services, require_database, server_config
    from queue_server.mqtt.runtime import device_accounts
    from queue_server.protocol.topics import check_id

    office = None if args.office is None else check_id(args.office, "office")
    with opened_services(require_database(server_config(args.db))) as services:
        if office is not None and office not in {known["id"] for known in services.views.offices()}:
            print(f"Kantor tidak dikenal / unknown office: {office}", file=sys.stderr)
            return 2
        devices = device_accounts(services, office)
    password = sys.stdin.readline().rstrip("\n") if args.server_password_stdin else ""
    servers = [
        Account(follower_account(args.server_user, index), password, None)
        for index in range(1, max(1, args.processes) + 1)
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    write_acl(args.out / "acl", office, [*servers, *devices])
    passwd = args.out / "passwd"
    passwd.touch(mode=0o600)
    write_passwords(passwd, [*(servers if password else []), *devices])
    passwd.chmod(0o600)
    _give_to_broker_user(passwd)
    write_broker_options(args.out)
    _print_next_steps(args.out, args.server_user, len(devices), with_server=bool(password))
    return 0


def _give_to_broker_user(passwd: Path) -> None:
    """Make the private ``passwd`` readable by the broker: its ``mosquitto`` user, when root.

    Started as root (Debian's service), Mosquitto drops to that user before it reads the
    password file, so a root-owned file with mode 600 would stop it from starting.
    """
    if os.geteuid() != 0:
        return
    try:
        shutil.chown(passwd, BROKER_USER, BROKER_USER)
    except LookupError:  # no such user: the broker then runs as whoever starts it
        return


def write_broker_options(out: Path) -> Path:
    """``antre.conf``: the lines to add to the operator's ``mosquitto.conf``."""
    path = out / "antre.conf"
    folder = out.resolve()
    lines = [
        "# Antre: include these lines in mosquitto.conf (per_listener_settings false).",
        "allow_anonymous false",
        *hardening_options(),
        f"password_file {folder / 'passwd'}",
        f"acl_file {folder / 'acl'}",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _print_next_steps(out: Path, server_user: str, devices: int, *, with_server: bool) -> None:
    print(f"wrote {out / 'acl'}, {out / 'passwd'} and {out / 'antre.conf'} ({devices} devices)")
    if not with_server:
        print(f"add the server account: mosquitto_passwd {out / 'passwd'} {server_user}")
    print(f"add the lines of {out / 'antre.conf'} to mosquitto.conf (the broker must run them:")
    print("client ids bound to accounts, the packet size limit, these password and ACL files);")
    print("run this again after `antre device add`, then reload the broker (SIGHUP).")
