"""Smart cards over PC/SC: e-passports (ICAO 9303 BAC), officer badges (UID), e-KTP (interface).

Layers: :mod:`pcsc` (readers, connecting), :mod:`monitor` (reader/card events),
:mod:`session` (APDUs), :mod:`secure_messaging` and :mod:`crypto` (ICAO 9303), and one
profile per kind of card. Personal data read from cards is masked in every repr and never
logged.
"""

from devices.smartcard import monitor as events
from devices.smartcard.badge import BadgeProfile, BadgeUid
from devices.smartcard.ektp import EktpIdentity, EktpReader, UnsupportedEktpReader
from devices.smartcard.errors import (
    AccessDenied,
    CardError,
    CardNotSupported,
    CardRemoved,
    CardTimeout,
    DocumentDataError,
    NoReader,
    SecureMessagingError,
    SmartCardError,
)
from devices.smartcard.monitor import CardWatcher
from devices.smartcard.mrz import MrzKey, PassportData
from devices.smartcard.passport import PassportProfile, PassportReading
from devices.smartcard.pcsc import list_readers, open_session
from devices.smartcard.profiles import CardProfile, read_card
from devices.smartcard.reader import CardReader, PcscCardReader
from devices.smartcard.session import CardSession, ResponseApdu
from devices.smartcard.virtual import VirtualCardReader

__all__ = [
    "AccessDenied",
    "BadgeProfile",
    "BadgeUid",
    "CardError",
    "CardNotSupported",
    "CardProfile",
    "CardReader",
    "CardRemoved",
    "CardSession",
    "CardTimeout",
    "CardWatcher",
    "DocumentDataError",
    "EktpIdentity",
    "EktpReader",
    "MrzKey",
    "NoReader",
    "PassportData",
    "PassportProfile",
    "PassportReading",
    "PcscCardReader",
    "ResponseApdu",
    "SecureMessagingError",
    "SmartCardError",
    "UnsupportedEktpReader",
    "VirtualCardReader",
    "events",
    "list_readers",
    "open_session",
    "read_card",
]
