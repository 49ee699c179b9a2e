"""The managed broker is watched and restarted, and learns new devices without a restart."""

from __future__ import annotations

import itertools
import os
import signal
import tempfile
import time
from pathlib import Path

from queue_server.mqtt.broker import MosquittoProcess, free_port
from queue_server.mqtt.supervisor import BrokerSupervisor, backoff_delays
from tests.mqtt.live import Kiosk, LiveServer, port_open, wait_until
from tests.mqtt.test_broker import KIOSK, OFFICE, SERVER
from tests.mqtt.test_devices import connect_reason


def test_backoff_doubles_up_to_thirty_seconds() -> None:
    delays = list(itertools.islice(backoff_delays(), 8))
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30]


def test_a_killed_broker_comes_back_and_kiosk_requests_are_answered_again(
    live: LiveServer,
) -> None:
    password = live.add_device("kiosk-1")
    runtime = live.start()
    assert runtime.broker is not None
    process = runtime.broker.process
    kiosk = Kiosk(live.port, "kiosk-1", password)
    try:
        first = kiosk.request("issue_ticket", {"service": "walkin"})
        assert first["data"]["label"] == "B-001"
        killed_pid = process.pid
        assert killed_pid is not None
        os.kill(killed_pid, signal.SIGKILL)
        assert wait_until(lambda: runtime.broker is not None and runtime.broker.supervisor.restarts)
        assert process.pid != killed_pid and process.exit_code() is None
        assert runtime.client.connected.wait(20)
        assert kiosk.request("issue_ticket", {"service": "walkin"})["data"]["label"] == "B-002"
    finally:
        kiosk.close()


def test_a_device_added_while_running_can_connect_without_a_restart(live: LiveServer) -> None:
    runtime = live.start()
    assert runtime.broker is not None
    pid = runtime.broker.process.pid
    assert connect_reason(live.port, "kiosk-late", "not-yet").is_failure
    password = live.add_device("kiosk-late")  # what `antre device add` does, from outside
    assert wait_until(lambda: not connect_reason(live.port, "kiosk-late", password).is_failure)
    assert connect_reason(live.port, "kiosk-late", "guess").is_failure
    assert runtime.broker.process.pid == pid  # reloaded (SIGHUP), not restarted


def test_stop_ends_supervision_before_the_broker() -> None:
    with tempfile.TemporaryDirectory(prefix="antre-mqtt-") as folder:
        os.chmod(folder, 0o755)
        process = MosquittoProcess(
            Path(folder) / "mqtt", office=OFFICE, accounts=[SERVER, KIOSK], port=free_port()
        ).start()
        supervisor = BrokerSupervisor(process, poll_s=0.02, first_delay_s=0.02).start()
        try:
            supervisor.stop()
            process.stop()
            time.sleep(0.3)  # many polls and back-off delays: nothing may bring it back
            assert process.exit_code() is None and process.pid is None
            assert supervisor.restarts == 0
            assert not port_open(process.port)
        finally:
            supervisor.stop()
            process.stop()
