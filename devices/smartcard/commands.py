"""``antre device read-card``: read a passport chip (BAC) or a badge UID; ``probe()`` readers.

Output is masked: names and document numbers show their first character only, dates not
at all. Errors are printed in Indonesian and English.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from devices.errors import MissingDependency
from devices.smartcard.badge import BadgeProfile
from devices.smartcard.errors import CardError, DocumentDataError, SmartCardError
from devices.smartcard.mrz import MrzKey, mask
from devices.smartcard.passport import PassportProfile, PassportReading
from devices.smartcard.pcsc import PcscContext
from devices.smartcard.profiles import read_card
from devices.smartcard.virtual import VirtualCardReader
from devices.smartcard.virtual_cards import DEMO_CARDS_PATH

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``read-card`` to the ``antre device`` sub-commands."""
    parser = actions.add_parser(
        "read-card", help="read an e-passport chip (BAC) or a badge UID from a PC/SC reader"
    )
    parser.add_argument(
        "--reader",
        help="reader name, or part of it (default: any reader); virtual[:CARDS.json] reads "
        "the shipped specimen cards (devices/smartcard/demo_cards.json) without hardware",
    )
    parser.add_argument("--mrz-doc", metavar="N", help="passport document number")
    parser.add_argument("--mrz-dob", metavar="YYMMDD", help="date of birth")
    parser.add_argument("--mrz-expiry", metavar="YYMMDD", help="date of expiry")
    parser.add_argument("--uid", action="store_true", help="read a contactless badge's UID")
    parser.add_argument("--timeout-s", type=float, default=10.0, help="wait this long for a card")
    parser.set_defaults(handler=read_card_command)


def _mrz_key(args: argparse.Namespace) -> MrzKey | None:
    """The MRZ key from the arguments; None for --uid. Raises ValueError on misuse."""
    given = [args.mrz_doc, args.mrz_dob, args.mrz_expiry]
    if args.uid:
        if any(given):
            raise ValueError("--uid cannot be combined with --mrz-* options")
        return None
    if not all(given):
        raise ValueError("give --mrz-doc, --mrz-dob and --mrz-expiry together, or --uid")
    try:
        return MrzKey(args.mrz_doc, args.mrz_dob, args.mrz_expiry)
    except DocumentDataError as err:
        raise ValueError(str(err)) from err


def read_card_command(args: argparse.Namespace) -> int:
    """Handler of ``antre device read-card``; returns the exit status."""
    try:
        key = _mrz_key(args)
    except ValueError as err:
        print(f"read-card: {err}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if _is_virtual(args.reader):
            _read_virtual(args.reader, key, args.timeout_s)
        elif key is None:
            print(f"UID: {read_card(BadgeProfile(), reader=args.reader, timeout_s=args.timeout_s)}")
        else:
            profile = PassportProfile(key)
            _print_passport(read_card(profile, reader=args.reader, timeout_s=args.timeout_s))
    except SmartCardError as err:
        message = err.user_message()
        print(f"{message['id']}\n{message['en']}\n({err.code}: {err})", file=sys.stderr)
        return EXIT_FAILED
    except MissingDependency as err:
        print(str(err), file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _is_virtual(reader: str | None) -> bool:
    return reader is not None and (reader == "virtual" or reader.startswith("virtual:"))


def _read_virtual(spec: str, key: MrzKey | None, timeout_s: float) -> None:
    """Read the first passport (or, with ``--uid``, the first badge) of a virtual card file,
    exactly as the kiosk's virtual reader does."""
    _, _, file = spec.partition(":")
    reader = VirtualCardReader.from_file(Path(file) if file else DEMO_CARDS_PATH)
    badge = key is None
    wanted = [index for index, card in enumerate(reader.cards) if (card.passport is None) == badge]
    if not wanted:
        raise CardError(0x6A, 0x82, "no such card in the virtual reader's file")
    try:
        reader.insert(wanted[0])
        if key is None:
            print(f"UID: {reader.read_badge(timeout_s=timeout_s)}")
        else:
            _print_passport(reader.read_passport(key, timeout_s=timeout_s))
    finally:
        reader.close()


def _print_passport(reading: PassportReading) -> None:
    mrz = reading.mrz
    print(f"document type: {mrz.document_type}, issuing state: {mrz.issuing_state}")
    print(f"holder: {mask(mrz.primary_identifier)} {mask(mrz.secondary_identifier)}")
    print(f"document number: {mask(mrz.document_number)}")
    print("dates: masked; MRZ check digits: all valid")
    print(f"LDS {reading.lds_version}, data groups: {' '.join(reading.data_groups)}")


def probe() -> list[str]:
    """One line per PC/SC reader: its name and whether a card is in it (empty without pcscd)."""
    try:
        with PcscContext() as context:
            states = context.states()
    except MissingDependency:
        return []
    return [f"PC/SC reader {name!r}: {_card_state(atr)}" for name, atr in states.items()]


def _card_state(atr: bytes | None) -> str:
    return f"card present, ATR {atr.hex(' ').upper()}" if atr else "empty"
