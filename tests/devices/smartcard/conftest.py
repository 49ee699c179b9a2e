"""Fixtures for the card chain: pyscard -> a real pcscd -> vpcd -> virtual cards in-process.

There is one pcscd per machine and vpcd's two readers have fixed ports (35963, 35964), so
every test that uses them lives in this package and the package must not run in parallel
(the suite runs serially today; with xdist, keep this package on one worker).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

import pytest

from devices.smartcard.pcsc import PcscContext
from tests.devices.smartcard.pcscd import PORT_0, PcscDaemon, missing_parts
from tests.devices.smartcard.virtual_passport import VirtualChip, VpcdCard

InsertCard = Callable[..., VpcdCard]


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PcscDaemon]:
    reason = missing_parts()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the smart-card chain must run in CI: {reason}")
        pytest.skip(reason)
    daemon = PcscDaemon(tmp_path_factory.mktemp("pcscd") / "pcscd.log")
    try:
        yield daemon.start()
    finally:
        daemon.stop()


def wait_until_empty(timeout_s: float = 5.0) -> None:
    """Wait until pcscd sees no card in any reader (bounded)."""
    deadline = time.monotonic() + timeout_s
    with PcscContext() as context:
        while any(atr is not None for atr in context.states().values()):
            if time.monotonic() > deadline:
                raise AssertionError(f"a card still shows in a reader after {timeout_s} s")
            time.sleep(0.05)


def wait_for_pcscd_to_register_removal(reader: str, timeout_s: float = 3.0) -> None:
    """After a transmit failed because the card left, wait for pcscd's own poll to notice.

    The failed transmit marks the reader empty at once, but pcscd's event thread only
    registers the removal on its next poll (every 400 ms); a card inserted before that is
    never reported. pcscd counts events in the upper 16 bits of the reader state.
    """
    scard = pytest.importorskip("smartcard.scard")
    _, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    try:
        query = [(reader, scard.SCARD_STATE_UNAWARE)]
        _, [(_, first_state, _)] = scard.SCardGetStatusChange(context, 0, query)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            _, [(_, state, _)] = scard.SCardGetStatusChange(context, 0, query)
            if state >> 16 != first_state >> 16:
                return
            time.sleep(0.05)
        raise AssertionError(f"pcscd did not register the removal from {reader} in {timeout_s} s")
    finally:
        scard.SCardReleaseContext(context)


@pytest.fixture
def insert_card(pcscd: PcscDaemon) -> Iterator[InsertCard]:
    """``insert_card(chip, port=PORT_0)`` puts a virtual card in a reader until the test ends."""
    wait_until_empty()
    cards: list[VpcdCard] = []

    def insert(chip: VirtualChip, port: int = PORT_0) -> VpcdCard:
        card = VpcdCard(chip, port).insert()
        cards.append(card)
        return card

    yield insert
    for card in cards:
        card.remove()
    wait_until_empty()
