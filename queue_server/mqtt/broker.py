"""Mosquitto as a managed child process: generated configuration, passwords and ACLs.

Each device has its own account. The ACL lets a device publish only its own status,
health and request topics and read only what its kind needs; the server account may
use every topic of the contract.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from queue_server.protocol import topics
from queue_server.protocol.messages import MAX_PAYLOAD_BYTES

START_TIMEOUT_S = 10.0
#: The largest MQTT packet the broker accepts: a 64 KiB payload plus room for the topic,
#: the header and properties. A client sending more is disconnected before it is read.
MAX_PACKET_BYTES = MAX_PAYLOAD_BYTES + 8 * 1024
PID_FILE = "mosquitto.pid"
ORPHAN_STOP_S = 5.0
log = logging.getLogger(__name__)


class BrokerError(RuntimeError):
    """The managed broker could not be started or configured."""


class BrokerPortBusy(BrokerError):
    """Another program already listens on a port the managed broker needs.

    Attributes:
        address: the listener, ``host:port``.
        option: the ``antre serve`` option that chooses that port.
    """

    def __init__(self, address: str, option: str) -> None:
        super().__init__(f"port {address} is in use by another program")
        self.address, self.option = address, option


class DeviceKind(StrEnum):
    KIOSK = "kiosk"
    DISPLAY = "display"
    COUNTER_DISPLAY = "counter-display"


@dataclass(frozen=True)
class Account:
    """A broker account: a clear password (hashed when the broker starts) or its hash.

    A device's ``office`` scopes its ACL; None falls back to the broker's office.
    """

    username: str
    password: str
    kind: DeviceKind | None  # None: the server itself
    password_hash: str | None = None
    office: str | None = None


def hash_password(password: str) -> str:
    """The broker's hash of ``password`` (PBKDF2-SHA512, made by ``mosquitto_passwd``)."""
    with tempfile.TemporaryDirectory(prefix="antre-passwd-") as folder:
        path = Path(folder) / "passwd"
        subprocess.run(
            ["mosquitto_passwd", "-b", "-c", str(path), "x", password],
            check=True,
            capture_output=True,
            timeout=30,
        )
        return path.read_text().strip().split(":", 1)[1]


def acl_rules(office: str | None, account: Account) -> list[str]:
    """The ``topic`` lines of one account's ACL block (patterns from the topic builders).

    A device is bound to its own office (``account.office``, else ``office``).
    """
    if account.kind is None:
        return [f"topic readwrite {topics.everything()}"]
    device_office = account.office or office
    if device_office is None:
        raise BrokerError(f"device {account.username} belongs to no office")
    office = device_office
    device = account.username
    own = [
        f"topic write {topics.device_status(office, device)}",
        f"topic write {topics.device_health(office, device)}",
    ]
    reads = topics.device_read_filters(office, account.kind.value, device)
    if account.kind is DeviceKind.KIOSK:
        own.append(f"topic write {topics.kiosk_requests(office, device)}")
    return [*own, *(f"topic read {pattern}" for pattern in reads)]


def hardening_options() -> list[str]:
    """The ``mosquitto.conf`` lines every Antre broker needs, managed or external.

    ``use_username_as_clientid``: the client id is the account name, so no account can
    connect under another's client id and take its session (or kick it off).
    ``max_packet_size``: packets over the contract's size are refused with a disconnect.
    """
    return [
        "use_username_as_clientid true",
        f"max_packet_size {MAX_PACKET_BYTES}",
    ]


def write_acl(path: Path, office: str | None, accounts: list[Account]) -> None:
    blocks = []
    for account in accounts:
        blocks.append("\n".join([f"user {account.username}", *acl_rules(office, account)]))
    path.write_text("\n\n".join(blocks) + "\n")


def write_passwords(path: Path, accounts: list[Account]) -> None:
    """Hash the passwords with ``mosquitto_passwd`` (never stored in clear)."""
    path.write_text(
        "".join(
            f"{account.username}:{account.password_hash}\n"
            for account in accounts
            if account.password_hash
        )
    )
    for account in accounts:
        if account.password_hash:
            continue
        subprocess.run(
            ["mosquitto_passwd", "-b", str(path), account.username, account.password],
            check=True,
            capture_output=True,
            timeout=30,
        )


@dataclass(frozen=True)
class TlsListener:
    """A second, TLS-only listener (TLS 1.2+, no client certificates: accounts still log in)."""

    port: int
    cert_file: Path
    key_file: Path
    host: str = "0.0.0.0"


def write_config(
    folder: Path,
    *,
    port: int,
    host: str = "127.0.0.1",
    run_as: str | None = None,
    tls: TlsListener | None = None,
) -> Path:
    config = folder / "mosquitto.conf"
    data = folder / "data"
    data.mkdir(exist_ok=True)
    tls_lines = []
    if tls is not None:
        tls_lines = [
            f"listener {tls.port} {tls.host}",
            f"certfile {tls.cert_file}",
            f"keyfile {tls.key_file}",
            "tls_version tlsv1.2",  # the minimum; TLS 1.3 is offered too
            "require_certificate false",
        ]
    config.write_text(
        "\n".join(
            [
                *([f"user {run_as}"] if run_as else []),
                "per_listener_settings false",
                f"listener {port} {host}",
                "allow_anonymous false",
                *hardening_options(),
                f"password_file {folder / 'passwd'}",
                f"acl_file {folder / 'acl'}",
                "persistence true",
                f"persistence_location {data}/",
                "autosave_interval 1",
                "max_queued_messages 10000",
                # Without it, a reply sent right after a PUBACK waits ~40 ms for a delayed ACK.
                "set_tcp_nodelay true",
                "log_dest stdout",
                "log_type error",
                "log_type warning",
                *tls_lines,
                "",
            ]
        )
    )
    return config


class MosquittoProcess:
    """Start, reload and stop one broker; files live in ``folder``.

    ``reload`` rewrites the password and ACL files and sends SIGHUP: Mosquitto 2 re-reads
    both without dropping connections. ``relaunch`` starts the process again with the files
    as they are (used by :class:`~queue_server.mqtt.supervisor.BrokerSupervisor`).
    """

    def __init__(
        self,
        folder: Path,
        *,
        office: str | None = None,
        accounts: list[Account],
        port: int,
        host: str = "127.0.0.1",
        tls: TlsListener | None = None,
    ) -> None:
        self.folder, self.port, self.host, self.tls = folder, port, host, tls
        self._office, self._accounts = office, list(accounts)
        self._process: subprocess.Popen[bytes] | None = None
        self._run_as: str | None = None
        self._lock = threading.Lock()

    @property
    def accounts(self) -> list[Account]:
        return list(self._accounts)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def exit_code(self) -> int | None:
        """The exit code once the process has ended, None while it runs (or was never started)."""
        return self._process.poll() if self._process is not None else None

    def start(self) -> MosquittoProcess:
        if shutil.which("mosquitto") is None:
            raise BrokerError("mosquitto is not installed (apt-get install mosquitto)")
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # As root, mosquitto drops to the 'mosquitto' user, which must reach its files;
            # where a private parent folder forbids that, it keeps running as root.
            self._run_as = "mosquitto" if _reachable_by_others(self.folder) else "root"
        with self._lock:
            stop_orphan(self.folder)
            self._write_files()
            self._launch()
        return self

    def relaunch(self) -> None:
        """Start the process again after it ended; raises BrokerError if it does not come up."""
        with self._lock:
            self._launch()

    def reload(self, accounts: list[Account]) -> None:
        """Give the running broker a new set of accounts (SIGHUP re-reads passwords and ACL)."""
        with self._lock:
            self._accounts = list(accounts)
            self._write_files()
            if self._process is not None and self._process.poll() is None:
                self._process.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                self._process.terminate()
                self._process.wait(timeout=10)
            self._process = None

    def __enter__(self) -> MosquittoProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _write_files(self) -> None:
        write_passwords(self.folder / "passwd", self._accounts)
        write_acl(self.folder / "acl", self._office, self._accounts)
        write_config(self.folder, port=self.port, host=self.host, run_as=self._run_as, tls=self.tls)
        (self.folder / "passwd").chmod(0o600)
        if self._run_as == "mosquitto":
            for path in [self.folder, *self.folder.rglob("*")]:
                shutil.chown(path, "mosquitto", "mosquitto")

    def _launch(self) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        self._process = subprocess.Popen(
            ["mosquitto", "-c", str(self.folder / "mosquitto.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        (self.folder / PID_FILE).write_text(f"{self._process.pid}\n")
        _wait_for_port(connect_host(self.host), self.port, self._process)


def stop_orphan(folder: Path) -> None:
    """Stop a broker left running on this folder by a server that died (e.g. kill -9).

    The pid file names the process; it is only stopped while it still runs mosquitto with
    this folder's configuration, so a reused pid is never touched.
    """
    try:
        pid = int((folder / PID_FILE).read_text().strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return
    if not command or Path(command[0].decode()).name != "mosquitto":
        return
    if str(folder / "mosquitto.conf").encode() not in command:
        return
    log.warning("stopping the MQTT broker a previous server left running (pid %s)", pid)
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + ORPHAN_STOP_S
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _running(pid):
        os.kill(pid, signal.SIGKILL)


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting to be reaped is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in {"Z", "X"}


def _reachable_by_others(folder: Path) -> bool:
    return all(parent.stat().st_mode & 0o001 for parent in folder.resolve().parents)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def connect_host(bind_host: str) -> str:
    """Where a local client reaches a listener bound to ``bind_host``."""
    return "127.0.0.1" if bind_host in {"", "0.0.0.0", "::"} else bind_host


def _wait_for_port(host: str, port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BrokerError(f"mosquitto exited with code {process.returncode}")
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    process.terminate()
    process.wait(timeout=10)
    raise BrokerError("mosquitto did not start listening in time")
