"""``python -m displays.board``: the lobby board, on a broker or (``--demo``) with sample data.

The display's MQTT password is read from the environment variable
``ANTRE_DISPLAY_PASSWORD`` so that it never shows in the process list.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from devices.screen import prepare_window, window_size
from displays.board.model import BoardModel


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m displays.board", description=__doc__)
    parser.add_argument("--demo", action="store_true", help="sample data, no server")
    parser.add_argument("--office", help="the office id")
    parser.add_argument("--device", help="the display's device id (its MQTT user)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1883)
    parser.add_argument("--size", default="", type=window_size, help="window size, e.g. 1920x1080")
    parser.add_argument("--fullscreen", action="store_true")
    return parser.parse_args(argv)


def demo_model() -> BoardModel:
    """A model filled with the sample office's messages, connected."""
    from displays.board.sample import demo_messages

    model = BoardModel()
    for topic, message in demo_messages():
        model.accept(topic, message)
    model.set_connected(True)
    return model


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.demo and not (args.office and args.device):
        from displays.board.texts import bilingual

        print(bilingual("--office and --device are needed (or --demo)"), file=sys.stderr)
        return 2
    prepare_window(args.size, fullscreen=args.fullscreen)
    from displays.board.app import BoardApp, post

    if args.demo:
        from displays.board.sample import DEMO_TICKER

        BoardApp(demo_model(), ticker=DEMO_TICKER).run()
        return 0
    from displays.board.link import BoardLink, BoardLinkConfig

    config = BoardLinkConfig(
        office=args.office,
        device=args.device,
        host=args.host,
        port=args.port,
        password=os.environ.get("ANTRE_DISPLAY_PASSWORD", ""),
    )
    model = BoardModel()
    app = BoardApp(model)
    link = BoardLink(config, model, post=post, changed=app.request_redraw).start()
    try:
        app.run()
    finally:
        link.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
