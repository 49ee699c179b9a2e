"""Officer badges: contactless cards identified by their UID alone.

``FF CA 00 00 00`` is the PC/SC part 3 pseudo-APDU that the reader itself answers with the
UID of the card in its field (ISO 14443 A or B); the card never sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.smartcard.errors import DocumentDataError
from devices.smartcard.session import CardSession, command_apdu

GET_UID = command_apdu(0xFF, 0xCA, 0x00, 0x00, le=0)


@dataclass(frozen=True)
class BadgeUid:
    """A badge's UID, as upper-case hex (4, 7 or 10 bytes for ISO 14443 A)."""

    uid_hex: str

    def __str__(self) -> str:
        return self.uid_hex


class BadgeProfile:
    """Read the UID of a contactless badge."""

    def read(self, session: CardSession) -> BadgeUid:
        """Ask the reader for the UID.

        Raises:
            CardError: the reader does not support GET DATA (e.g. a contact reader).
            DocumentDataError: the UID is empty.
        """
        uid = session.command(GET_UID, "GET DATA (UID)")
        if not uid:
            raise DocumentDataError("the reader returned an empty UID")
        return BadgeUid(uid.hex().upper())
