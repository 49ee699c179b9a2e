"""The reports endpoint and the daily recap page: roles, office scope, parameters, exports."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any
from xml.etree import ElementTree

import pytest
from flask.testing import FlaskClient

from queue_server.domain.ids import Role, TicketSource
from queue_server.services.container import Services
from queue_server.services.issuing import IssueRequest
from queue_server.services.offices import store_office
from queue_server.services.unit import Actor
from queue_server.web.exports import column_letters, to_csv, to_xlsx
from tests.services.clock import FakeClock
from tests.web.conftest import BASE, OFFICE, PASSWORDS, AuthActions, office_settings

DAY = "2026-11-23"
OTHER_OFFICE = "kanim-lain"
ADMIN = Actor(name="fixture-admin", role=Role.ADMIN)
SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture
def served_day(services: Services, clock: FakeClock) -> None:
    """Two walk-ins: waits of 6 and 9.5 minutes at CS, the first served for 3 minutes."""
    services.officer.open_counter(OFFICE, "cs-1", actor=ADMIN)
    for _ in range(2):
        request = IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK)
        services.issuing.issue(request, actor=ADMIN)
    clock.advance(minutes=6)
    services.officer.call_next(OFFICE, "cs-1", actor=ADMIN)
    services.officer.start(OFFICE, "cs-1", actor=ADMIN)
    clock.advance(minutes=3)
    services.officer.finish(OFFICE, "cs-1", actor=ADMIN, end_visit=True)
    clock.advance(minutes=0.5)
    services.officer.call_next(OFFICE, "cs-1", actor=ADMIN)


def report(auth: AuthActions, kind: str = "waiting", query: str = f"from={DAY}") -> Any:
    return auth.get(f"{BASE}/reports/{kind}?{query}")


@pytest.mark.parametrize("role", ["admin", "laporan"])
def test_supervisors_read_reports(auth: AuthActions, served_day: None, role: str) -> None:
    auth.login(role)
    answer = report(auth)
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["office"], body["kind"], body["from_day"], body["to_day"]) == (
        OFFICE, "waiting", DAY, DAY,
    )  # fmt: skip
    assert body["timezone"] == "Asia/Makassar" and body["group"] == "service"
    [row] = body["rows"]
    assert (row["service"], row["count"], row["mean"], row["max"]) == ("walkin", 2, 7.75, 9.5)
    assert row["min_6_9"] == 1 and row["min_9_12"] == 1
    assert body["columns"][0] == "service" and set(body["columns"]) == set(row)


def test_biometrics_question_in_one_request(auth: AuthActions, served_day: None) -> None:
    auth.login("laporan")
    body = report(auth, "compliance", f"from={DAY}&to={DAY}&station=CS").get_json()
    [row] = body["rows"]
    assert (row["station"], row["standard_minutes"], row["served"]) == ("CS", 4, 1)
    assert row["service_compliance"] == 1.0 and row["wait_mean"] == 7.75


@pytest.mark.parametrize(
    ("who", "status"), [("petugas", 403), (None, 401)], ids=["petugas", "anonymous"]
)
def test_others_may_not(auth: AuthActions, who: str | None, status: int) -> None:
    if who:
        auth.login(who)
    assert report(auth).status_code == status


def test_a_kiosk_token_may_not(client: FlaskClient, kiosk: dict[str, str]) -> None:
    assert client.get(f"{BASE}/reports/waiting?from={DAY}", headers=kiosk).status_code == 403


def test_office_scope(services: Services, clock: FakeClock, auth: AuthActions) -> None:
    settings = office_settings()
    settings["office"] = settings["office"] | {"id": OTHER_OFFICE}
    with services.database.writer() as session, session.begin():
        store_office(session, settings, now=clock())
    services.accounts.create_user(
        "laporan-uji", "Laporan Uji", PASSWORDS["laporan"], Role.LAPORAN,
        actor=ADMIN, offices=[OFFICE],
    )  # fmt: skip
    auth.login("laporan-uji", PASSWORDS["laporan"])
    assert report(auth).status_code == 200
    other = auth.get(f"/api/v1/offices/{OTHER_OFFICE}/reports/waiting?from={DAY}")
    assert other.status_code == 403 and other.get_json()["error"]["code"] == "office_forbidden"
    recap = auth.get(f"/admin/recap/{OTHER_OFFICE}/{DAY}")
    assert recap.status_code == 403
    auth.login("admin")  # every office
    assert auth.get(f"/api/v1/offices/{OTHER_OFFICE}/reports/waiting?from={DAY}").status_code == 200
    assert auth.get(f"/api/v1/offices/nowhere/reports/waiting?from={DAY}").status_code == 404


@pytest.mark.parametrize(
    ("kind", "query", "code"),
    [
        ("waiting", "", "missing_report_date"),
        ("waiting", "from=23-11-2026", "bad_report_date"),
        ("waiting", "from=2026-02-30", "bad_report_date"),
        ("waiting", "from=2026-11-23&to=2026-11-22", "report_range_reversed"),
        ("waiting", "from=2025-11-22&to=2026-11-23", "report_range_too_long"),
        ("waiting", f"from={DAY}&group=weather", "bad_report_group"),
        ("compliance", f"from={DAY}&group=service", "bad_report_group"),
        ("everything", f"from={DAY}", "unknown_report_kind"),
        ("waiting", f"from={DAY}&station=bio", "unknown_station"),
        ("waiting", f"from={DAY}&format=pdf", "bad_report_format"),
        ("waiting", f"from={DAY}&service={'x' * 41}", "bad_service_filter"),
        ("waiting", f"from={DAY}&service=../x", "bad_service_filter"),
        ("waiting", f"from={DAY}&service=Paspor%20Baru", "bad_service_filter"),
    ],
)
def test_bad_parameters_get_a_clear_answer(
    auth: AuthActions, kind: str, query: str, code: str
) -> None:
    auth.login("laporan")
    answer = report(auth, kind, query)
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == code
    assert error["messages"]["id"] and error["messages"]["en"]
    assert error["messages"]["id"] != error["messages"]["en"]  # translated


def test_csv_export(auth: AuthActions, served_day: None) -> None:
    auth.login("laporan")
    json_body = report(auth, "service_time", f"from={DAY}&group=counter").get_json()
    answer = report(auth, "service_time", f"from={DAY}&group=counter&format=csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    disposition = answer.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="antre-{OFFICE}-service_time-{DAY}-{DAY}.csv"'
    lines = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert lines[0] == json_body["columns"]
    [row] = json_body["rows"]
    expected = ["" if row[name] is None else str(row[name]) for name in json_body["columns"]]
    assert lines[1:] == [expected]
    assert row["counter"] == "cs-1" and row["mean"] == 3.0


def test_xlsx_export_opens_and_holds_the_table(auth: AuthActions, served_day: None) -> None:
    auth.login("laporan")
    json_body = report(auth, "volumes", f"from={DAY}").get_json()
    answer = report(auth, "volumes", f"from={DAY}&format=xlsx")
    assert answer.status_code == 200
    assert answer.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    values = sheet_values(answer.get_data())
    assert values[0] == json_body["columns"]
    [row] = json_body["rows"]
    width = len(json_body["columns"])
    assert values[1] + [None] * (width - len(values[1])) == [
        row[name] for name in json_body["columns"]
    ]
    assert row["issued"] == 2 and row["finished"] == 1 and row["quota_used"] == 2


def sheet_values(workbook: bytes) -> list[list[Any]]:
    """The first sheet's cells, read back with the standard library only."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as package:
        assert package.testzip() is None
        names = set(package.namelist())
        assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"} <= names
        for name in names:
            ElementTree.fromstring(package.read(name))  # every part is well-formed XML
        sheet = ElementTree.fromstring(package.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{SHEET}row"):
        cells: list[Any] = []
        for cell in row.iter(f"{SHEET}c"):
            index = letters_index(cell.attrib["r"].rstrip("0123456789"))
            cells.extend([None] * (index - len(cells)))
            if cell.attrib.get("t") == "inlineStr":
                cells.append(cell.find(f"{SHEET}is/{SHEET}t").text)  # type: ignore[union-attr]
            else:
                text = cell.find(f"{SHEET}v").text or ""  # type: ignore[union-attr]
                cells.append(float(text) if "." in text else int(text))
        rows.append(cells)
    return rows


def letters_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def test_xlsx_writer_escapes_text_and_names_columns() -> None:
    columns = [f"c{number}" for number in range(28)]
    row: dict[str, Any] = {name: number for number, name in enumerate(columns)}
    row |= {"c0": "<A & B>", "c1": "bell\x07 here", "c2": None, "c3": 2.5}
    values = sheet_values(to_xlsx("a/b:c*?[sheet]", columns, [row]))
    assert values[0] == columns
    assert values[1][:4] == ["<A & B>", "bell here", None, 2.5] and values[1][27] == 27
    assert [column_letters(index) for index in (0, 25, 26, 27, 701, 702)] == [
        "A", "Z", "AA", "AB", "ZZ", "AAA",
    ]  # fmt: skip
    assert to_xlsx("s", ["a"], [{"a": 1}]) == to_xlsx("s", ["a"], [{"a": 1}])  # reproducible


def test_csv_never_exports_a_formula() -> None:
    text = to_csv(["name", "value"], [{"name": "=HYPERLINK(1)", "value": -3}, {"name": "@x"}])
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "value"], ["'=HYPERLINK(1)", "-3"], ["'@x", ""],
    ]  # fmt: skip


# -- the printable daily recap --------------------------------------------------------


def test_recap_page(auth: AuthActions, served_day: None) -> None:
    auth.login("laporan")
    page = auth.get(f"/admin/recap/{OFFICE}/{DAY}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    assert "Rekapitulasi harian" in html and "23-11-2026" in html
    assert "Paspor tanpa janji" in html and "cs-1" in html
    assert "<script>" not in html  # only the external print-button script
    english = auth.get(f"/admin/recap/{OFFICE}/{DAY}?lang=en").get_data(as_text=True)
    assert "Daily recap" in english and "Passport walk-in" in english


def test_recap_lists_the_saturday_session_quota(
    auth: AuthActions, services: Services, clock: FakeClock
) -> None:
    clock.advance(days=5)  # Saturday 28 November, 10:00 WITA: the pickup session
    request = IssueRequest(office=OFFICE, service="pickup", source=TicketSource.KIOSK)
    services.issuing.issue(request, actor=ADMIN)
    auth.login("laporan")
    rows = report(auth, "volumes", "from=2026-11-28").get_json()["rows"]
    assert [(row["session"], row["quota_used"], row["quota"]) for row in rows] == [
        (None, 0, 3),  # the pickup service's daily quota: not used in the session
        ("sabtu-ambil", 1, 2),
    ]
    html = auth.get(f"/admin/recap/{OFFICE}/2026-11-28?lang=en").get_data(as_text=True)
    assert "Special sessions: sabtu-ambil</td><td>–</td>" in html


def test_recap_of_an_empty_day_and_bad_requests(auth: AuthActions) -> None:
    assert auth.get(f"/admin/recap/{OFFICE}/{DAY}").status_code == 401
    auth.login("petugas")
    assert auth.get(f"/admin/recap/{OFFICE}/{DAY}").status_code == 403
    auth.login("admin")
    html = auth.get(f"/admin/recap/{OFFICE}/2026-11-22?lang=en").get_data(as_text=True)
    assert "Nothing was recorded on this day." in html
    bad = auth.get(f"/admin/recap/{OFFICE}/22-11-2026")
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "bad_report_date"
