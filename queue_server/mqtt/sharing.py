"""Several server processes on one broker: their accounts and their share of a device's rate."""

from __future__ import annotations

from queue_server.mqtt.client import DeviceLimits
from queue_server.mqtt.fairness import RateLimit


def follower_account(username: str, index: int) -> str:
    """Process ``index``'s broker account (the leader, index 1, keeps ``username``).

    Brokers set up for Antre use the account name as the client id, so every process
    needs its own account.
    """
    return username if index == 1 else f"{username}-{index}"


def shared_limits(limits: DeviceLimits, processes: int) -> DeviceLimits:
    """One process's share of a device's rate.

    The broker hands a shared subscription's messages to the processes in turn (all
    devices' messages together), so over a flood a device's requests are spread about
    evenly and together the processes allow about the configured rate. A short burst can
    land mostly on one process, so each keeps the whole burst: a device may get up to
    ``processes`` bursts at once. The backlog stays per process too.
    """
    if processes <= 1:
        return limits
    rate = RateLimit(per_s=limits.rate.per_s / processes, burst=limits.rate.burst)
    return DeviceLimits(rate=rate, backlog=limits.backlog)
