"""``antre device read-card`` and ``probe()`` through a throwaway parser and the real chain."""

from __future__ import annotations

import argparse

import pytest

from devices.smartcard import commands
from devices.smartcard.pcsc import wait_for_card
from tests.devices.smartcard.conftest import InsertCard
from tests.devices.smartcard.pcscd import READER_0, READER_1, PcscDaemon
from tests.devices.smartcard.virtual_passport import VirtualBadgeChip, VirtualPassportChip

SPECIMEN_ARGS = ["--mrz-doc", "L898902C3", "--mrz-dob", "740812", "--mrz-expiry", "120415"]


def run(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="antre device")
    commands.register(parser.add_subparsers(dest="action", required=True))
    args = parser.parse_args(["read-card", *arguments])
    result: int = args.handler(args)
    return result


def test_reads_a_passport_and_prints_it_masked(
    insert_card: InsertCard, capsys: pytest.CaptureFixture[str]
) -> None:
    insert_card(VirtualPassportChip())
    assert run(["--reader", READER_0, *SPECIMEN_ARGS, "--timeout-s", "10"]) == 0
    shown = capsys.readouterr().out
    assert "issuing state: UTO" in shown and "holder: E******* A*********" in shown
    assert "check digits: all valid" in shown
    for secret in ("ERIKSSON", "L898902C3", "740812", "120415"):
        assert secret not in shown


def test_reads_a_badge_uid(insert_card: InsertCard, capsys: pytest.CaptureFixture[str]) -> None:
    insert_card(VirtualBadgeChip(bytes.fromhex("04A1B2C3")))
    assert run(["--uid", "--timeout-s", "10"]) == 0
    assert capsys.readouterr().out == "UID: 04A1B2C3\n"


def test_a_wrong_key_prints_a_bilingual_error(
    insert_card: InsertCard, capsys: pytest.CaptureFixture[str]
) -> None:
    insert_card(VirtualPassportChip())
    wrong = [*SPECIMEN_ARGS[:-1], "130415"]
    assert run([*wrong, "--timeout-s", "10"]) == commands.EXIT_FAILED
    error = capsys.readouterr().err
    assert "Cip paspor menolak" in error and "passport chip refused" in error
    assert "access_denied" in error


def test_no_card_in_time(pcscd: PcscDaemon, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--uid", "--reader", READER_1, "--timeout-s", "0.2"]) == commands.EXIT_FAILED
    assert "card_timeout" in capsys.readouterr().err


@pytest.mark.parametrize(
    "arguments",
    [["--uid", "--mrz-doc", "X1"], ["--mrz-doc", "X1"], [*SPECIMEN_ARGS[:-1], "121315"], []],
)
def test_usage_errors(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(arguments) == commands.EXIT_USAGE
    assert capsys.readouterr().err.startswith("read-card: ")


def test_probe_lists_the_readers_and_their_cards(insert_card: InsertCard) -> None:
    insert_card(VirtualBadgeChip(b"\x01\x02\x03\x04"))
    wait_for_card(READER_0, timeout_s=10)
    lines = commands.probe()
    assert f"PC/SC reader {READER_1!r}: empty" in lines
    assert f"PC/SC reader {READER_0!r}: card present, ATR 3B 8F" in " ".join(lines)


def test_reads_the_shipped_virtual_passport_without_hardware(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["--reader", "virtual", *SPECIMEN_ARGS]) == 0
    shown = capsys.readouterr().out
    assert "issuing state: UTO" in shown and "holder: E******* A*********" in shown
    for secret in ("ERIKSSON", "L898902C3", "740812", "120415"):
        assert secret not in shown


def test_reads_the_shipped_virtual_badge(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--reader", "virtual", "--uid"]) == 0
    assert capsys.readouterr().out == "UID: 04A1B2C3D4E5F6\n"


def test_the_virtual_passport_refuses_a_wrong_key(capsys: pytest.CaptureFixture[str]) -> None:
    wrong = [*SPECIMEN_ARGS[:-1], "130415"]
    assert run(["--reader", "virtual", *wrong]) == commands.EXIT_FAILED
    error = capsys.readouterr().err
    assert "passport chip refused" in error and "access_denied" in error


def test_a_missing_virtual_card_file_is_a_clear_error(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--reader", f"virtual:{tmp_path}/none.json", "--uid"]) == commands.EXIT_FAILED
    assert "card_file" in capsys.readouterr().err
