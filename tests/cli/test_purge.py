"""``antre purge``: counts with ``--dry-run``, clears old personal data, refuses a bad period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from queue_server.cli import main
from queue_server.persistence.models import VisitRow

OFFICE_FILE = Path(__file__).parents[1] / "services" / "office.yaml"


def add_visit(database: Path, days_ago: int, phone: str, nik_last4: str | None = None) -> None:
    """A walk-in visit with personal data, made ``days_ago`` days ago."""
    engine = create_engine(f"sqlite:///{database}")
    created = datetime.now(UTC) - timedelta(days=days_ago)
    with Session(engine) as session, session.begin():
        session.add(
            VisitRow(
                office_id="kanim-test",
                service_code="walkin",
                office_day=created.date(),
                series="B",
                number=days_ago,
                label=f"B-{days_ago:03d}",
                token=f"visit-{days_ago}",
                session_code="regular",
                source="kiosk",
                language="id",
                phone=phone,
                nik_last4=nik_last4,
                by_proxy=False,
                created_at=created,
            )
        )
    engine.dispose()


def phones(database: Path) -> list[str | None]:
    engine = create_engine(f"sqlite:///{database}")
    with Session(engine) as session:
        found = list(session.scalars(select(VisitRow.phone).order_by(VisitRow.number)))
    engine.dispose()
    return found


def test_purge_dry_run_then_purge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "antre.db"
    assert main(["office", "load", str(OFFICE_FILE), "--db", str(database)]) == 0
    add_visit(database, 5, "081200000005")
    add_visit(database, 45, "081200000045")

    assert main(["purge", "--dry-run", "--db", str(database)]) == 0
    assert "would clear the personal data of 1 visits older than 30 days" in capsys.readouterr().out
    assert phones(database) == ["081200000005", "081200000045"]

    assert main(["purge", "--db", str(database)]) == 0
    assert phones(database) == ["081200000005", None]

    assert main(["purge", "--older-than", "3", "--db", str(database)]) == 0
    assert "cleared the personal data of 1 visits older than 3 days" in capsys.readouterr().out
    assert phones(database) == [None, None]


@pytest.mark.parametrize("days", ["0", "-3", "ten"])
def test_a_bad_period_is_refused_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], days: str
) -> None:
    database = tmp_path / "antre.db"
    with pytest.raises(SystemExit) as exit_info:
        main(["purge", f"--older-than={days}", "--db", str(database)])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "bukan jumlah hari" in error and "not a number of days" in error
    assert not database.exists()


def test_purge_lists_every_kind_it_clears(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "antre.db"
    assert main(["office", "load", str(OFFICE_FILE), "--db", str(database)]) == 0
    assert main(["purge", "--dry-run", "--db", str(database)]) == 0
    out = capsys.readouterr().out
    kinds = ("drive-thru arrivals", "number-near requests", "settled notifications")
    for kind in (*kinds, "registrations' phone hashes"):
        assert f"0 {kind}" in out
