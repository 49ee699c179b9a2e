"""M-Paspor booking lists uploaded as CSV: checked row by row, good rows kept, idempotent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from queue_server.persistence.models import AuditLogRow, BookingRow
from queue_server.services.booking_csv import MAX_CSV_BYTES
from queue_server.services.container import Services
from tests.web.conftest import BASE, AuthActions, count_rows

IMPORT = f"{BASE}/bookings/import"
# The fixture's clock: Monday 23 November 2026, 10:00 WITA; hours mon-fri 08:00-16:00.
GOOD_AND_BAD = """code,service,date,slot
MP-0001,mpaspor,2026-11-23,10:30
mp 0002,mpaspor,24/11/2026,08:00
MP-0003,visa,2026-11-23,10:30
MP-0004,mpaspor,2026-11-31,10:30
MP-0005,mpaspor,2026-11-23,7 pagi
=HYPERLINK("x"),mpaspor,2026-11-23,10:30
MP-0001,mpaspor,2026-11-25,09:00
MP-0008,walkin,2026-11-23,10:30
MP-0009,mpaspor,2026-11-20,10:30
MP-0010,mpaspor,2026-11-28,10:30
MP-0011,mpaspor,2026-11-23,17:00

-X12,mpaspor,2026-11-23,10:30
"""


def upload(auth: AuthActions, data: bytes) -> Any:
    client = auth._client
    return client.post(
        IMPORT, data=data, content_type="text/csv", headers={"X-CSRF-Token": auth.csrf}
    )


def reasons(report: dict[str, Any]) -> dict[int, dict[str, str]]:
    return {item["line"]: item["reasons"] for item in report["rejected"]}


def test_good_rows_are_kept_and_bad_rows_reported_by_line(
    auth: AuthActions, services: Services
) -> None:
    auth.login("admin")
    response = upload(auth, GOOD_AND_BAD.encode())
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert (report["rows"], report["added"], report["updated"], report["unchanged"]) == (
        12,
        2,
        0,
        0,
    )
    found = reasons(report)
    assert set(found) == {4, 5, 6, 7, 8, 9, 10, 11, 12, 14}
    assert found[4] == {
        "id": "layanan tidak dikenal di kantor ini",
        "en": "unknown service at this office",
    }
    assert found[5]["en"] == "invalid date (YYYY-MM-DD)"
    assert found[6] == {"id": "jam tidak sah (HH:MM)", "en": "invalid time (HH:MM)"}
    assert "malformed" in found[7]["en"] and "tidak sah" in found[7]["id"]
    assert found[8] == {
        "id": "kode booking sama dengan baris 2",
        "en": "the booking code is the same as on line 2",
    }
    assert found[9]["en"] == "this service takes no bookings"
    assert found[10]["en"] == "the date is in the past"
    assert found[11] == {
        "id": "kantor tutup pada tanggal itu",
        "en": "the office is closed on that date",
    }
    assert found[12]["en"] == "the time is outside the service hours"
    assert "malformed" in found[14]["en"]
    assert "HYPERLINK" not in response.get_data(as_text=True)  # never echoed back
    with services.database.reader() as session:
        codes = set(session.scalars(select(BookingRow.code)))
    assert codes == {"MP-0001", "MP0002"}
    again = upload(auth, GOOD_AND_BAD.encode()).get_json()
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert count_rows(services, BookingRow) == 2
    with services.database.reader() as session:
        rows = list(
            session.scalars(select(AuditLogRow).where(AuditLogRow.action == "import_bookings"))
        )
        details = [row.details for row in rows]
    assert details[0] == {"added": 2, "updated": 0, "unchanged": 0, "rejected": 10}


def test_bom_and_semicolons_are_read(auth: AuthActions, services: Services) -> None:
    auth.login("admin")
    text = "\ufeffCode;Service;Date;Slot\nMP-0100;mpaspor;2026-11-24;09:15\n"
    report = upload(auth, text.encode("utf-8")).get_json()
    assert (report["added"], report["rejected"]) == (1, [])
    assert count_rows(services, BookingRow) == 1


def test_a_file_that_cannot_be_read_imports_nothing(auth: AuthActions, services: Services) -> None:
    auth.login("admin")
    header = upload(auth, b"kode,layanan\nMP-0001,mpaspor\n")
    assert header.status_code == 422
    messages = header.get_json()["error"]["messages"]
    assert "code, service, date, slot" in messages["en"] and "baris judul" in messages["id"]
    latin = upload(
        auth, "code,service,date,slot\nMPÄ-1,mpaspor,2026-11-24,09:00\n".encode("latin-1")
    )
    assert latin.status_code == 422 and "UTF-8" in latin.get_json()["error"]["messages"]["id"]
    nul = upload(auth, b"code,service,date,slot\nMP-0001\x00,mpaspor,2026-11-24,09:00\n")
    assert [item["line"] for item in nul.get_json()["rejected"]] == [2]  # a malformed code
    endless = upload(auth, b'code,service,date,slot\n"' + b"A" * 200_000 + b"\n")
    assert endless.status_code == 422
    assert "bukan tabel CSV" in endless.get_json()["error"]["messages"]["id"]
    large = upload(auth, b"code,service,date,slot\n" + b"#" * MAX_CSV_BYTES)
    assert large.status_code == 413
    too_large = large.get_json()["error"]["messages"]  # says the limit, in both languages
    assert "(at most 2 MB)" in too_large["en"] and "(paling besar 2 MB)" in too_large["id"]
    assert count_rows(services, BookingRow) == 0
