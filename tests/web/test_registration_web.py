"""The public registration page and the WhatsApp webhook, through the Flask app."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from queue_server.notify.inbound import InboundSettings
from queue_server.persistence.models import (
    NotificationOptOutRow,
    NotificationRow,
    RegistrationRow,
)
from queue_server.services.container import Services
from queue_server.services.offices import store_office
from queue_server.web.whatsapp_webhook import WHATSAPP_EXTENSION
from tests.services.clock import FakeClock
from tests.services.test_registrations import WINDOWS, wita
from tests.web.conftest import OFFICE, office_settings

PAGE = f"/daftar/{OFFICE}"
HOOK = f"/whatsapp/webhook/{OFFICE}"
APP_SECRET = b"app-secret-for-tests"
VERIFY = "verify-me"
SENDER = "6281234567890"


@pytest.fixture
def registering(services: Services, clock: FakeClock) -> Services:
    clock.now = wita(23, 20, 0)  # Monday 20:00 WITA: percepatan is open for Tuesday
    settings = office_settings() | {"registration": WINDOWS[:1]}
    with services.database.writer() as session, session.begin():
        store_office(session, settings, now=clock())
    return services


@pytest.fixture
def hooked(app: Flask, registering: Services) -> Flask:
    app.extensions[WHATSAPP_EXTENSION] = InboundSettings(VERIFY, APP_SECRET)
    return app


def form_token(client: FlaskClient, language: str = "en") -> str:
    page = client.get(f"{PAGE}?lang={language}")
    assert page.status_code == 200
    found = re.search(r'name="token" value="([^"]+)"', page.get_data(as_text=True))
    assert found is not None
    return found.group(1)


def rows(services: Services, model: type) -> list[Any]:
    with services.database.reader() as session:
        return list(session.scalars(select(model)).all())


def test_the_page_registers_and_shows_the_code_and_qr(
    client: FlaskClient, registering: Services
) -> None:
    page = client.get(PAGE, headers={"Accept-Language": "id"})
    html = page.get_data(as_text=True)
    assert "Daftar" in html and "<script" not in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    token = form_token(client)
    form = {"token": token, "lang": "en", "choice": "percepatan/walkin", "phone": "0812 3456 7890"}
    done = client.post(PAGE, data=form)
    assert done.status_code == 201
    html = done.get_data(as_text=True)
    (stored,) = rows(registering, RegistrationRow)
    assert f'id="code">{stored.code}<' in html and "<svg" in html
    assert "24-11-2026" in html
    assert stored.phone_hash and "3456" not in stored.phone_hash
    (queued,) = rows(registering, NotificationRow)
    assert queued.template == "registration_confirmed" and queued.params["code"] == stored.code


def test_full_is_told_at_once(client: FlaskClient, registering: Services) -> None:
    form = {"token": form_token(client), "lang": "en", "choice": "percepatan/walkin"}
    assert [client.post(PAGE, data=form).status_code for _ in range(2)] == [201, 201]
    full = client.post(PAGE, data=form)
    assert full.status_code == 409
    assert "is full: no place left" in full.get_data(as_text=True)
    assert len(rows(registering, RegistrationRow)) == 2


def test_a_phone_number_holds_one_place_per_window_and_day(
    client: FlaskClient, registering: Services
) -> None:
    form = {"token": form_token(client), "lang": "en", "choice": "percepatan/walkin"}
    assert client.post(PAGE, data=form | {"phone": "0812 3456 7890"}).status_code == 201
    again = client.post(PAGE, data=form | {"phone": "+62 812-3456-7890", "lang": "id"})
    assert again.status_code == 409
    assert "Nomor telepon ini sudah terdaftar untuk Layanan percepatan" in again.get_data(
        as_text=True
    )
    assert len(rows(registering, RegistrationRow)) == 1  # no second place, no second message
    assert len(rows(registering, NotificationRow)) == 1
    assert client.post(PAGE, data=form | {"phone": "0813 1111 2222"}).status_code == 201


def test_one_connection_takes_at_most_ten_places_an_hour(
    client: FlaskClient, registering: Services, clock: FakeClock, monotonic: Any
) -> None:
    """A script on one address cannot empty a day's quota (here 30 places)."""
    roomy = [WINDOWS[0] | {"quota": 30}]
    with registering.database.writer() as session, session.begin():
        store_office(session, office_settings() | {"registration": roomy}, now=clock())
    form = {"token": form_token(client), "lang": "en", "choice": "percepatan/walkin"}
    assert {client.post(PAGE, data=form).status_code for _ in range(10)} == {201}
    refused = client.post(PAGE, data=form | {"lang": "id"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 3000
    assert "Terlalu banyak pendaftaran dari koneksi ini" in refused.get_data(as_text=True)
    assert len(rows(registering, RegistrationRow)) == 10
    monotonic.advance(3600)
    assert client.post(PAGE, data=form).status_code == 201


def test_a_forged_form_changes_nothing(client: FlaskClient, registering: Services) -> None:
    bad = client.post(PAGE, data={"token": "forged", "choice": "percepatan/walkin"})
    assert bad.status_code == 400
    missing = client.post(PAGE, data={"token": form_token(client), "choice": "../../etc"})
    assert missing.status_code == 422
    bad_phone = client.post(
        PAGE,
        data={
            "token": form_token(client),
            "choice": "percepatan/walkin",
            "phone": "12ab",
            "lang": "id",
        },
    )
    assert bad_phone.status_code == 422
    assert "Nomor telepon" in bad_phone.get_data(as_text=True)
    unknown = client.post(PAGE, data={"token": form_token(client), "choice": "nope/walkin"})
    assert unknown.status_code == 404 and "Tidak ada jendela pendaftaran nope" in unknown.text
    assert client.get("/daftar/no-such-office").status_code == 404
    assert rows(registering, RegistrationRow) == []


def signed(body: bytes, secret: bytes = APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


def delivery(text: str, message_id: str = "wamid.1") -> bytes:
    message = {"from": SENDER, "id": message_id, "timestamp": "1764000000", "type": "text",
               "text": {"body": text}}  # fmt: skip
    value = {"messaging_product": "whatsapp", "contacts": [{"wa_id": SENDER}],
             "messages": [message]}  # fmt: skip
    data = {"object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}  # fmt: skip
    return json.dumps(data).encode()


def test_the_verification_handshake(hooked: Flask) -> None:
    client = hooked.test_client()
    good = client.get(f"{HOOK}?hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge=12345")
    assert (good.status_code, good.get_data(as_text=True)) == (200, "12345")
    bad = client.get(f"{HOOK}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=12345")
    assert bad.status_code == 403


def test_a_signed_daftar_registers_once_and_replies_through_the_queue(
    hooked: Flask, registering: Services
) -> None:
    client = hooked.test_client()
    body = delivery("DAFTAR percepatan")
    for _ in range(2):  # Meta redelivers: one registration
        assert client.post(HOOK, data=body, headers=signed(body)).status_code == 200
    (stored,) = rows(registering, RegistrationRow)
    assert stored.channel == "whatsapp"
    (queued,) = rows(registering, NotificationRow)
    assert queued.recipient == "+" + SENDER and queued.params["code"] == stored.code


def test_bad_or_unsigned_bodies_change_nothing(hooked: Flask, registering: Services) -> None:
    client = hooked.test_client()
    body = delivery("DAFTAR percepatan")
    assert client.post(HOOK, data=body).status_code == 401
    assert client.post(HOOK, data=body, headers=signed(body, b"wrong")).status_code == 401
    tampered = body.replace(b"percepatan", b"petang")
    assert client.post(HOOK, data=tampered, headers=signed(body)).status_code == 401
    deep = b'{"a":' * 5000 + b"1" + b"}" * 5000  # once a RecursionError and a 500
    for junk in (
        b"{not json",
        b'{"object": "page"}',
        b'{"object": "whatsapp_business_account"}',
        deep,
    ):
        assert client.post(HOOK, data=junk, headers=signed(junk)).status_code == 400
    assert rows(registering, RegistrationRow) == [] and rows(registering, NotificationRow) == []


def test_stop_opts_out_and_mulai_opts_in(hooked: Flask, registering: Services) -> None:
    client = hooked.test_client()
    stop = delivery("STOP", "wamid.stop")
    assert client.post(HOOK, data=stop, headers=signed(stop)).status_code == 200
    assert len(rows(registering, NotificationOptOutRow)) == 1
    daftar = delivery("daftar percepatan", "wamid.2")
    assert client.post(HOOK, data=daftar, headers=signed(daftar)).status_code == 200
    (queued,) = rows(registering, NotificationRow)
    assert queued.status == "failed" and queued.recipient is None  # opted out: never sent
    start = delivery("MULAI", "wamid.start")
    assert client.post(HOOK, data=start, headers=signed(start)).status_code == 200
    assert rows(registering, NotificationOptOutRow) == []


def test_without_settings_the_webhook_is_not_there(app: Flask) -> None:
    body = delivery("STOP")
    assert app.test_client().post(HOOK, data=body, headers=signed(body)).status_code == 404


def test_a_daftar_before_19_00_is_told_when_it_opens(
    hooked: Flask, registering: Services, clock: FakeClock
) -> None:
    clock.now = wita(23, 18, 59)
    body = delivery("DAFTAR percepatan", "wamid.early")
    assert hooked.test_client().post(HOOK, data=body, headers=signed(body)).status_code == 200
    assert rows(registering, RegistrationRow) == []
    (queued,) = rows(registering, NotificationRow)
    assert queued.template == "registration_not_open"
    assert queued.params == {"date": "2026-11-23", "time": "19:00"}


def test_every_refusal_and_an_unknown_command_get_one_reply_in_the_senders_language(
    hooked: Flask, registering: Services, caplog: pytest.LogCaptureFixture
) -> None:
    client = hooked.test_client()
    texts = {
        "wamid.first": "DAFTAR percepatan",
        "wamid.dup": "REGISTER percepatan",  # the same phone again: registration_duplicate
        "wamid.nowin": "daftar nope",  # an unknown window
        "wamid.svc": "DAFTAR percepatan tanpa-layanan",  # a service the window does not take
        "wamid.hi": "halo, bisa daftar?",  # not a command: the help
        "wamid.en": "register",  # REGISTER without a window: the help, in English
    }
    with caplog.at_level("INFO", logger="antre.whatsapp"):
        for _ in range(2):  # Meta redelivers every message: still one reply each
            for message_id, text in texts.items():
                body = delivery(text, message_id)
                assert client.post(HOOK, data=body, headers=signed(body)).status_code == 200
    assert len(rows(registering, RegistrationRow)) == 1
    replies = sorted(
        (row.template, row.language, row.params.get("reason", ""))
        for row in rows(registering, NotificationRow)
    )
    assert [(template, language) for template, language, _ in replies] == [
        ("registration_confirmed", "id"),
        ("registration_help", "en"),
        ("registration_help", "id"),
        ("registration_not_accepted", "en"),
        ("registration_not_accepted", "id"),
        ("registration_not_accepted", "id"),
    ]
    reasons = [reason for *_, reason in replies[3:]]
    assert reasons[0].startswith("This phone number is already registered for Accelerated service")
    assert reasons[1:] == [
        "Tidak ada jendela pendaftaran nope.",
        "tanpa-layanan tidak dapat didaftarkan pada Layanan percepatan.",
    ]
    helps = [row.params for row in rows(registering, NotificationRow) if "windows" in row.params]
    assert helps == [{"windows": "percepatan"}] * 2
    assert SENDER not in caplog.text and "halo" not in caplog.text
