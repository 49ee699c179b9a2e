"""``antre serve --demo`` builds a demo office that issues at any hour and says it is one."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from queue_server.config import ServerConfig
from queue_server.domain.ids import TicketSource
from queue_server.serve import _fresh_demo, warn_without_offices
from queue_server.services.container import build_services
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor

#: Sunday 29 November 2026, 23:00 WITA: the Banjarmasin office file is closed.
SUNDAY_23_WITA = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)


def test_the_demo_issues_on_sunday_night_and_is_marked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    config = ServerConfig(
        database_url=f"sqlite:///{tmp_path}/demo.db",
        nik_key="test",
        secret_key="test-secret",
        host="127.0.0.1",
        port=18080,
    )
    with caplog.at_level(logging.WARNING, logger="antre.serve"):
        _fresh_demo(config)
    printed = capsys.readouterr().out
    assert "Demo admin: admin / " in printed
    assert "Demo officer: petugas1 / " in printed and "Demo officer: petugas2 / " in printed
    assert "DEMO office kanim-banjarmasin: open around the clock" in caplog.text
    services = build_services(config, clock=lambda: SUNDAY_23_WITA)
    try:
        (office,) = services.views.offices()
        assert office["demo"] is True
        request = IssueRequest(
            office="kanim-banjarmasin", service="paspor-walkin", source=TicketSource.KIOSK
        )
        ticket = services.issuing.issue(request, actor=Actor(name="kiosk-1"))
        assert ticket.label == "B-001"
        kiosk_config = services.device_config.config("kanim-banjarmasin", "kiosk")
        assert kiosk_config.public_base_url == "http://127.0.0.1:18080"
    finally:
        services.close()


def test_a_demo_on_every_interface_links_its_qr_to_this_machine_and_port(tmp_path: Path) -> None:
    """``make run HOST=0.0.0.0 PORT=...``: the QR names this machine and the real port."""
    config = ServerConfig(
        database_url=f"sqlite:///{tmp_path}/demo.db",
        nik_key="test",
        secret_key="test-secret",
        host="0.0.0.0",
        port=18081,
    )
    _fresh_demo(config)
    services = build_services(config)
    try:
        kiosk_config = services.device_config.config("kanim-banjarmasin", "kiosk")
        assert kiosk_config.public_base_url == f"http://{socket.gethostname()}:18081"
    finally:
        services.close()


def test_a_server_without_an_office_says_how_to_load_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A forgotten --db or office load is named in the log, not a silent empty server."""
    config = ServerConfig(
        database_url="postgresql+psycopg://antre:secret-pw@127.0.0.1:1/antre", nik_key="k"
    )
    empty = SimpleNamespace(views=SimpleNamespace(offices=lambda: []))
    with caplog.at_level(logging.WARNING, logger="antre.serve"):
        assert warn_without_offices(empty, config) is True  # type: ignore[arg-type]
    assert "no office is loaded in postgresql+psycopg://antre:***@127.0.0.1:1/antre" in caplog.text
    assert "antre office load FILE" in caplog.text and "secret-pw" not in caplog.text
    caplog.clear()
    loaded = SimpleNamespace(views=SimpleNamespace(offices=lambda: [{"id": "kanim-test"}]))
    assert warn_without_offices(loaded, config) is False  # type: ignore[arg-type]
    assert caplog.text == ""
