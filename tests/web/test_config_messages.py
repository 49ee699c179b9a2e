"""Validation problems and warnings of the office configuration reach the client in
Indonesian and English (``problem_messages``, ``warning_messages``), and a refused request
body's 422 names the problem in both languages too."""

from __future__ import annotations

from typing import Any

from queue_server.services.container import Services
from tests.web.conftest import BASE, AuthActions
from tests.web.test_office_config_api import send, stored

CONFIG = f"{BASE}/config"


def refused_patch(auth: AuthActions, services: Services, patch: dict[str, Any]) -> Any:
    version, _ = stored(services)
    answer = send(auth, "PATCH", CONFIG, {"version": version, "patch": patch})
    assert answer.status_code == 422
    return answer.get_json()["error"]


def test_every_problem_of_a_refused_change_comes_in_both_languages(
    auth: AuthActions, services: Services
) -> None:
    auth.login("admin")
    before = stored(services)
    _, settings = before
    counters = [dict(settings["counters"][0], services=["ghost"])]
    error = refused_patch(
        auth,
        services,
        {"counters": counters, "calendar": {"hours": {"mon": ["16:00", "08:00"]}}},
    )
    problems, texts = error["problems"], error["problem_messages"]
    assert len(problems) >= 2 and [text["en"] for text in texts] == problems
    assert "counters[0].services: unknown service 'ghost'" in problems
    assert "counters[0].services: layanan tidak dikenal 'ghost'" in [t["id"] for t in texts]
    for text in texts:
        path = text["en"].partition(": ")[0]
        assert text["id"].startswith(path + ": ") and text["id"] != text["en"], text
    assert error["messages"]["id"].startswith("Konfigurasi kantor tidak diubah")
    assert "unknown" not in error["messages"]["id"] and "must be" not in error["messages"]["id"]
    assert stored(services) == before


def test_schema_problems_are_translated_with_the_refused_value(
    auth: AuthActions, services: Services
) -> None:
    auth.login("admin")
    _, settings = stored(services)
    service = dict(settings["services"][0], prefix="abc", daily_quota=-1)
    error = refused_patch(auth, services, {"services": [service, *settings["services"][1:]]})
    texts = {text["en"]: text["id"] for text in error["problem_messages"]}
    assert texts["services[0].prefix: must be 1-2 capital letters (e.g. A), got 'abc'"] == (
        "services[0].prefix: harus 1-2 huruf kapital (mis. A), diberikan 'abc'"
    )
    quota = "services[0].daily_quota: Input should be greater than or equal to 0, got -1"
    assert texts[quota] == (
        "services[0].daily_quota: harus lebih besar atau sama dengan 0, diberikan -1"
    )


def test_warnings_come_in_both_languages(auth: AuthActions, services: Services) -> None:
    auth.login("admin")
    version, _ = stored(services)
    answer = send(
        auth, "PATCH", CONFIG, {"version": version, "patch": {"office": {"public_base_url": None}}}
    )
    assert answer.status_code == 200
    body = answer.get_json()
    assert [text["en"] for text in body["warning_messages"]] == body["warnings"]
    url = [text for text in body["warning_messages"] if text["en"].startswith("office.public")]
    assert url and url[0]["id"].startswith("office.public_base_url: belum diisi")
    fetched = auth.get(CONFIG).get_json()
    assert fetched["warning_messages"] == body["warning_messages"]


def test_a_refused_request_body_says_why_in_indonesian(auth: AuthActions) -> None:
    auth.login("admin")
    answer = auth.post("/api/v1/users", {"username": "budi.loket"})
    assert answer.status_code == 422
    messages = answer.get_json()["error"]["messages"]
    assert messages["en"].endswith(": Field required")
    assert messages["id"].endswith(": wajib diisi")
    control = auth.post(
        "/api/v1/users",
        {"username": "budi", "display_name": "B\x01", "password": "x" * 12, "role": "petugas"},
    )
    assert control.get_json()["error"]["messages"]["id"].endswith(
        "teks berisi karakter yang tidak diizinkan"
    )


def test_a_refused_role_names_the_roles_plainly(auth: AuthActions) -> None:
    auth.login("admin")
    body = {"username": "budi", "display_name": "Budi", "password": "Kuat-sekali-77"}
    answer = auth.post("/api/v1/users", body | {"role": "root"})
    assert answer.status_code == 422
    messages = answer.get_json()["error"]["messages"]
    assert messages["en"] == "Field role: Input should be 'admin', 'petugas' or 'laporan'"
    assert "<Role" not in messages["id"] and "'laporan'" in messages["id"]
    assert auth.post("/api/v1/users", body | {"role": "laporan"}).status_code == 200


def test_collection_problems_are_all_indonesian(auth: AuthActions, services: Services) -> None:
    auth.login("admin")
    _, settings = stored(services)
    service = dict(settings["services"][0], journey=[])
    error = refused_patch(
        auth,
        services,
        {
            "services": [service, *settings["services"][1:]],
            "calendar": {"hours": {"mon": "08"}, "cuti_bersama": ["2026-02-30"]},
        },
    )
    texts = {text["en"].partition(":")[0]: text["id"] for text in error["problem_messages"]}
    assert (
        texts["services[0].journey"] == "services[0].journey: harus berisi minimal 1 butir, ada 0"
    )
    assert texts["calendar.hours.mon"].startswith("calendar.hours.mon: harus daftar dua jam")
    assert texts["calendar.cuti_bersama[0]"] == (
        "calendar.cuti_bersama[0]: '2026-02-30' bukan tanggal yang ada (tidak ada hari itu)"
    )
    for indonesian in texts.values():
        assert not {"List", "Dictionary", "valid", "tuple"} & set(indonesian.split()), indonesian
