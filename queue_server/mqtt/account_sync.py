"""Give the running broker the devices registered since it started, without a restart.

``antre device add`` runs in another process and only writes the database. This thread
compares the registered device accounts with the broker's every few seconds; on a change
it rewrites the password and ACL files and makes Mosquitto re-read them (SIGHUP).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from queue_server.mqtt.broker import Account, MosquittoProcess
from queue_server.periodic import Periodic

log = logging.getLogger(__name__)
LoadAccounts = Callable[[], list[Account]]


def _signature(accounts: list[Account]) -> set[tuple[str, str | None, str | None]]:
    return {
        (account.username, account.kind, account.password_hash or account.password)
        for account in accounts
    }


class AccountSync(Periodic):
    """Every ``interval_s``: the server account plus ``load()`` -> the broker, when changed."""

    def __init__(
        self,
        *,
        broker: MosquittoProcess,
        server: Account,
        load: LoadAccounts,
        interval_s: float = 5.0,
    ) -> None:
        self._broker, self._server, self._load = broker, server, load
        super().__init__(self._round, interval_s=interval_s, name="mqtt-account-sync")
        self._failing = False

    def check(self) -> bool:
        """Reload the broker if the registered accounts changed; True when it did."""
        accounts = [self._server, *self._load()]
        if _signature(accounts) == _signature(self._broker.accounts):
            return False
        self._broker.reload(accounts)
        log.info("broker accounts updated: %d devices", len(accounts) - 1)
        return True

    def _round(self) -> None:
        try:
            self.check()
        except Exception as error:  # the database or the files; try again next round
            if not self._failing:
                log.warning("could not update the broker accounts: %s", error)
            self._failing = True
        else:
            if self._failing:
                log.info("broker accounts can be updated again")
            self._failing = False
