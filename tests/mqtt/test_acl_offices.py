"""Each device's ACL is scoped to its own office when one broker carries several."""

from __future__ import annotations

from pathlib import Path

import pytest

from queue_server.mqtt.broker import Account, BrokerError, DeviceKind, acl_rules, write_acl
from queue_server.protocol import topics


def test_each_device_gets_its_own_office_topics(tmp_path: Path) -> None:
    first = Account("kiosk-a", "", DeviceKind.KIOSK, "hash", office="kanim-test")
    second = Account("board-b", "", DeviceKind.DISPLAY, "hash", office="kanim-kedua")
    server = Account("antre-server", "secret", None)

    write_acl(tmp_path / "acl", None, [server, first, second])

    blocks = (tmp_path / "acl").read_text().split("\n\n")
    assert "topic write antre/v1/kanim-test/kiosk/kiosk-a/request/+" in blocks[1]
    assert "kanim-kedua" not in blocks[1]
    assert "topic read antre/v1/kanim-kedua/board" in blocks[2]
    assert "kanim-test" not in blocks[2]
    assert blocks[0].splitlines()[1] == "topic readwrite antre/v1/#"


def test_a_device_without_an_office_is_refused() -> None:
    with pytest.raises(BrokerError):
        acl_rules(None, Account("kiosk-a", "", DeviceKind.KIOSK, "hash"))


def test_the_server_subscribes_for_every_office() -> None:
    assert topics.office_filter(None) == "antre/v1/+"
    assert topics.office_filter("kanim-test") == "antre/v1/kanim-test"
