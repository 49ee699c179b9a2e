"""``/console/``: the page shell, its texts from the catalogs, its headers; the print page."""

from __future__ import annotations

import json
import re

import pytest
from flask.testing import FlaskClient

from queue_server.domain.ids import TicketSource
from queue_server.services.container import Services
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from tests.web.conftest import OFFICE, AuthActions


def texts_of(page: str) -> dict[str, object]:
    found = re.search(r'<script id="texts" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None
    texts: dict[str, object] = json.loads(found.group(1))
    return texts


def test_the_page_is_indonesian_by_default_with_a_strict_policy(client: FlaskClient) -> None:
    response = client.get("/console/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    page = response.get_data(as_text=True)
    assert '<html lang="id">' in page and "<script>" not in page  # no inline script
    texts = texts_of(page)
    assert texts["act_call_next"] == "Panggil berikutnya"
    assert texts["did_call"] == "Memanggil {label} ke {counter}"
    english = texts_of(client.get("/console/?lang=en").get_data(as_text=True))
    assert english["act_call_next"] == "Call next"
    assert english["stations"]["CS"] == "Customer service (document check)"  # type: ignore[index]
    script = client.get("/console/static/console.js")
    assert script.status_code == 200
    script.close()


def test_every_catalog_text_has_both_languages(client: FlaskClient) -> None:
    indonesian = texts_of(client.get("/console/").get_data(as_text=True))
    english = texts_of(client.get("/console/?lang=en").get_data(as_text=True))
    assert indonesian.keys() == english.keys()
    untranslated = [
        key
        for key, value in english.items()
        if isinstance(value, str) and indonesian[key] == value and value not in {"#"}
    ]
    assert untranslated == []


def test_the_print_page_needs_a_signed_in_officer(
    client: FlaskClient, auth: AuthActions, services: Services, kiosk: dict[str, str]
) -> None:
    request = IssueRequest(office=OFFICE, service="walkin", source=TicketSource.OFFICER)
    token = services.issuing.issue(request, actor=Actor(name="fixture")).token
    assert client.get(f"/console/print/{token}").status_code == 401
    assert client.get(f"/console/print/{token}", headers=kiosk).status_code == 403
    auth.login("petugas")
    printed = client.get(f"/console/print/{token}")
    assert printed.status_code == 200
    page = printed.get_data(as_text=True)
    assert "B-001" in page and "<svg" in page and f"/t/{token}" in page
    assert client.get("/console/print/not-a-token").status_code == 404


@pytest.mark.parametrize("page", ["/console/", "/admin/"])
def test_both_consoles_name_an_icon_that_is_served(client: FlaskClient, page: str) -> None:
    html = client.get(page).get_data(as_text=True)
    found = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)"', html)
    assert found is not None  # else the browser asks /favicon.ico: a 404 in its console
    with client.get(found.group(1)) as icon:
        assert icon.status_code == 200
        assert icon.mimetype == "image/svg+xml"
        assert icon.get_data(as_text=True).startswith("<svg")
