"""``antre device scan``: print what a scanner reads, classified (NIKs masked)."""

from __future__ import annotations

import argparse
import glob
import sys
import time
from typing import TextIO

from devices.codes import classify
from devices.errors import DeviceError, MissingDependency, require
from devices.scanner.base import CodeScanner, QueueSink, ScannedCode
from devices.scanner.sources import open_scanner

POLL_INTERVAL_S = 0.2


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``scan`` to the ``antre device`` sub-commands."""
    scan = actions.add_parser(
        "scan", help="read codes from a QR/barcode scanner and print what they are"
    )
    scan.add_argument(
        "--source",
        default="stdin",
        help="stdin, serial:/dev/ttyUSB0[@9600], hid:/dev/input/by-id/...-kbd, camera:0, "
        "virtual[:FIFO-or-file] (default: stdin)",
    )
    scan.add_argument("--count", type=_positive_int, help="stop after this many codes")
    scan.add_argument("--timeout-s", type=_positive_float, help="stop after this many seconds")
    scan.set_defaults(handler=scan_command)


def scan_command(args: argparse.Namespace) -> int:
    """Print each code read from ``args.source``; 0 when ``--count`` codes (or all) arrived."""
    sink = QueueSink()
    try:
        scanner = open_scanner(args.source, sink)
        scanner.start()
    except DeviceError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        printed = print_codes(scanner, sink, args.count, args.timeout_s, sys.stdout)
    except KeyboardInterrupt:
        return 130
    finally:
        scanner.stop()
    if args.count is not None and printed < args.count:
        print(f"got {printed} of {args.count} codes", file=sys.stderr)
        return 1
    return 0


def print_codes(
    scanner: CodeScanner,
    sink: QueueSink,
    count: int | None,
    timeout_s: float | None,
    out: TextIO,
) -> int:
    """Print codes until ``count`` arrived, ``timeout_s`` passed or the input ended."""
    deadline_s = None if timeout_s is None else time.monotonic() + timeout_s
    printed = 0
    while count is None or printed < count:
        input_ended = not scanner.is_running()
        remaining_s = POLL_INTERVAL_S if deadline_s is None else deadline_s - time.monotonic()
        code = sink.get(timeout_s=max(0.0, min(POLL_INTERVAL_S, remaining_s)))
        if code is not None:
            out.write(describe(code) + "\n")
            out.flush()
            printed += 1
        elif input_ended or (deadline_s is not None and time.monotonic() >= deadline_s):
            break
    return printed


def describe(code: ScannedCode) -> str:
    """One line for a terminal: time, kind, the code (a NIK masked) and any problem."""
    found = classify(code.text)
    line = f"{code.at.astimezone():%H:%M:%S} {found.kind.value:<13} {found.display}"
    if found.problem is not None:
        line += f"  [refused: {found.problem.reason.value}]"
    return line


def probe() -> list[str]:
    """One line per scanner-like device on this machine: serial ports, HID keyboards, cameras."""
    lines = [f"scanner (serial): {port}" for port in _serial_ports()]
    lines += [
        f"scanner (keyboard-wedge): hid:{path}"
        for path in sorted(glob.glob("/dev/input/by-id/*kbd*"))
    ]
    lines += [f"camera: {path}" for path in sorted(glob.glob("/dev/video*"))]
    return lines


def _serial_ports() -> list[str]:
    try:
        list_ports = require("serial.tools.list_ports", "pip install pyserial", "virtual")
    except MissingDependency:
        return []
    return [
        f"serial:{port.device} ({port.description})"
        for port in sorted(list_ports.comports(), key=lambda port: str(port.device))
    ]


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value
