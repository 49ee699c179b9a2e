"""Test transports: a virtual chip in-process, and a script of exact APDU exchanges."""

from __future__ import annotations

from devices.smartcard.session import CardSession, ResponseApdu
from tests.devices.smartcard.virtual_passport import VirtualChip


def split_answer(answer: bytes) -> ResponseApdu:
    return ResponseApdu(answer[:-2], answer[-2], answer[-1])


class ChipTransport:
    """Hands APDUs straight to a virtual chip (no pcscd); records what was sent."""

    def __init__(self, chip: VirtualChip) -> None:
        self.chip = chip
        self.sent: list[bytes] = []
        self.closed = False

    def transmit(self, apdu: bytes) -> ResponseApdu:
        self.sent.append(apdu)
        return split_answer(self.chip.handle(apdu))

    def close(self) -> None:
        self.closed = True


def chip_session(chip: VirtualChip) -> CardSession:
    return CardSession(ChipTransport(chip), reader="in-process")


class ScriptedTransport:
    """Expects exactly the APDUs of a recorded exchange, in order, and replays the answers."""

    def __init__(self, exchanges: list[tuple[str, str]]) -> None:
        self._exchanges = [(bytes.fromhex(sent), bytes.fromhex(got)) for sent, got in exchanges]

    def transmit(self, apdu: bytes) -> ResponseApdu:
        assert self._exchanges, f"unexpected extra APDU {apdu.hex().upper()}"
        expected, answer = self._exchanges.pop(0)
        assert apdu.hex().upper() == expected.hex().upper()
        return split_answer(answer)

    def close(self) -> None:
        assert not self._exchanges, f"{len(self._exchanges)} scripted exchanges were not used"

    @property
    def remaining(self) -> int:
        return len(self._exchanges)
