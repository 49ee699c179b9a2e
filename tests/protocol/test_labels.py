"""The ticket label format is part of the contract: the server and a kiosk share it."""

from __future__ import annotations

import pytest

from queue_server.domain import numbering
from queue_server.protocol.labels import format_number, parse_number


def test_labels_round_trip() -> None:
    assert format_number("A", 1) == "A-001"
    assert format_number("BC", 1234) == "BC-1234"
    assert parse_number(" a-012 ") == ("A", 12)
    with pytest.raises(ValueError):
        format_number("A", 0)
    with pytest.raises(ValueError):
        parse_number("A012")


def test_the_server_uses_the_contract_labels() -> None:
    assert numbering.format_number is format_number
    assert numbering.parse_number is parse_number
