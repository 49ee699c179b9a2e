"""Indonesian electronic ID cards (e-KTP): the interface, and why there is no implementation.

The e-KTP chip only answers a Dukcapil-certified reader: the secure access module (SAM) and
the APDU sequence that unlock the NIK, name and photo come from the certified reader's
vendor under agreement with Dukcapil (Ditjen Kependudukan dan Pencatatan Sipil) and are not
public. Nothing here guesses them. A deployment that has such a reader implements
:class:`EktpReader` on top of the vendor's SDK; until then :class:`UnsupportedEktpReader`
refuses with a clear bilingual message. For a NIK without the chip, the kiosk can still use
the printed NIK (typed or scanned, see ``devices.codes.nik``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from devices.smartcard.errors import CardNotSupported
from devices.smartcard.mrz import mask
from devices.smartcard.session import CardSession


@dataclass(frozen=True, repr=False)
class EktpIdentity:
    """The identity an e-KTP chip holds (personal data: masked in repr)."""

    nik: str
    name: str

    def __repr__(self) -> str:
        return f"EktpIdentity(nik={mask(self.nik, 2)!r}, name={mask(self.name)!r})"

    __str__ = __repr__


class EktpReader(Protocol):
    """Reads the identity from an e-KTP chip in a connected session."""

    def read(self, session: CardSession) -> EktpIdentity:
        """Read NIK and name; raise a ``SmartCardError`` on failure."""
        ...


class UnsupportedEktpReader:
    """The only e-KTP reader shipped: it explains that the vendor's SDK is needed."""

    def read(self, session: CardSession) -> EktpIdentity:
        """Always refuse.

        Raises:
            CardNotSupported: always; its ``user_message()`` is bilingual.
        """
        raise CardNotSupported(
            "reading the e-KTP chip needs the Dukcapil-certified reader vendor's SDK/APDUs, "
            "which are not public"
        )
