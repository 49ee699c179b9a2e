"""The office's own lists of documents to bring (``requirements`` in ``config/kiosk``)
replace the kiosk's built-in SOP lists, in the applicant's language (pure code)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kiosk.content import OfficeRequirements, content_from_payload
from kiosk.demo import DEMO_PAYLOAD
from kiosk.guide import documents_for, office_documents

OWN = {"id": ["KTP asli", "Kartu keluarga asli"], "en": ["Original KTP", "Original family card"]}


def _payload(**walkin: Any) -> dict[str, Any]:
    payload = copy.deepcopy(DEMO_PAYLOAD)
    for service in payload["services"]:
        if service["id"] == "paspor-walkin":
            service.update(walkin)
    return payload


def _walkin(**fields: Any) -> Any:
    service = content_from_payload(_payload(**fields)).service("paspor-walkin")
    assert service is not None
    return service


def test_the_office_list_is_shown_in_the_chosen_language() -> None:
    service = _walkin(requirements=OWN)
    assert office_documents(service, "id") == ("KTP asli", "Kartu keluarga asli")
    assert office_documents(service, "en") == ("Original KTP", "Original family card")


@pytest.mark.parametrize(
    ("lists", "language", "shown"),
    [
        ({"id": ["KTP asli"], "en": []}, "en", ("KTP asli",)),
        ({"id": [], "en": ["Original KTP"]}, "id", ("Original KTP",)),
        ({"id": ["KTP asli"], "en": ["Original KTP"]}, "en", ("Original KTP",)),
    ],
)
def test_one_empty_language_falls_back_to_the_other(
    lists: dict[str, list[str]], language: str, shown: tuple[str, ...]
) -> None:
    assert office_documents(_walkin(requirements=lists), language) == shown


def test_without_an_office_list_the_sop_list_stays() -> None:
    plain = _walkin()
    assert plain.requirements is None and office_documents(plain, "id") == ()
    assert documents_for(plain)  # the built-in list the screens show then
    blank = _walkin(requirements={"id": ["  "], "en": []})
    assert blank.requirements is None, "blank lines are no list"


def test_a_proxy_pickup_keeps_the_power_of_attorney_list() -> None:
    service = _walkin(requirements=OWN)
    assert office_documents(service, "en", proxy=True) == ()


def test_blank_lines_are_dropped_and_lines_trimmed() -> None:
    service = _walkin(requirements={"id": [" KTP asli ", "", "Paspor lama"], "en": []})
    assert service.requirements == OfficeRequirements(id=("KTP asli", "Paspor lama"), en=())


def test_an_information_text_in_one_language_is_shown_in_both() -> None:
    service = _walkin(description={"id": "Datang sebelum pukul 14.00.", "en": ""})
    assert service.description is not None
    assert service.description.in_language("en") == "Datang sebelum pukul 14.00."
    assert _walkin(description={"id": " ", "en": ""}).description is None


def test_a_payload_without_requirements_still_parses() -> None:
    """What a server of an earlier version publishes: no ``requirements`` key at all."""
    content = content_from_payload(DEMO_PAYLOAD)
    assert all(service.requirements is None for service in content.services)


def test_the_server_built_config_round_trips_to_the_kiosk() -> None:
    """The contract's model parses the key the server sends (more than 30 lines refused)."""
    from queue_server.protocol.states import KioskConfig

    config = KioskConfig.model_validate(_payload(requirements=OWN))
    assert content_from_payload(config).service("paspor-walkin").requirements is not None  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        content_from_payload(_payload(requirements={"id": ["x"] * 31, "en": []}))
