"""``antre kiosk --config FILE [--fullscreen] [--lane LANE]`` (run the kiosk; with a lane,
as that drive-thru lane's kiosk) and
``antre kiosk check --config FILE`` (check its configuration, start nothing).

The ``antre`` command finds :data:`register` through the ``antre.commands`` entry point
``kiosk`` (pyproject.toml); Kivy, paho and the device libraries are imported only when the
kiosk runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from devices.screen import window_size


def _run(args: argparse.Namespace) -> int:
    from kiosk.app.main import main

    argv = ["--config", str(args.config)]
    if args.fullscreen:
        argv.append("--fullscreen")
    if args.windowed:
        argv.append("--windowed")
    if args.size:
        argv += ["--size", args.size]
    if args.lane:
        argv += ["--lane", args.lane]
    return main(argv)


def _check(args: argparse.Namespace) -> int:
    from kiosk.app.main import check

    return check(args.config)


def _config_option(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        required=required,
        help="the kiosk's configuration file (YAML or TOML)",
    )


def _window_options(parser: argparse.ArgumentParser) -> None:
    screen = parser.add_mutually_exclusive_group()
    screen.add_argument("--fullscreen", action="store_true", help="full screen (the default)")
    screen.add_argument("--windowed", action="store_true", help="a window, for trying it on a desk")
    parser.add_argument("--size", type=window_size, default="", help="e.g. 1024x600")
    parser.add_argument(
        "--lane", default="", help="a drive-thru lane kiosk for this lane (e.g. lajur-1)"
    )


class KioskCommands:
    """The ``kiosk`` command group: ``run`` and ``check``, and (through
    :meth:`group_options`) ``antre kiosk --config FILE`` as a short form of ``run``."""

    def __call__(self, actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        run = actions.add_parser("run", help="run the kiosk described by its config file")
        _config_option(run)
        _window_options(run)
        run.set_defaults(handler=_run)
        check = actions.add_parser("check", help="check a kiosk config file, start nothing")
        _config_option(check)
        check.set_defaults(handler=_check)

    def group_options(
        self,
        group: argparse.ArgumentParser,
        actions: argparse._SubParsersAction[argparse.ArgumentParser],
    ) -> None:
        """Let ``antre kiosk --config FILE`` run the kiosk without a sub-command."""
        actions.required = False
        _config_option(group, required=False)
        _window_options(group)
        group.set_defaults(handler=_group_default)


def _group_default(args: argparse.Namespace) -> int:
    if getattr(args, "config", None) is None:
        from queue_server.i18n import both

        message = both("Give --config FILE (the kiosk's configuration file).")
        print(f"{message['id']} / {message['en']}", file=sys.stderr)
        return 2
    return _run(args)


register = KioskCommands()
