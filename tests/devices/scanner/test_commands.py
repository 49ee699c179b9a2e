from __future__ import annotations

import argparse
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from devices.scanner.commands import probe, register

DRIVER = textwrap.dedent(
    """
    import argparse, sys
    from devices.scanner.commands import register
    parser = argparse.ArgumentParser(prog="antre device")
    register(parser.add_subparsers(dest="action", required=True))
    args = parser.parse_args(sys.argv[1:])
    sys.exit(args.handler(args))
    """
)
ROOT = Path(__file__).resolve().parents[3]


def run_scan(*arguments: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", DRIVER, "scan", *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
        check=False,
    )


def parse(*arguments: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="antre device")
    register(parser.add_subparsers(dest="action", required=True))
    return parser.parse_args(["scan", *arguments])


def test_scan_reads_stdin_and_prints_each_code_classified_with_the_nik_masked() -> None:
    codes = "MP-2026-ABC123\r\nhttps://antre.example/t/abcdefghijklmnopqrstuvwx\n"
    codes += "3174011701900123\n3174011701900000\nhello there\n"
    result = run_scan("--source", "stdin", stdin=codes)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[1:] for line in lines] == [
        ["booking_code", "MP-2026-ABC123"],
        ["ticket_link", "https://antre.example/t/abcdefghijklmnopqrstuvwx"],
        ["nik", "************0123"],
        ["nik", "************0000", "[refused:", "nik_serial]"],
        ["unknown", "hello", "there"],
    ]
    assert "3174011701900123" not in result.stdout + result.stderr


def test_scan_stops_after_count_codes() -> None:
    result = run_scan("--count", "2", stdin="AAA111\nBBB222\nCCC333\n")
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 2


def test_scan_fails_when_fewer_codes_than_count_arrive() -> None:
    result = run_scan("--count", "3", stdin="AAA111\n")
    assert result.returncode == 1
    assert "got 1 of 3 codes" in result.stderr


def test_scan_gives_up_after_the_timeout(tmp_path: Path) -> None:
    fifo = tmp_path / "scan.fifo"
    os.mkfifo(fifo)  # a FIFO nobody writes to: the scan must end by its timeout
    result = run_scan("--source", f"virtual:{fifo}", "--timeout-s", "0.5", "--count", "1")
    assert result.returncode == 1
    assert result.stdout == ""


def test_scan_reads_a_virtual_feed_file(tmp_path: Path) -> None:
    feed = tmp_path / "codes.txt"
    feed.write_text("MP2026ABC123\n")
    result = run_scan("--source", f"virtual:{feed}")
    assert result.returncode == 0
    assert "booking_code" in result.stdout


def test_a_bad_source_is_reported_not_raised() -> None:
    result = run_scan("--source", "serial:/dev/no-such-scanner")
    assert result.returncode == 2
    assert "cannot open serial scanner" in result.stderr


@pytest.mark.parametrize("arguments", [("--count", "0"), ("--timeout-s", "-1"), ("--count", "x")])
def test_bad_arguments_are_refused(
    arguments: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parse(*arguments)
    assert f"argument {arguments[0]}" in capsys.readouterr().err


def test_arguments_have_defaults() -> None:
    args = parse()
    assert (args.source, args.count, args.timeout_s) == ("stdin", None, None)
    assert callable(args.handler)


def test_probe_lists_devices_as_lines() -> None:
    lines = probe()
    assert all(isinstance(line, str) and line for line in lines)
    assert all(line.startswith(("scanner (", "camera: ")) for line in lines)
