"""``/t/<token>``: the ticket's status page on the applicant's phone (Flask client)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import yaml
from flask.testing import FlaskClient

from queue_server.demo import DEMO_OFFICE_FILE, demo_settings
from queue_server.services.container import Services
from queue_server.services.offices import store_office
from queue_server.web.app import PUBLIC_REQUESTS_PER_MINUTE
from tests.services.clock import MONDAY_10_WITA
from tests.web.conftest import BASE, AuthActions, FakeMonotonic

NIK = "6371015001900001"


class Text(HTMLParser):
    """The visible text of a page and the ids of its elements."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.ids: dict[str, str] = {}
        self._skip = 0
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "title"):
            self._skip += 1
        self._current = dict(attrs).get("id")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._skip == 0 and data.strip():
            self.parts.append(data.strip())
            if self._current:
                self.ids[self._current] = data.strip()

    @property
    def text(self) -> str:
        return " ".join(self.parts)


def page(client: FlaskClient, path: str, **headers: str) -> tuple[int, Text, dict[str, str]]:
    response = client.get(path, headers=headers)
    parsed = Text()
    parsed.feed(response.get_data(as_text=True))
    return response.status_code, parsed, dict(response.headers)


def issue(auth: AuthActions, **body: object) -> dict[str, object]:
    auth.login("petugas")
    answer = auth.post(f"{BASE}/tickets", {"service": "walkin", **body})
    assert answer.status_code == 200, answer.get_json()
    issued: dict[str, object] = answer.get_json()
    assert issued["status_page"] == f"/t/{issued['token']}"
    return issued


def test_the_page_shows_number_service_status_position_and_wait(
    client: FlaskClient, auth: AuthActions
) -> None:
    issue(auth)
    issued = issue(auth)
    status, parsed, headers = page(client, f"/t/{issued['token']}", **{"Accept-Language": "en"})
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert parsed.ids["label"] == "B-002"
    assert parsed.ids["status"] == "Waiting for your turn"
    assert parsed.ids["ahead"] == "1"
    assert parsed.ids["station"] == "Customer service (document check)"
    assert parsed.ids["service"]
    assert "Estimated wait" in parsed.text and parsed.ids["wait"]
    assert "DEMO" not in parsed.text


def test_the_page_speaks_indonesian_by_default_and_english_on_request(
    client: FlaskClient, auth: AuthActions
) -> None:
    token = issue(auth)["token"]
    _, indonesian, _ = page(client, f"/t/{token}")
    assert indonesian.ids["status"] == "Menunggu giliran Anda"
    assert "Antrean di depan Anda" in indonesian.text
    _, english, _ = page(client, f"/t/{token}", **{"Accept-Language": "en-GB,en;q=0.9"})
    assert english.ids["status"] == "Waiting for your turn"
    _, switched, _ = page(client, f"/t/{token}?lang=id", **{"Accept-Language": "en"})
    assert switched.ids["status"] == "Menunggu giliran Anda"
    html = client.get(f"/t/{token}").get_data(as_text=True)
    assert 'href="?lang=en"' in html and '<html lang="id">' in html


def test_the_page_refreshes_itself_with_and_without_javascript(
    client: FlaskClient, auth: AuthActions
) -> None:
    token = issue(auth)["token"]
    html = client.get(f"/t/{token}").get_data(as_text=True)
    assert re.search(r'<noscript><meta http-equiv="refresh" content="30"></noscript>', html)
    script = re.search(r'<script src="(/t-static/ticket\.js)"', html)
    assert script is not None
    with client.get(script.group(1)) as response:
        source = response.get_data(as_text=True)
    assert "/api/v1/public/tickets/" in source and "setTimeout(poll" in source
    assert 'data-poll="15"' in html
    assert "http://" not in html.replace("http-equiv", "")  # nothing from a CDN
    with client.get("/t-static/ticket.css") as response:
        assert response.status_code == 200 and "max-width" in response.get_data(as_text=True)


def test_a_called_ticket_says_where_to_go(client: FlaskClient, auth: AuthActions) -> None:
    token = issue(auth)["token"]
    auth.post(f"{BASE}/counters/cs-1/open")
    auth.post(f"{BASE}/counters/cs-1/call-next")
    _, parsed, _ = page(client, f"/t/{token}", **{"Accept-Language": "en"})
    assert parsed.ids["status"].startswith("Called: please go to ")
    assert parsed.ids["status"] != "Called: please go to the counter now"


def test_no_personal_data_and_no_token_leaks(client: FlaskClient, auth: AuthActions) -> None:
    token = issue(auth, nik=NIK)["token"]
    response = client.get(f"/t/{token}")
    body = response.get_data(as_text=True)
    assert NIK not in body and NIK[-4:] not in body
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_an_unknown_token_gets_a_bilingual_404_page(client: FlaskClient) -> None:
    for token in ("a" * 24, "no", "x" * 65, "bad%20token%3Cscript%3E"):
        status, parsed, headers = page(client, f"/t/{token}")
        assert status == 404 and headers["Content-Type"].startswith("text/html")
        assert "Tiket tidak ditemukan" in parsed.text and "Ticket not found" in parsed.text
        assert "<script" not in client.get(f"/t/{token}").get_data(as_text=True)


def test_the_page_shares_the_public_rate_limit(
    client: FlaskClient, auth: AuthActions, monotonic: FakeMonotonic
) -> None:
    token = issue(auth)["token"]
    for _ in range(PUBLIC_REQUESTS_PER_MINUTE):
        assert client.get(f"/t/{token}").status_code == 200
    limited = client.get(f"/t/{token}")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert client.get(f"/api/v1/public/tickets/{token}").status_code == 429
    monotonic.advance(61)
    assert client.get(f"/t/{token}").status_code == 200


def test_the_demo_office_is_marked_demo(
    client: FlaskClient, auth: AuthActions, services: Services
) -> None:
    settings = demo_settings(yaml.safe_load(DEMO_OFFICE_FILE.read_text("utf-8")))
    with services.database.writer() as session, session.begin():
        store_office(session, settings, now=MONDAY_10_WITA)
    offices = {item["id"]: item for item in client.get("/api/v1/offices").get_json()["items"]}
    assert offices["kanim-banjarmasin"]["demo"] is True
    assert offices["kanim-test"]["demo"] is False
    auth.login("admin")  # the officer's account is scoped to kanim-test
    issued = auth.post(
        "/api/v1/offices/kanim-banjarmasin/tickets", {"service": "paspor-walkin"}
    ).get_json()
    _, parsed, _ = page(client, f"/t/{issued['token']}", **{"Accept-Language": "en"})
    assert "DEMO: a demonstration office, not a real one." in parsed.text
    assert client.get(issued["status_url"]).get_json()["demo"] is True


def test_the_wait_is_estimated_once_a_counter_is_open(
    client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("petugas")
    auth.post(f"{BASE}/counters/cs-1/open")
    issue(auth)
    token = issue(auth)["token"]
    _, english, _ = page(client, f"/t/{token}", **{"Accept-Language": "en"})
    assert re.fullmatch(r"about \d+ min", english.ids["wait"]), english.ids["wait"]
    _, indonesian, _ = page(client, f"/t/{token}")
    assert re.fullmatch(r"sekitar \d+ menit", indonesian.ids["wait"])


def test_a_finished_ticket_stops_refreshing(client: FlaskClient, auth: AuthActions) -> None:
    token = issue(auth)["token"]
    auth.post(f"{BASE}/counters/cs-1/open")
    auth.post(f"{BASE}/counters/cs-1/call-next")
    auth.post(f"{BASE}/counters/cs-1/finish", {"end_visit": True})
    html = client.get(f"/t/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-status="done"' in html and "Finished. Thank you." in html
    assert 'http-equiv="refresh"' not in html
