"""MRZ check digits, the BAC key and TD3 parsing, on the ICAO 9303 specimen passport."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.smartcard.errors import DocumentDataError
from devices.smartcard.mrz import MrzKey, check_digit, mask, parse_td3
from tests.devices.smartcard.virtual_passport import SPECIMEN_MRZ

UPPER, LOWER = SPECIMEN_MRZ[:44], SPECIMEN_MRZ[44:]


def test_specimen_parses_into_every_field() -> None:
    data = parse_td3(UPPER + "\n" + LOWER)
    assert (data.document_type, data.issuing_state, data.nationality) == ("P", "UTO", "UTO")
    assert (data.primary_identifier, data.secondary_identifier) == ("ERIKSSON", "ANNA MARIA")
    assert (data.document_number, data.date_of_birth, data.date_of_expiry) == (
        "L898902C3",
        "740812",
        "120415",
    )
    assert (data.sex, data.optional_data) == ("F", "ZE184226B")


@pytest.mark.parametrize(
    ("position", "what"),
    [(9, "document number"), (19, "birth"), (27, "expiry"), (42, "optional"), (43, "composite")],
)
def test_each_wrong_check_digit_is_refused(position: int, what: str) -> None:
    digit = LOWER[position]
    wrong = str((int(digit) + 1) % 10)
    with pytest.raises(DocumentDataError, match=what):
        parse_td3(UPPER + LOWER[:position] + wrong + LOWER[position + 1 :])


def test_a_changed_field_breaks_its_check_digit() -> None:
    with pytest.raises(DocumentDataError, match="date of birth"):
        parse_td3(UPPER + LOWER.replace("740812", "740813"))


def test_wrong_length_and_characters_are_refused() -> None:
    with pytest.raises(DocumentDataError, match="88 characters"):
        parse_td3(SPECIMEN_MRZ[:-1])
    with pytest.raises(DocumentDataError, match="not allowed"):
        parse_td3(SPECIMEN_MRZ.replace("ANNA", "anna"))


def test_empty_optional_data_may_have_a_filler_check_digit() -> None:
    lower = LOWER[:28] + "<" * 15
    lower += check_digit(lower[0:10] + lower[13:20] + lower[21:43])
    assert parse_td3(UPPER + lower).optional_data == ""


def test_reprs_hide_personal_data() -> None:
    data = parse_td3(SPECIMEN_MRZ)
    key = MrzKey("L898902C3", "740812", "120415")
    shown = repr(data) + str(data) + repr(key)
    for secret in ("ERIKSSON", "ANNA", "L898902C3", "740812", "120415", "ZE184226B"):
        assert secret not in shown
    assert mask("ERIKSSON") == "E*******"


def test_mrz_key_pads_the_document_number_and_checks_dates() -> None:
    assert MrzKey("ab12", "690806", "940623").document_number == "AB12<<<<<"
    with pytest.raises(DocumentDataError, match="date_of_birth"):
        MrzKey("L898902C", "691306", "940623")
    with pytest.raises(DocumentDataError, match="document number"):
        MrzKey("L898902C-", "690806", "940623")


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<", min_size=1, max_size=20))
def test_changing_one_digit_changes_the_check_digit(field: str) -> None:
    # Weights 7, 3, 1 are coprime with 10: any single change of a digit shows.
    digits = [index for index, char in enumerate(field) if char.isdigit()]
    if not digits:
        return
    index = digits[0]
    changed = field[:index] + str((int(field[index]) + 1) % 10) + field[index + 1 :]
    assert check_digit(changed) != check_digit(field)
