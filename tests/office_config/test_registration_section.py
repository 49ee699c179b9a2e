"""The office file's ``registration`` section: windows, their sessions and quotas, with
problems named in Indonesian and English."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from queue_server.i18n.notes import note_texts
from queue_server.office_config import OfficeConfigError, parse_office_config
from tests.office_config.test_office_config import minimal

WINDOW: dict[str, Any] = {
    "code": "percepatan",
    "name_id": "Layanan percepatan",
    "name_en": "Accelerated service",
    "services": ["walkin"],
    "opens_days_before": 1,
    "opens": "19:00",
    "closes": "08:00",
    "quota": 30,
    "arrive_from": "08:00",
    "arrive_until": "12:00",
}


def with_windows(*windows: dict[str, Any]) -> dict[str, Any]:
    data = minimal()
    data["registration"] = list(windows)
    return data


def problems(data: dict[str, Any]) -> list[Any]:
    with pytest.raises(OfficeConfigError) as error:
        parse_office_config(data)
    return error.value.problems


def test_a_window_becomes_a_domain_object() -> None:
    (window,) = parse_office_config(with_windows(WINDOW)).registration_windows
    assert (window.opens_days_before, window.opens, window.closes) == (1, time(19), time(8))
    assert window.services == ("walkin",) and window.quota == 30 and window.session is None


def test_bad_windows_are_refused_in_both_languages() -> None:
    found = problems(
        with_windows(
            WINDOW | {"services": ["nope"], "opens_days_before": 0, "closes": "07:00"},
            WINDOW | {"code": "petang", "session": "sabtu", "services": ["walkin"]},
            WINDOW | {"code": "urgensi", "quota": None, "session": "tidak-ada"},
            {k: v for k, v in WINDOW.items() if k != "quota"} | {"code": "percepatan"},
        )
    )
    assert [str(problem) for problem in found] == [
        "registration[3].code: 'percepatan' is used twice",
        "registration[0].services: unknown service 'nope'",
        "registration[0]: registration must open before it closes",
        "registration[1].quota: comes from the session; remove it here",
        "registration[1].arrive_from: comes from the session; remove it here",
        "registration[1].arrive_until: comes from the session; remove it here",
        "registration[1].services: 'walkin' is not served in session 'sabtu'",
        "registration[2].session: unknown session 'tidak-ada'",
        "registration[3].quota: is required for a window without a session",
    ]
    indonesian = [note_texts(problem)["id"] for problem in found]
    assert indonesian[2] == "registration[0]: pendaftaran harus dibuka sebelum ditutup"
    assert indonesian[-1] == "registration[3].quota: wajib diisi untuk jendela tanpa sesi"
