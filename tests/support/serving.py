"""Waiting for a server started as a child process (tests and benchmarks)."""

from __future__ import annotations

import http.client
import subprocess
import time


def wait_for_http(
    port: int, *, within_s: float, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Return once ``port`` answers ``GET /healthz`` at all, whatever the health says.

    Raises:
        RuntimeError: ``process`` exited, or nothing answered within ``within_s``.
    """
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited at start (code {process.returncode})")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    raise RuntimeError(f"nothing answered HTTP on port {port} within {within_s:.0f} s")
