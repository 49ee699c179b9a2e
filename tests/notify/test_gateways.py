"""Each adapter against a real HTTP provider on loopback: format, signature, failures."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

import pytest

from queue_server.notify.gateways import (
    PermanentFailure,
    SmsGateway,
    TemporaryFailure,
    WebhookGateway,
    WhatsAppGateway,
    signature,
    verify_signature,
)
from queue_server.notify.messages import Message, Template
from queue_server.notify.settings import NotifySettingsError, gateway_from_environment
from tests.notify.provider import SECRET, Provider, running_provider

MESSAGE = Message(
    "081234567890", Template.NUMBER_NEAR, "id", {"number": "A-012", "away": "3"}
).checked()


def test_webhook_is_signed_over_the_raw_body_and_the_provider_verifies_it(
    provider: Provider,
) -> None:
    gateway = WebhookGateway(provider.url + "/webhook", SECRET, timeout=5)
    assert gateway.send(MESSAGE, idempotency_key="k-1") == "msg-1"
    (request,) = provider.received
    assert provider.bad_signatures == 0
    assert request.headers["idempotency-key"] == "k-1"
    body = json.loads(request.body)
    assert body["to"] == "+6281234567890" and body["template"] == "number_near"
    assert "A-012" in body["text"] and body["language"] == "id"


def test_a_webhook_signed_with_another_secret_is_refused_for_good(provider: Provider) -> None:
    gateway = WebhookGateway(provider.url + "/webhook", b"not-the-secret", timeout=5)
    with pytest.raises(PermanentFailure) as refused:
        gateway.send(MESSAGE, idempotency_key="k-1")
    assert refused.value.reason == "HTTP 401"
    assert provider.bad_signatures == 1 and provider.delivered == {}


def test_signature_check_refuses_old_timestamps_and_changed_bodies() -> None:
    now = time.time()
    stamp = str(int(now))
    good = signature(SECRET, stamp, b"{}")
    assert verify_signature(SECRET, stamp, b"{}", good, now=now)
    assert not verify_signature(SECRET, stamp, b"{ }", good, now=now)
    assert not verify_signature(SECRET, stamp, b"{}", good, now=now + 301)  # a replay
    assert not verify_signature(SECRET, "soon", b"{}", good, now=now)


def test_whatsapp_cloud_api_template_message(provider: Provider) -> None:
    gateway = WhatsAppGateway(provider.url + "/v21.0", "1055", "token-abc", timeout=5)
    assert gateway.send(MESSAGE, idempotency_key="k-2") == "msg-1"
    (request,) = provider.received
    assert request.path == "/v21.0/1055/messages"
    assert request.headers["authorization"] == "Bearer token-abc"
    assert request.headers["idempotency-key"] == "k-2"
    body = json.loads(request.body)
    assert body["messaging_product"] == "whatsapp" and body["type"] == "template"
    assert body["to"] == "6281234567890"
    template = body["template"]
    assert template["name"] == "antre_number_near"
    assert template["language"] == {"code": "id"}
    values = [p["text"] for p in template["components"][0]["parameters"]]
    assert values == ["3", "A-012"]  # parameters in the order of their names: away, number


def test_sms_gateway_posts_a_form(provider: Provider) -> None:
    gateway = SmsGateway(provider.url + "/sms", token="t", sender="IMIGRASI", timeout=5)
    assert gateway.send(MESSAGE, idempotency_key="k-3") == "msg-1"
    (request,) = provider.received
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    form = parse_qs(request.body.decode())
    assert form["to"] == ["+6281234567890"] and form["reference"] == ["k-3"]
    assert form["from"] == ["IMIGRASI"] and "A-012" in form["text"][0]


@pytest.mark.parametrize(
    ("status", "failure"),
    [
        (500, TemporaryFailure),
        (503, TemporaryFailure),
        (429, TemporaryFailure),
        (400, PermanentFailure),
        (404, PermanentFailure),
    ],
)
def test_answers_are_classified_and_the_reason_holds_no_body(
    provider: Provider, status: int, failure: type[Exception]
) -> None:
    provider.plan.append(status)
    with pytest.raises(failure) as caught:
        SmsGateway(provider.url + "/sms", timeout=5).send(MESSAGE, idempotency_key="k")
    assert str(caught.value) == f"HTTP {status}"  # the scripted body echoes the number


@pytest.mark.parametrize("status", [302, 307])
def test_a_redirect_is_not_followed(provider: Provider, status: int) -> None:
    provider.plan.append(status)
    gateway = WhatsAppGateway(provider.url + "/v21.0", "1055", "token-abc", timeout=5)
    with pytest.raises(PermanentFailure) as caught:
        gateway.send(MESSAGE, idempotency_key="k")
    assert caught.value.reason == f"HTTP {status}"
    assert [request.path for request in provider.received] == ["/v21.0/1055/messages"]


def test_a_slow_provider_is_a_temporary_timeout(provider: Provider) -> None:
    provider.plan.append("slow")
    with pytest.raises(TemporaryFailure) as caught:
        SmsGateway(provider.url + "/sms", timeout=0.2).send(MESSAGE, idempotency_key="k")
    provider.release.set()
    assert caught.value.reason == "timeout"


def test_no_provider_listening_is_temporary() -> None:
    with running_provider() as gone:
        url = gone.url
    with pytest.raises(TemporaryFailure) as caught:
        SmsGateway(url + "/sms", timeout=2).send(MESSAGE, idempotency_key="k")
    assert caught.value.reason.startswith("no connection")


def test_settings_pick_the_adapter_and_name_what_is_missing() -> None:
    assert gateway_from_environment({}) is None
    webhook = gateway_from_environment(
        {
            "ANTRE_NOTIFY_PROVIDER": "webhook",
            "ANTRE_NOTIFY_URL": "http://127.0.0.1:9/h",
            "ANTRE_NOTIFY_SECRET": "s",
        }
    )
    assert isinstance(webhook, WebhookGateway)
    whatsapp = gateway_from_environment(
        {
            "ANTRE_NOTIFY_PROVIDER": "whatsapp",
            "ANTRE_NOTIFY_WHATSAPP_PHONE_NUMBER_ID": "1",
            "ANTRE_NOTIFY_TOKEN": "t",
        }
    )
    assert isinstance(whatsapp, WhatsAppGateway)
    assert whatsapp.url == "https://graph.facebook.com/v21.0/1/messages"
    with pytest.raises(NotifySettingsError, match="ANTRE_NOTIFY_SECRET"):
        gateway_from_environment(
            {"ANTRE_NOTIFY_PROVIDER": "webhook", "ANTRE_NOTIFY_URL": "http://127.0.0.1:9/h"}
        )
    with pytest.raises(NotifySettingsError, match="ANTRE_NOTIFY_URL"):
        gateway_from_environment({"ANTRE_NOTIFY_PROVIDER": "sms", "ANTRE_NOTIFY_URL": "ftp://x"})
    with pytest.raises(NotifySettingsError, match="PROVIDER"):
        gateway_from_environment({"ANTRE_NOTIFY_PROVIDER": "pigeon"})
