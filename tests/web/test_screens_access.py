"""Who may open the screens and answer a counter's rating question: signed-in staff of the
office, or a browser paired as a display (a counter display only for its own counter)."""

from __future__ import annotations

import json

from flask.testing import FlaskClient

from queue_server.domain.ids import TicketSource
from queue_server.mqtt.broker import hash_password
from queue_server.persistence.models import RatingRow
from queue_server.services.container import Services
from queue_server.services.issuing import IssueRequest
from queue_server.services.offices import store_office
from queue_server.services.unit import Actor
from tests.services.clock import FakeClock
from tests.web.conftest import BASE, OFFICE, AuthActions, count_rows, office_settings
from tests.web.test_counter_rating import finish_at_bio

BOARD = f"/screens/board/{OFFICE}"
SYSTEM = Actor(name="test")


def pair(
    client: FlaskClient, services: Services, device: str, kind: str, counter: str | None = None
) -> None:
    password = f"{device}-password"
    services.devices.add(
        OFFICE, device, kind, hash_password(password), actor=SYSTEM, counter=counter
    )
    answer = client.post("/api/v1/devices/pair", json={"device": device, "password": password})
    assert answer.status_code == 200, answer.get_json()


def test_an_unpaired_browser_is_sent_to_the_pairing_page(client: FlaskClient) -> None:
    for path in (BOARD, f"/screens/counter/{OFFICE}/cs-1"):
        answer = client.get(path)
        assert answer.status_code == 302
        assert answer.headers["Location"] == f"/screens/pair?next={path}"
    page = client.get("/screens/pair?next=/screens/board/kanim-test")
    assert page.status_code == 200
    assert "Pasangkan layar ini · Pair this screen" in page.get_data(as_text=True)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_signed_in_staff_of_the_office_may_open_the_screens(
    client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("laporan")
    board = client.get(BOARD)
    assert board.status_code == 200
    html = board.get_data(as_text=True)
    assert "Kantor Imigrasi Uji" in html and "Nomor dipanggil · Now calling" in html
    assert "<script>" not in html  # no inline script: the CSP allows only files
    assert board.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert client.get(f"/screens/counter/{OFFICE}/bio-1").status_code == 200
    assert client.get(f"/screens/counter/{OFFICE}/nope").status_code == 404
    assert client.get("/screens/board/kanim-lain").status_code == 403  # not one of theirs


def test_a_paired_display_opens_its_office_board(client: FlaskClient, services: Services) -> None:
    pair(client, services, "lobby-1", "display")
    assert client.get(BOARD).status_code == 200
    assert client.get("/screens/pair").headers["Location"] == BOARD  # already paired


def test_a_counter_display_shows_only_its_counter(client: FlaskClient, services: Services) -> None:
    pair(client, services, "screen-bio-1", "counter-display", counter="bio-1")
    assert client.get(f"/screens/counter/{OFFICE}/bio-1").status_code == 200
    other = client.get(f"/screens/counter/{OFFICE}/cs-1")
    assert other.status_code == 403
    assert "Layar ini dipasangkan dengan kantor atau loket lain." in other.get_data(as_text=True)


def test_the_paired_counter_display_answers_its_question_once(
    client: FlaskClient, auth: AuthActions, services: Services
) -> None:
    auth.login("petugas")
    label = finish_at_bio(auth)
    auth.logout()
    pair(client, services, "screen-cs-1", "counter-display", counter="cs-1")
    wrong = client.post(f"{BASE}/counters/bio-1/rating", json={"ticket": label, "score": 4})
    assert wrong.status_code == 403
    assert wrong.get_json()["error"]["code"] == "screen_not_for_counter"
    pair(client, services, "screen-bio-1", "counter-display", counter="bio-1")
    right = client.post(f"{BASE}/counters/bio-1/rating", json={"ticket": label, "score": 2})
    assert right.status_code == 200, right.get_json()
    with services.database.reader() as session:
        row = session.query(RatingRow).one()
    assert (row.score, row.device) == (2, "screen-bio-1")
    again = client.post(f"{BASE}/counters/bio-1/rating", json={"ticket": label, "score": 4})
    assert again.get_json()["error"]["code"] == "already_rated"
    assert count_rows(services, RatingRow) == 1


def test_a_lobby_display_cannot_answer(
    client: FlaskClient, auth: AuthActions, services: Services
) -> None:
    auth.login("petugas")
    label = finish_at_bio(auth)
    auth.logout()
    pair(client, services, "lobby-1", "display")
    refused = client.post(f"{BASE}/counters/bio-1/rating", json={"ticket": label, "score": 4})
    assert refused.status_code == 403
    assert count_rows(services, RatingRow) == 0


def test_the_ticker_shows_the_office_text_or_a_welcome_line(
    client: FlaskClient, auth: AuthActions, services: Services, clock: FakeClock
) -> None:
    auth.login("petugas")
    welcome = client.get(BOARD).get_data(as_text=True)
    assert "Selamat datang di Kantor Imigrasi Uji." in welcome
    assert "Welcome to Kantor Imigrasi Uji." in welcome
    settings = office_settings() | {
        "branding": {
            "ticker_id": "Loket tutup pukul 16.00.",
            "ticker_en": "Counters close at 16:00.",
        }
    }
    with services.database.writer() as session, session.begin():
        store_office(session, settings, now=clock())
    page = client.get(BOARD).get_data(as_text=True)
    assert "Loket tutup pukul 16.00." in page and "Counters close at 16:00." in page
    assert "Selamat datang" not in page


def test_only_a_screen_that_may_answer_asks(
    client: FlaskClient, auth: AuthActions, services: Services
) -> None:
    page = f"/screens/counter/{OFFICE}/bio-1"
    auth.login("laporan")
    assert '"can_rate": false' in client.get(page).get_data(as_text=True)
    auth.logout()
    auth.login("petugas")
    assert '"can_rate": true' in client.get(page).get_data(as_text=True)
    auth.logout()
    pair(client, services, "lobby-1", "display")
    assert '"can_rate": false' in client.get(page).get_data(as_text=True)
    pair(client, services, "screen-bio-1", "counter-display", counter="bio-1")
    assert '"can_rate": true' in client.get(page).get_data(as_text=True)


def _script_json(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}">') + len(f'id="{element_id}">')
    return html[start : html.index("</script>", start)]


def test_hostile_office_and_counter_names_cannot_break_out_of_the_page_data(
    client: FlaskClient, auth: AuthActions, services: Services, clock: FakeClock
) -> None:
    # "<!--<script" in a name put the HTML parser into its double-escaped script state:
    # the data element's own </script> no longer ended it and the board's code was
    # swallowed as text (the screen stayed blank). Nothing in the page data may look
    # like markup; the script still reads the names exactly.
    hostile = "<!--<script>x</script><img src=x onerror=alert(1)>&amp;"
    settings = office_settings()
    settings["branding"] = {"display_name": hostile, "ticker_id": hostile, "ticker_en": "x"}
    settings["counters"][0]["name"] = hostile
    counter = settings["counters"][0]["id"]
    with services.database.writer() as session, session.begin():
        store_office(session, settings, now=clock())
    auth.login("petugas")
    for path in (BOARD, f"/screens/counter/{OFFICE}/{counter}"):
        html = client.get(path).get_data(as_text=True)
        data = _script_json(html, "config")
        assert not {"<", ">", "&"} & set(data), data
        config = json.loads(data)
        assert config["office_name"] == hostile
        assert config["counters"][counter] == hostile
        assert hostile not in html  # the visible copies are HTML-escaped
        assert html.count("<script") == html.count("</script>")


def test_the_ticket_page_names_the_office_as_the_board_does(
    client: FlaskClient, services: Services, auth: AuthActions, clock: FakeClock
) -> None:
    # Seen in the walkthrough: the board said the branding's name and the applicant's
    # phone the office's registered name, for the same office.
    settings = office_settings()
    settings["branding"] = {
        "display_name": "Kanim Kelas I Contoh",
        "ticker_id": "",
        "ticker_en": "",
    }
    with services.database.writer() as session, session.begin():
        store_office(session, settings, now=clock())
    token = services.issuing.issue(
        IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK),
        actor=Actor(name="kiosk-1"),
    ).token
    phone = client.get(f"/api/v1/public/tickets/{token}").get_json()
    auth.login("petugas")
    board = json.loads(_script_json(client.get(BOARD).get_data(as_text=True), "config"))
    assert phone["office"] == board["office_name"] == "Kanim Kelas I Contoh"
