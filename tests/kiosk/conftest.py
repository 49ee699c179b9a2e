"""A kiosk (link, outbox, offline issuer, core) against the live server of tests/mqtt/live.py.

The kiosk's clock is the server's fake clock, so a test moves both with ``advance``.
"""

from __future__ import annotations

import os
import select as io_select
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kiosk.link import KioskCore, KioskLink, LinkConfig, LocalStore, OfflineIssuer, Outbox
from queue_server.persistence.models import VisitRow
from tests.kiosk.flow_fakes import clock, content, desk, flow, printer  # noqa: F401
from tests.mqtt.live import OFFICE, WAIT_S, LiveServer, live_server, wait_until
from tests.services.clock import FakeClock

DEVICE = "kiosk-1"


class KioskStack:
    """One kiosk process over its SQLite file; ``reopen`` is a restart after a crash."""

    def __init__(self, live: LiveServer, folder: Path, **issuer_settings: Any) -> None:
        self.live, self.folder, self.issuer_settings = live, folder, issuer_settings
        self.config = LinkConfig(
            office=OFFICE,
            device=DEVICE,
            password=live.passwords[DEVICE],
            port=live.port,
            timezone="Asia/Makassar",
            reconnect_max_s=2,
            resend_s=0.5,
        )
        self._open()

    def _open(self) -> None:
        server_clock = self.live.services.clock
        self.store = LocalStore(self.folder / "kiosk.db")
        self.link = KioskLink(self.config, clock=server_clock)
        self.outbox = Outbox(self.store)
        self.issuer = OfflineIssuer(
            store=self.store,
            outbox=self.outbox,
            link=self.link,
            clock=server_clock,
            timezone=self.config.timezone,
            **self.issuer_settings,
        )
        self.core = KioskCore(
            link=self.link, outbox=self.outbox, issuer=self.issuer, offline_services=["walkin"]
        )
        self.link.start()

    def wait_up(self) -> None:
        assert self.link.ready.wait(WAIT_S), "the kiosk link never came up"

    def reopen(self) -> None:
        """A crash: no sync, no goodbye; the same file is opened by a new process."""
        self.close()
        self._open()

    def close(self) -> None:
        self.core.stop()
        self.link.close()
        self.store.close()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    """The test office with its broker and MQTT runtime running, and kiosk-1 registered."""
    folder = tmp_path / "server"
    folder.mkdir()
    server = live_server(folder)
    server.add_device(DEVICE)
    server.start()
    yield server
    server.close()


@pytest.fixture
def kiosk(live: LiveServer, tmp_path: Path) -> Iterator[KioskStack]:
    stack = KioskStack(live, tmp_path / "kiosk", block_size=20, refill_below=5, batch_size=5)
    stack.wait_up()
    yield stack
    stack.close()


def advance(live: LiveServer, **delta: float) -> None:
    server_clock = live.services.clock
    assert isinstance(server_clock, FakeClock)
    server_clock.advance(**delta)


def stop_broker(live: LiveServer, kiosk: KioskStack) -> None:
    """Stop the broker for good (no supervision) and wait until the kiosk noticed."""
    assert live.runtime is not None and live.runtime.broker is not None
    live.runtime.broker.supervisor.stop()
    live.runtime.broker.process.stop()
    assert wait_until(lambda: not kiosk.link.ready.is_set())


def restart_broker(live: LiveServer, kiosk: KioskStack) -> None:
    assert live.runtime is not None and live.runtime.broker is not None
    live.runtime.broker.process.relaunch()
    kiosk.wait_up()
    assert live.runtime.client.connected.wait(WAIT_S)


def server_labels(live: LiveServer) -> list[str]:
    with live.services.database.reader() as session:
        return list(session.scalars(select(VisitRow.label)))


XVFB_START_S = 10.0


@pytest.fixture(scope="session")
def x_display() -> Iterator[str]:
    """An X server (Xvfb) for the Kivy tests, large enough for a 1080x1920 window."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        if os.environ.get("CI"):
            pytest.fail("Xvfb must be installed in CI (make test installs xvfb)")
        pytest.skip("Xvfb is not installed; run `make system-deps`")
    # Xvfb picks a free display number itself and writes it to the pipe (-displayfd):
    # no race with another test worker or X server choosing the same number.
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_end), "-screen", "0", "1280x2000x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(write_end,),
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as pipe:
            ready, _, _ = io_select.select([pipe], [], [], XVFB_START_S)
            written = pipe.readline().strip() if ready else b""
        if not written.isdigit() or server.poll() is not None:
            pytest.fail("Xvfb did not start (no display number within its start time)")
        number = int(written)
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
