"""One real pcscd for the test session, with vsmartcard's two virtual readers.

pcscd allows one daemon per machine (its socket is ``/run/pcscd/pcscd.comm``), so a live
one is reused and left running; otherwise we start ours and stop it at the end.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import IO

from devices.smartcard import list_readers

PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
READER_0, PORT_0 = "Virtual PCD 00 00", 35963
READER_1, PORT_1 = "Virtual PCD 00 01", 35964


def pcscd_binary() -> str | None:
    """pcscd's path (it lives in /usr/sbin, which may not be on PATH), or None."""
    found = shutil.which("pcscd")
    if found is None and Path("/usr/sbin/pcscd").exists():
        found = "/usr/sbin/pcscd"
    return found


def missing_parts() -> str | None:
    """Why the card chain cannot run here, or None when it can."""
    if pcscd_binary() is None:
        return "pcscd is not installed (apt-get install pcscd)"
    if not VPCD_DRIVER.exists():
        return "the vpcd virtual reader is not installed (apt-get install vsmartcard-vpcd)"
    return None


def pcscd_alive() -> bool:
    """True when a pcscd answers on its socket."""
    if not PCSCD_SOCKET.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(PCSCD_SOCKET))
        except OSError:
            return False
    return True


class PcscDaemon:
    """``start()`` a pcscd (or adopt a live one), ``stop()`` only the one we started."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self, ready_timeout_s: float = 15.0) -> PcscDaemon:
        binary = pcscd_binary()
        assert binary is not None
        if not pcscd_alive():
            PCSCD_SOCKET.unlink(missing_ok=True)  # left behind by a dead pcscd
            PCSCD_SOCKET.parent.mkdir(parents=True, exist_ok=True)
            self._log = self.log_path.open("wb")
            self._process = subprocess.Popen(
                [binary, "--foreground", "--debug"], stdout=self._log, stderr=subprocess.STDOUT
            )
        self._wait_for_readers(ready_timeout_s)
        return self

    def _wait_for_readers(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"pcscd exited early; see {self.log_path}")
            if {READER_0, READER_1} <= set(list_readers()):
                return
            time.sleep(0.1)
        raise RuntimeError(f"pcscd did not show the vpcd readers in {timeout_s} s")

    def stop(self, grace_s: float = 5.0) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(grace_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(grace_s)
        if self._log is not None:
            self._log.close()
            self._log = None
