"""Write (and optionally play) one announcement: ``python -m displays.announcer --help``.

For trying voices and speeds on a display, and for the samples in ``docs/``::

    python -m displays.announcer --ticket B-023 --counter 3 --out docs/
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from displays.announcer.chime import write_chime
from displays.announcer.config import AnnouncerConfig
from displays.announcer.phrases import phrases
from displays.announcer.player import CommandPlayer, PlaybackError
from displays.announcer.speaker import EspeakSpeaker, SpeechError
from queue_server.i18n import both
from queue_server.protocol.labels import parse_number
from queue_server.protocol.states import CalledEvent

TICKET_INVALID = "{value} is not a ticket number such as B-023."
NOT_MADE = "The announcement could not be made: {reason}"


def _ticket(value: str) -> str:
    """``--ticket`` as argparse checks it: a label such as ``B-023``."""
    try:
        parse_number(value)
    except ValueError:
        message = both(TICKET_INVALID, value=value[:40])
        raise argparse.ArgumentTypeError(f"{message['id']} / {message['en']}") from None
    return value.strip().upper()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m displays.announcer",
        description="Write announcement-<lang>.wav (and chime.wav) for one call.",
    )
    parser.add_argument(
        "--ticket", default="B-023", type=_ticket, help="ticket label (default B-023)"
    )
    parser.add_argument("--counter", default="3", help="counter display name (default 3)")
    parser.add_argument("--recall", action="store_true", help="speak it as a recall")
    parser.add_argument("--digits", action="store_true", help="read the number digit by digit")
    parser.add_argument("--speed", type=int, default=AnnouncerConfig.speed)
    parser.add_argument("--volume", type=float, default=AnnouncerConfig.volume)
    parser.add_argument("--out", type=Path, default=Path("."), help="folder for the WAVs")
    parser.add_argument("--play", action="store_true", help="also play with aplay/paplay")
    return parser


def main(argv: Sequence[str] | None = None) -> list[Path]:
    """Write the chime and one WAV per language; return their paths (chime first)."""
    args = _parser().parse_args(argv)
    config = AnnouncerConfig(
        speed=args.speed, volume=args.volume, numbers="digits" if args.digits else "words"
    )
    event = CalledEvent(
        id=1,
        seq=1,
        ticket=args.ticket,
        station="CS",
        counter="sample",
        counter_name=args.counter,
        service="sample",
        recall=args.recall,
        ts=datetime.now(UTC),
    )
    args.out.mkdir(parents=True, exist_ok=True)
    speaker = EspeakSpeaker(config)
    files = [write_chime(args.out / "chime.wav", config.volume)]
    for language, text in phrases(event, config):
        print(f"{language}: {text}")
        files.append(speaker.synthesize(text, language, args.out / f"announcement-{language}.wav"))
    if args.play:
        player = CommandPlayer()
        for path in files:
            player.play(path)
    return files


def cli(argv: Sequence[str] | None = None) -> int:
    """:func:`main` for the command line: a refusal or a fault is one line in both
    languages and exit code 2."""
    try:
        main(argv)
    except (ValueError, SpeechError, PlaybackError, OSError) as error:
        message = both(NOT_MADE, reason=str(error)[:300])
        print(f"{message['id']} / {message['en']}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(cli())
