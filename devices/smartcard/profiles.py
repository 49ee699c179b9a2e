"""What every card profile offers, and reading a card with one in a single call."""

from __future__ import annotations

from typing import Protocol, TypeVar

from devices.smartcard.pcsc import open_session
from devices.smartcard.session import CardSession

ResultT = TypeVar("ResultT")
ResultT_co = TypeVar("ResultT_co", covariant=True)


class CardProfile(Protocol[ResultT_co]):
    """Knows one kind of card: which commands to send and how to read the answers."""

    def read(self, session: CardSession) -> ResultT_co:
        """Read the card in ``session``; raise a ``SmartCardError`` on failure."""
        ...


def read_card(
    profile: CardProfile[ResultT], *, reader: str | None = None, timeout_s: float = 10.0
) -> ResultT:
    """Wait for a card on ``reader`` (any reader if None), read it with ``profile``, release it.

    Raises:
        NoReader, CardTimeout, CardRemoved, CardError, SecureMessagingError,
        DocumentDataError: see :mod:`devices.smartcard.errors`.
    """
    with open_session(reader, timeout_s=timeout_s) as session:
        return profile.read(session)
