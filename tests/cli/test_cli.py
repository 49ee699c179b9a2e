"""The ``antre`` command end to end, in a subprocess or in-process, on a SQLite file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from queue_server.cli import main

OFFICE_FILE = Path(__file__).parents[1] / "services" / "office.yaml"


def test_office_check_reports_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["office", "check", str(OFFICE_FILE)]) == 0
    assert "kanim-test: 4 services, 7 counters" in capsys.readouterr().out


def test_bad_office_file_is_refused_with_paths_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(OFFICE_FILE.read_text().replace("prefix: B", "prefix: A"))
    database = tmp_path / "antre.db"
    assert main(["office", "load", str(bad), "--db", str(database)]) == 2
    error = capsys.readouterr().err
    assert "services[1].prefix: 'A' is used twice" in error
    assert "tidak valid" in error
    assert not database.exists() or _count(database, "offices") == 0


def test_load_office_then_create_admin_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "antre.db"
    assert main(["office", "load", str(OFFICE_FILE), "--db", str(database)]) == 0
    assert "office kanim-test loaded (version 1)" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", _Lines("a-long-password\n"))
    assert main(["user", "create-admin", "kepala", "--password-stdin", "--db", str(database)]) == 0
    monkeypatch.setattr("sys.stdin", _Lines("another-long-password\n"))
    assert main(["user", "create-admin", "kedua", "--password-stdin", "--db", str(database)]) == 2
    assert "Administrator sudah ada" in capsys.readouterr().err
    assert _count(database, "users") == 1


def test_password_policy_applies_to_the_first_admin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "antre.db"
    monkeypatch.setattr("sys.stdin", _Lines("short\n"))
    assert main(["user", "create-admin", "kepala", "--password-stdin", "--db", str(database)]) == 2
    assert _count(database, "users") == 0


def test_weak_first_admin_password_is_named_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "antre.db"
    monkeypatch.setattr("sys.stdin", _Lines("1234567890\n"))
    assert main(["user", "create-admin", "kepala", "--password-stdin", "--db", str(database)]) == 2
    error = capsys.readouterr().err
    assert "urutan" in error and "sequence" in error
    assert _count(database, "users") == 0


def test_tokens_are_scoped_listed_and_revoked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "antre.db"
    db = ["--db", str(database)]
    assert main(["office", "load", str(OFFICE_FILE), *db]) == 0
    assert main(["token", "create", "kiosk-1", "--office", "kanim-nowhere", *db]) == 2
    assert "kanim-nowhere" in capsys.readouterr().err
    assert main(["token", "create", "kiosk-1", "--office", "kanim-test", *db]) == 0
    assert main(["token", "create", "reports", "--role", "admin", *db]) == 0
    secret = capsys.readouterr().out.splitlines()[0]
    monkeypatch.setattr("sys.stdin", _Lines("Kepala-kantor-2026\n"))
    assert (
        main(["user", "create-admin", "kepala", "--password-stdin", "--office", "kanim-test", *db])
        == 0
    )
    capsys.readouterr()
    assert main(["token", "list", *db]) == 0
    listed = capsys.readouterr().out
    assert secret not in listed
    rows = [line.split("\t") for line in listed.splitlines()[1:]]
    assert [(row[0], row[1], row[3], row[6]) for row in rows] == [
        ("1", "kiosk-1", "kanim-test", "active"),
        ("2", "reports", "*", "active"),
    ]
    assert main(["token", "revoke", "1", *db]) == 0
    assert "token 1 (kiosk-1) revoked" in capsys.readouterr().out
    assert main(["token", "revoke", "99", *db]) == 2
    assert "Token 99" in capsys.readouterr().err
    main(["token", "list", *db])
    assert "\trevoked " in capsys.readouterr().out.splitlines()[1]
    with create_engine(f"sqlite:///{database}").connect() as connection:
        offices = connection.execute(text("SELECT offices FROM users")).scalar_one()
    assert "kanim-test" in offices


def test_console_script_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "queue_server.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.startswith("antre ")


class _Lines:
    def __init__(self, text: str) -> None:
        self._lines = text.splitlines(keepends=True)

    def readline(self) -> str:
        return self._lines.pop(0) if self._lines else ""


def _count(database: Path, table: str) -> int:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(f"select count(*) from {table}")).scalar_one())
    finally:
        engine.dispose()


def test_keys_are_kept_beside_the_database_and_reused(tmp_path: Path) -> None:
    from queue_server.config import ServerConfig, nik_key_bytes, session_key

    config = ServerConfig(database_url=f"sqlite:///{tmp_path}/antre.db")
    first, again = session_key(config), session_key(config)
    assert first == again and len(first) == 64
    assert (tmp_path / "session.key").stat().st_mode & 0o777 == 0o600
    assert nik_key_bytes(config) != first.encode()
    assert session_key(ServerConfig(database_url=config.database_url, secret_key="set")) == "set"


def test_booking_import_lists_every_bad_line_and_imports_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "antre.db"
    assert main(["office", "load", str(OFFICE_FILE), "--db", str(database)]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,service,date,slot\nMP-1,mpaspor,2026-11-31,09:00\nx,mpaspor,2026-11-23,9\n"
    )
    command = ["booking", "import", str(bad), "--office", "kanim-test", "--db", str(database)]
    assert main(command) == 2
    error = capsys.readouterr().err
    assert "line 2" in error and "line 3" in error and "tidak valid" in error
    assert "baris 2" in error and "invalid date" in error and "invalid code" in error
    assert _count(database, "bookings") == 0
    good = tmp_path / "good.csv"
    good.write_text("code,service,date,slot\nMP-0001,mpaspor,2026-11-23,09:00\n")
    args = ["booking", "import", str(good), "--office", "kanim-test", "--db", str(database)]
    assert main(args) == 0
    assert "1 added" in capsys.readouterr().out
    assert main(args) == 0
    assert "1 unchanged" in capsys.readouterr().out
    assert _count(database, "bookings") == 1


@pytest.mark.parametrize(
    "command",
    [
        ["token", "list"],
        ["token", "revoke", "1"],
        ["token", "create", "kiosk-1", "--role", "kiosk"],
        ["device", "add", "kiosk-1", "--kind", "kiosk", "--office", "kanim-test"],
        ["purge", "--dry-run"],
        ["mqtt", "acl", "--out", "acl-files"],
    ],
)
def test_a_command_on_existing_data_refuses_a_missing_database(
    command: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A forgotten --db names the missing file instead of making and reporting on an empty one."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ANTRE_DATABASE_URL", raising=False)
    assert main(command) == 2
    error = capsys.readouterr().err
    missing = tmp_path / "var" / "antre.db"
    assert f"There is no database at {missing}; nothing was done" in error
    assert f"Tidak ada database di {missing}" in error
    assert "--db var/demo.db" in error
    assert not missing.exists() and not (tmp_path / "acl-files").exists()


def test_a_counter_display_is_bound_to_its_counter_and_a_reset_changes_its_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from queue_server.services.devices import broker_password_matches

    database = tmp_path / "antre.db"
    db = ["--db", str(database)]
    assert main(["office", "load", str(OFFICE_FILE), *db]) == 0
    add = ["device", "add", "screen-cs-1", "--kind", "counter-display", "--office", "kanim-test"]
    assert main([*add, "--counter", "cs-1", *db]) == 0
    first = capsys.readouterr().out.split("MQTT password: ")[1].split()[0]
    assert main(["device", "add", "screen-x", "--kind", "display", "--office", "kanim-test",
                 "--counter", "cs-1", *db]) == 2  # fmt: skip
    assert "counter display" in capsys.readouterr().err
    assert main(["device", "add", "screen-y", "--kind", "counter-display", "--office",
                 "kanim-test", "--counter", "nowhere", *db]) == 2  # fmt: skip
    assert main(["device", "reset", "screen-cs-1", *db]) == 0
    second = capsys.readouterr().out.split("MQTT password: ")[1].split()[0]
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            counter, stored = connection.execute(
                text("SELECT counter, password_hash FROM devices WHERE id = 'screen-cs-1'")
            ).one()
            assert connection.execute(text("SELECT count(*) FROM devices")).scalar() == 1
    finally:
        engine.dispose()
    assert counter == "cs-1"
    assert broker_password_matches(second, stored) and not broker_password_matches(first, stored)
    assert main(["device", "reset", "nothing-here", *db]) == 2
    capsys.readouterr()
    assert main(["device", "list", *db]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("id\toffice\tkind\tcounter\tstatus")
    assert listed[1:] == ["screen-cs-1\tkanim-test\tcounter-display\tcs-1\tnever seen\t-\t-"]
    assert main(["device", "list", "--office", "nowhere", *db]) == 2


def test_serve_help_names_the_real_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    """The defaults `antre serve --help` states are the ones the server runs with."""
    from queue_server.config import ServerConfig

    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    config = ServerConfig()
    assert f"HTTP worker threads (default {config.threads})" in shown
    assert f"port (default {config.port})" in shown
    assert f"bind address (default {config.host})" in shown
