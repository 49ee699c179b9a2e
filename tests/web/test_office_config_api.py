"""Configuring an office over the API: sections, merge patches, the office file, content
versions; validation in both languages, stale versions, roles and offices, the audit log."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from queue_server.domain.ids import Role
from queue_server.office_config import load_office_file
from queue_server.persistence.models import AuditLogRow, CounterRow, OfficeRow
from queue_server.services.container import Services
from queue_server.services.offices import store_office
from queue_server.services.unit import Actor
from tests.services.clock import MONDAY_10_WITA
from tests.web.conftest import BASE, OFFICE, AuthActions, office_settings

DEMO_FILE = Path(__file__).parents[2] / "queue_server" / "demo" / "banjarmasin.yaml"
DEMO = "kanim-banjarmasin"
CONFIG = f"{BASE}/config"
FILE = f"{BASE}/office-file"
OTHER_ADMIN_PASSWORD = "Kuat-sekali-77"


def send(auth: AuthActions, method: str, path: str, body: Any = None, **headers: str) -> Any:
    """A PUT/PATCH/POST with the session's CSRF token."""
    client = auth._client
    return client.open(
        path, method=method, json=body, headers={"X-CSRF-Token": auth.csrf, **headers}
    )


def upload(auth: AuthActions, path: str, data: bytes, content_type: str, **headers: str) -> Any:
    client = auth._client
    return client.post(
        path,
        data=data,
        content_type=content_type,
        headers={"X-CSRF-Token": auth.csrf, **headers},
    )


def stored(services: Services, office: str = OFFICE) -> tuple[int, dict[str, Any]]:
    with services.database.reader() as session:
        row = session.get_one(OfficeRow, office)
        return row.config_version, copy.deepcopy(row.settings)


def audit_rows(services: Services, action: str) -> list[AuditLogRow]:
    with services.database.reader() as session:
        query = select(AuditLogRow).where(AuditLogRow.action == action).order_by(AuditLogRow.id)
        rows = list(session.scalars(query))
        session.expunge_all()
        return rows


def current(auth: AuthActions) -> dict[str, Any]:
    response = auth.get(CONFIG)
    assert response.status_code == 200, response.get_json()
    assert response.headers["ETag"] == f'"{response.get_json()["version"]}"'
    body: dict[str, Any] = response.get_json()
    return body


# --- reading ------------------------------------------------------------------------------


def test_the_definition_is_the_stored_office_file(auth: AuthActions, services: Services) -> None:
    auth.login("admin")
    body = current(auth)
    version, settings = stored(services)
    assert (body["office"], body["version"], body["settings"]) == (OFFICE, version, settings)
    assert body["settings"] == office_settings()
    section = auth.get(f"{CONFIG}/counters").get_json()
    assert section["value"] == office_settings()["counters"]
    assert auth.get(f"{CONFIG}/nonsense").status_code == 404


# --- changing a section -------------------------------------------------------------------


def test_a_new_service_and_its_counter_take_effect_and_are_audited(
    auth: AuthActions, services: Services
) -> None:
    auth.login("admin")
    before = current(auth)
    new_services = [
        *before["settings"]["services"],
        {
            "id": "visa",
            "prefix": "E",
            "name_id": "Izin tinggal",
            "name_en": "Stay permit",
            "kind": "walk_in",
            "daily_quota": 40,
            "journey": [
                {"station": "LOKET", "minutes": 5, "label": "berkas"},
                {"station": "PICKUP", "minutes": 2, "after_working_days": 3},
            ],
        },
    ]
    refused = send(
        auth, "PUT", f"{CONFIG}/services", {"version": before["version"], "value": new_services}
    )
    assert refused.status_code == 422  # no counter serves LOKET yet
    error = refused.get_json()["error"]
    assert error["code"] == "office_config_invalid"
    assert "services[4].journey[0]: no counter serves LOKET for visa" in error["messages"]["en"]
    assert (
        "services[4].journey[0]: tidak ada loket yang melayani LOKET untuk visa"
        in (error["messages"]["id"])
    )
    assert error["problems"] == ["services[4].journey[0]: no counter serves LOKET for visa"]
    assert stored(services)[0] == before["version"]  # nothing changed

    counters = [
        *before["settings"]["counters"],
        {"id": "loket-1", "name": "Loket 1", "stations": ["LOKET"], "services": ["visa"]},
    ]
    patched = send(
        auth,
        "PATCH",
        CONFIG,
        {"patch": {"services": new_services, "counters": counters}},
        **{"If-Match": f'"{before["version"]}"'},
    )
    assert patched.status_code == 200, patched.get_json()
    answer = patched.get_json()
    assert answer["version"] == before["version"] + 1
    assert patched.headers["ETag"] == f'"{answer["version"]}"'
    assert set(answer["changed"]) == {"services[visa]", "counters[loket-1]"}
    version, settings = stored(services)
    assert version == answer["version"] and settings["services"][-1]["id"] == "visa"
    # every process sees it at its next transaction: the service issues tickets now
    issued = auth.post(f"{BASE}/tickets", {"service": "visa"})
    assert issued.status_code == 200, issued.get_json()
    assert issued.get_json()["label"].startswith("E-")
    with services.database.reader() as session:
        codes = set(session.scalars(select(CounterRow.code).where(CounterRow.active)))
    assert "loket-1" in codes
    (row,) = audit_rows(services, "office_config")
    assert (row.actor, row.office_id, row.target) == ("admin", OFFICE, "patch")
    assert row.details["from_version"] == before["version"]
    assert row.details["to_version"] == answer["version"]
    assert set(row.details["changed"]) == {"services[visa]", "counters[loket-1]"}


def test_one_service_or_counter_at_a_time(auth: AuthActions, services: Services) -> None:
    auth.login("admin")
    version = current(auth)["version"]
    walkin = copy.deepcopy(office_settings()["services"][1])
    walkin["daily_quota"] = 25
    walkin["journey"][1]["minutes"] = 12
    put = send(auth, "PUT", f"{CONFIG}/services/walkin", {"version": version, "value": walkin})
    assert put.status_code == 200, put.get_json()
    assert set(put.get_json()["changed"]) == {
        "services[walkin].journey",
        "services[walkin].daily_quota",
    }
    assert stored(services)[1]["services"][1] == walkin  # kept in its place
    counter = {"name": "CS 4", "stations": ["CS"], "services": ["walkin"]}
    added = send(auth, "PUT", f"{CONFIG}/counters/cs-4", {"version": version + 1, "value": counter})
    assert added.status_code == 200, added.get_json()
    assert stored(services)[1]["counters"][-1] == {"id": "cs-4", **counter}
    other_id = send(
        auth, "PUT", f"{CONFIG}/counters/cs-5", {"version": version + 2, "value": {"id": "cs-6"}}
    )
    assert (
        other_id.status_code == 422
        and "counters[cs-5].id" in other_id.get_json()["error"]["messages"]["id"]
    )
    # the only BAP counter is still needed by the lost-passport service: refused
    needed = send(auth, "DELETE", f"{CONFIG}/counters/bap-1", {"version": version + 2})
    assert needed.status_code == 422
    assert "no counter serves BAP for lost" in needed.get_json()["error"]["messages"]["en"]
    removed = send(
        auth, "DELETE", f"{CONFIG}/counters/cs-4", None, **{"If-Match": f'"{version + 2}"'}
    )
    assert removed.status_code == 200 and removed.get_json()["changed"] == ["counters[cs-4]"]
    missing = send(auth, "DELETE", f"{CONFIG}/counters/cs-4", {"version": version + 3})
    assert missing.status_code == 404 and "cs-4" in missing.get_json()["error"]["messages"]["id"]
    assert send(auth, "PUT", f"{CONFIG}/calendar/x", {"version": 1, "value": {}}).status_code == 404


@pytest.mark.parametrize(
    ("section", "item", "field", "value"),
    [
        ("services", "walkin", "name_id", "Paspor\x1b[2J"),  # ESC: a printer/terminal command
        ("services", "walkin", "name_en", "Pass\u202eport"),  # reads right to left
        ("services", "walkin", "description_en", "a\x00b"),
        ("counters", "cs-1", "name", "CS\n1"),
    ],
)
def test_control_characters_in_a_name_are_refused(
    auth: AuthActions, services: Services, section: str, item: str, field: str, value: str
) -> None:
    auth.login("admin")
    version, settings = stored(services)
    current_item = next(entry for entry in settings[section] if entry["id"] == item)
    changed = {**current_item, field: value}
    refused = send(
        auth, "PUT", f"{CONFIG}/{section}/{item}", {"version": version, "value": changed}
    )
    assert refused.status_code == 422, refused.get_json()
    messages = refused.get_json()["error"]["messages"]
    assert "control character U+" in messages["en"] and "karakter kendali U+" in messages["id"]
    assert stored(services) == (version, settings)


def test_calendar_hours_holidays_and_sessions(auth: AuthActions, services: Services) -> None:
    auth.login("admin")
    before = current(auth)
    calendar = copy.deepcopy(before["settings"]["calendar"])
    calendar["hours"]["sat"] = ["08:00", "12:00"]
    calendar["cuti_bersama"] = ["2026-12-24", "2026-12-26"]
    calendar["sessions"].append(
        {
            "code": "malam",
            "name_id": "Layanan malam",
            "name_en": "Evening service",
            "weekdays": ["tue", "thu"],
            "opens": "16:00",
            "closes": "20:00",
            "services": ["walkin"],
            "quota": 30,
        }
    )
    changed = send(
        auth, "PUT", f"{CONFIG}/calendar", {"version": before["version"], "value": calendar}
    )
    assert changed.status_code == 200, changed.get_json()
    assert set(changed.get_json()["changed"]) == {
        "calendar.hours.sat",
        "calendar.cuti_bersama",
        "calendar.sessions[malam]",
    }
    assert stored(services)[1]["calendar"] == calendar

    bad = copy.deepcopy(calendar)
    bad["hours"]["mon"] = ["16:00", "08:00"]
    bad["sessions"][0]["opens"] = "8 pagi"
    version = changed.get_json()["version"]
    refused = send(auth, "PUT", f"{CONFIG}/calendar", {"version": version, "value": bad})
    assert refused.status_code == 422
    messages = refused.get_json()["error"]["messages"]
    assert (
        "calendar.sessions[0].opens" in messages["en"] and "is not a time HH:MM" in messages["en"]
    )
    assert "calendar.sessions[0].opens" in messages["id"] and "bukan jam HH:MM" in messages["id"]
    assert stored(services)[1]["calendar"] == calendar


def test_the_closed_days_of_a_year_are_named(auth: AuthActions) -> None:
    auth.login("admin")
    before = current(auth)
    calendar = copy.deepcopy(before["settings"]["calendar"])
    calendar["cuti_bersama"] = [
        {"date": "2026-08-21", "name": "Rapat kerja tahunan", "kind": "closure"},
        "2026-12-24",
    ]
    calendar["extra_open_days"] = ["2026-08-17"]  # open on Independence Day, by decree
    saved = send(
        auth, "PUT", f"{CONFIG}/calendar", {"version": before["version"], "value": calendar}
    )
    assert saved.status_code == 200, saved.get_json()
    answer = auth.get(f"{BASE}/closed-days?year=2026")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["year"] == 2026
    days = {day["date"]: (day["name"], day["source"]) for day in body["days"]}
    assert days["2026-08-21"] == ("Rapat kerja tahunan", "office")
    assert days["2026-12-24"] == ("Cuti bersama", "office")  # the admin's entry wins
    assert days["2026-12-25"] == ("Hari Raya Natal", "national")
    assert days["2026-03-21"] == ("Hari Raya Idul Fitri", "national")
    assert "2026-08-17" not in days
    assert [day["date"] for day in body["days"]] == sorted(days)
    assert auth.get(f"{BASE}/closed-days").get_json()["year"] == 2026  # this year at the office
    for bad in ("26", "1999", "dua"):
        refused = auth.get(f"{BASE}/closed-days?year={bad}")
        assert refused.status_code == 422
        assert "Tahun harus dari 2000 sampai 2100" in refused.get_json()["error"]["messages"]["id"]


def test_a_stale_version_is_refused_and_changes_nothing(
    auth: AuthActions, services: Services
) -> None:
    auth.login("admin")
    first = current(auth)
    branding = {"display_name": "Kanim Uji", "footer_id": "Terima kasih", "footer_en": "Thank you"}
    assert (
        send(
            auth, "PUT", f"{CONFIG}/branding", {"version": first["version"], "value": branding}
        ).status_code
        == 200
    )
    # a second admin still edits the version they loaded before
    late = send(
        auth,
        "PUT",
        f"{CONFIG}/booking",
        {"version": first["version"], "value": {"early_minutes": 10}},
    )
    assert late.status_code == 409
    error = late.get_json()["error"]
    assert error["code"] == "config_version_stale"
    assert f"now version {first['version'] + 1}" in error["messages"]["en"]
    assert f"sekarang versi {first['version'] + 1}" in error["messages"]["id"]
    assert stored(services)[1]["booking"] == office_settings()["booking"]
    missing = send(auth, "PUT", f"{CONFIG}/booking", {"value": {"early_minutes": 10}})
    assert (missing.status_code, missing.get_json()["error"]["code"]) == (
        428,
        "config_version_required",
    )
    assert len(audit_rows(services, "office_config")) == 1


@pytest.mark.parametrize("version", [True, "1", 1.0, "01"])
def test_a_version_of_another_type_is_refused(
    auth: AuthActions, services: Services, version: Any
) -> None:
    auth.login("admin")
    before = stored(services)
    assert before[0] == 1  # so a true or "1" taken as 1 would apply
    body = {"version": version, "value": {"early_minutes": 45, "late_minutes": 30}}
    refused = send(auth, "PUT", f"{CONFIG}/booking", body)
    assert refused.status_code == 422, refused.get_json()
    assert refused.get_json()["error"]["code"] == "invalid_field"
    assert "version" in refused.get_json()["error"]["messages"]["id"]
    assert stored(services) == before


def test_the_office_id_cannot_change(auth: AuthActions, services: Services) -> None:
    auth.login("admin")
    before = current(auth)
    office = before["settings"]["office"] | {"id": "kanim-lain"}
    refused = send(auth, "PUT", f"{CONFIG}/office", {"version": before["version"], "value": office})
    assert refused.status_code == 422
    assert "office.id" in refused.get_json()["error"]["messages"]["id"]
    assert stored(services)[0] == before["version"]


def test_an_unchanged_section_is_no_new_version(auth: AuthActions, services: Services) -> None:
    auth.login("admin")
    before = current(auth)
    same = send(
        auth,
        "PUT",
        f"{CONFIG}/counters",
        {"version": before["version"], "value": before["settings"]["counters"]},
    )
    assert same.status_code == 200 and same.get_json()["version"] == before["version"]
    assert same.get_json()["changed"] == []
    assert audit_rows(services, "office_config") == []


# --- content ------------------------------------------------------------------------------


def test_content_is_versioned_with_its_history(auth: AuthActions, services: Services) -> None:
    auth.login("admin")
    version = current(auth)["version"]
    first = {
        "services": {
            "walkin": {
                "requirements_id": ["KTP asli", "Kartu Keluarga"],
                "requirements_en": ["Original ID card", "Family card"],
                "info_id": "Datang sebelum jam 14.00.",
                "info_en": "Come before 2 pm.",
            }
        }
    }
    put = send(auth, "PUT", f"{CONFIG}/content", {"version": version, "value": first})
    assert put.status_code == 200, put.get_json()
    assert put.get_json()["settings"]["content"]["version"] == 1
    second = copy.deepcopy(first)
    second["services"]["walkin"]["requirements_id"].append("Akta kelahiran")
    second["services"]["walkin"]["requirements_en"].append("Birth certificate")
    second["version"] = 99  # the server counts the versions, not the client
    put2 = send(auth, "PUT", f"{CONFIG}/content", {"version": version + 1, "value": second})
    assert put2.status_code == 200, put2.get_json()
    assert put2.get_json()["settings"]["content"]["version"] == 2
    history = auth.get(f"{BASE}/content/history").get_json()
    assert history["version"] == 2
    assert history["content"]["services"]["walkin"]["requirements_en"][-1] == "Birth certificate"
    assert [item["version"] for item in history["previous"]] == [1]
    assert history["previous"][0]["content"]["services"]["walkin"]["requirements_id"] == [
        "KTP asli",
        "Kartu Keluarga",
    ]
    assert history["previous"][0]["actor"] == "admin"
    unknown = send(
        auth,
        "PUT",
        f"{CONFIG}/content",
        {"version": version + 2, "value": {"services": {"nope": {}}}},
    )
    assert unknown.status_code == 422
    assert (
        "content.services.nope: layanan tidak dikenal"
        in unknown.get_json()["error"]["messages"]["id"]
    )
    # the definition carries it for the kiosk configuration
    with services.database.reader() as session:
        snapshot = services.catalog.get(session, OFFICE)
    assert snapshot.definition.content_version == 2
    assert snapshot.definition.service_content["walkin"].requirements_en[-1] == "Birth certificate"
    kiosk = services.device_config.config(OFFICE, "kiosk")
    shown = {service.id: service.description for service in kiosk.services}
    assert shown["walkin"] is not None
    assert (shown["walkin"].id, shown["walkin"].en) == (
        "Datang sebelum jam 14.00.",
        "Come before 2 pm.",
    )


# --- the office as a file -----------------------------------------------------------------


def load_demo(services: Services) -> dict[str, Any]:
    """The demo office stored as `antre office load` stores it."""
    data, _definition = load_office_file(DEMO_FILE)
    with services.database.writer() as session, session.begin():
        store_office(session, dict(data), now=MONDAY_10_WITA)
    return dict(data)


def test_export_import_export_is_equal(auth: AuthActions, services: Services) -> None:
    loaded = load_demo(services)
    auth.login("admin")
    exported = auth.get(f"/api/v1/offices/{DEMO}/office-file")
    assert exported.status_code == 200
    assert exported.mimetype == "application/yaml"
    assert f'filename="{DEMO}.yaml"' in exported.headers["Content-Disposition"]
    version = int(exported.headers["ETag"].strip('"'))
    text = exported.get_data()
    imported = upload(
        auth,
        f"/api/v1/offices/{DEMO}/office-file",
        text,
        "application/yaml",
        **{"If-Match": str(version)},
    )
    assert imported.status_code == 200, imported.get_json()
    assert imported.get_json()["changed"] == []
    again = auth.get(f"/api/v1/offices/{DEMO}/office-file").get_data()
    assert again == text
    assert stored(services, DEMO)[1] == loaded
    assert yaml.safe_load(text) == loaded


def test_importing_a_changed_file_equals_office_load(
    auth: AuthActions, services: Services, tmp_path: Path
) -> None:
    auth.login("admin")
    text = auth.get(FILE).get_data(as_text=True)
    version = int(auth.get(FILE).headers["ETag"].strip('"'))
    changed = text.replace("name: Kantor Imigrasi Uji", "name: Kantor Imigrasi Uji Baru")
    assert changed != text
    imported = upload(auth, f"{FILE}?version={version}", changed.encode(), "application/yaml")
    assert imported.status_code == 200, imported.get_json()
    assert imported.get_json()["changed"] == ["office.name"]
    path = tmp_path / "office.yaml"
    path.write_text(changed, encoding="utf-8")
    data, _definition = load_office_file(path)
    assert stored(services)[1] == data
    assert audit_rows(services, "office_config")[-1].target == "import"


@pytest.mark.parametrize(
    ("text", "english", "indonesian"),
    [
        (b"office: [unclosed", "(file): not valid YAML", "(file): bukan YAML yang sah"),
        (b"a: &x [1]\nb: *x\n", "(file): aliases (*name) are not allowed (line 2)", "(baris 2)"),
        # past Python's 4300 digits for int(): once a ValueError and a 500
        (b"a: " + b"1" * 5000, "(file): a number longer than 40 digits (line 1)", "(baris 1)"),
        (  # a tab, the usual slip when editing by hand: where it is, in words of the page
            b"office:\n\tid: x\n",
            "(file): not valid YAML at line 2, column 1: a tab character; indent with spaces",
            "(file): bukan YAML yang sah pada baris 2, kolom 1: ada karakter tab; gunakan spasi",
        ),
        (  # a colon inside a value: PyYAML's words replaced by ours, in both languages
            b"office:\n  name: Kanim: Banjarmasin\n",
            "(file): not valid YAML at line 2, column 14: a colon (:) where none may be",
            "(file): bukan YAML yang sah pada baris 2, kolom 14: ada titik dua (:)",
        ),
        (b"a: 1\na: 2\n", "(file): duplicate key 'a' (line 2)", "(file): kunci 'a' ditulis dua"),
        (b"\xff\xfe", "(file): not UTF-8 text: the byte at position 0", "(file): bukan teks UTF-8"),
        (b"- just\n- a list\n", "(file): must be a mapping", "(file): harus pemetaan"),
        # nested far deeper than any office file: once a RecursionError and a 500
        (b"a: " + b"[" * 10_000 + b"]" * 10_000, "(file): nested deeper than", "(file): bersarang"),
        (b"".join(b" " * i + b"k:\n" for i in range(400)), "(file): nested deeper", "(file): bers"),
    ],
)
def test_a_bad_file_is_refused_in_both_languages(
    auth: AuthActions, services: Services, text: bytes, english: str, indonesian: str
) -> None:
    auth.login("admin")
    version, settings = stored(services)
    refused = upload(auth, FILE, text, "application/yaml", **{"If-Match": str(version)})
    assert refused.status_code == 422
    messages = refused.get_json()["error"]["messages"]
    assert english in messages["en"] and indonesian in messages["id"]
    assert stored(services) == (version, settings)


def test_a_file_of_another_office_is_refused(auth: AuthActions, services: Services) -> None:
    auth.login("admin")
    version, settings = stored(services)
    refused = upload(
        auth, FILE, DEMO_FILE.read_bytes(), "application/yaml", **{"If-Match": str(version)}
    )
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (
        422,
        "office_file_other_office",
    )
    assert DEMO in refused.get_json()["error"]["messages"]["id"]
    assert stored(services) == (version, settings)


def test_a_too_large_file_is_refused(auth: AuthActions, services: Services) -> None:
    auth.login("admin")
    version, settings = stored(services)
    refused = upload(auth, FILE, b"#" * 1_100_000, "application/yaml", **{"If-Match": str(version)})
    assert refused.status_code == 413
    assert stored(services) == (version, settings)


# --- the display attached to a counter ---------------------------------------------------


def test_a_counter_display_is_attached_to_a_counter(auth: AuthActions, services: Services) -> None:
    fixture = Actor(name="fixture")
    services.devices.add(OFFICE, "tv-cs", "counter-display", "hash", actor=fixture, counter="cs-1")
    services.devices.add(OFFICE, "kiosk-1", "kiosk", "hash", actor=fixture)
    auth.login("admin")
    listed = auth.get(f"{BASE}/counter-displays").get_json()["items"]
    assert listed == [{"device": "tv-cs", "counter": "cs-1", "active": True}]
    moved = send(auth, "PUT", f"{BASE}/counter-displays/tv-cs", {"counter": "cs-2"})
    assert moved.get_json() == {"device": "tv-cs", "counter": "cs-2", "active": True}
    assert services.devices.account("tv-cs").counter == "cs-2"  # type: ignore[union-attr]
    unknown = send(auth, "PUT", f"{BASE}/counter-displays/tv-cs", {"counter": "cs-9"})
    assert unknown.status_code == 404 and "cs-9" in unknown.get_json()["error"]["messages"]["id"]
    kiosk = send(auth, "PUT", f"{BASE}/counter-displays/kiosk-1", {"counter": "cs-1"})
    assert kiosk.status_code == 404
    (row,) = audit_rows(services, "device.counter")
    assert (row.target, row.details) == ("tv-cs", {"before": "cs-1", "after": "cs-2"})
    assert services.devices.account("tv-cs").counter == "cs-2"  # type: ignore[union-attr]


# --- who may ------------------------------------------------------------------------------


ROUTES = [
    ("GET", CONFIG),
    ("PATCH", CONFIG),
    ("GET", f"{CONFIG}/services"),
    ("PUT", f"{CONFIG}/services"),
    ("GET", f"{BASE}/content/history"),
    ("GET", FILE),
    ("POST", FILE),
    ("POST", f"{BASE}/bookings/import"),
    ("PUT", f"{CONFIG}/services/walkin"),
    ("DELETE", f"{CONFIG}/counters/cs-1"),
    ("GET", f"{BASE}/counter-displays"),
    ("PUT", f"{BASE}/counter-displays/tv-cs"),
]


@pytest.mark.parametrize("role", ["petugas", "laporan"])
@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_only_admins_may_configure(
    auth: AuthActions, services: Services, role: str, method: str, path: str
) -> None:
    version, settings = stored(services)
    auth.login(role)
    response = send(auth, method, path, {"version": version, "value": []})
    assert response.status_code == 403, response.get_json()
    assert stored(services) == (version, settings)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_an_admin_of_another_office_may_not(
    auth: AuthActions, services: Services, method: str, path: str
) -> None:
    load_demo(services)
    services.accounts.create_user(
        "admin.bjm",
        "Admin BJM",
        OTHER_ADMIN_PASSWORD,
        Role.ADMIN,
        actor=Actor(name="fixture"),
        offices=[DEMO],
    )
    version, settings = stored(services)
    auth.login("admin.bjm", OTHER_ADMIN_PASSWORD)
    response = send(auth, method, path, {"version": version, "value": []})
    assert (response.status_code, response.get_json()["error"]["code"]) == (403, "office_forbidden")
    assert stored(services) == (version, settings)
    assert auth.get(f"/api/v1/offices/{DEMO}/config").status_code == 200


def test_signed_out_is_refused(auth: AuthActions) -> None:
    assert auth.get(CONFIG).status_code == 401
