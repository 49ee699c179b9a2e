"""``antre display --config FILE`` (run a display) and ``antre display check --config FILE``.

The ``antre`` command finds :data:`register` through the ``antre.commands`` entry point
``display`` (pyproject.toml); Kivy and paho are imported only when a display runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _run(args: argparse.Namespace) -> int:
    from displays.run import main

    return main(args.config)


def _check(args: argparse.Namespace) -> int:
    from displays.run import check

    return check(args.config)


def _config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, required=True, help="the display's configuration file (YAML or TOML)"
    )


class DisplayCommands:
    """The ``display`` command group: ``run`` and ``check`` sub-commands, and (through
    :meth:`group_options`) ``antre display --config FILE`` as a short form of ``run``."""

    def __call__(self, actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        run = actions.add_parser("run", help="run the display described by its config file")
        _config_option(run)
        run.set_defaults(handler=_run)
        check = actions.add_parser("check", help="check a display config file, start nothing")
        _config_option(check)
        check.set_defaults(handler=_check)

    def group_options(
        self,
        group: argparse.ArgumentParser,
        actions: argparse._SubParsersAction[argparse.ArgumentParser],
    ) -> None:
        """Let ``antre display --config FILE`` run the display without a sub-command."""
        actions.required = False
        group.add_argument("--config", type=Path, help="run the display of this config file")
        group.set_defaults(handler=_group_default)


def _group_default(args: argparse.Namespace) -> int:
    if getattr(args, "config", None) is None:
        from displays.run import _line

        print(_line("Give --config FILE (the display's configuration file)."), file=sys.stderr)
        return 2
    return _run(args)


register = DisplayCommands()
