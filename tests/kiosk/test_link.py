"""The kiosk link against a real broker and server: requests, resends, presence."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select, update

from kiosk.link import Answer, IssuedOnline, KioskLink, LinkConfig, LinkUnavailable
from kiosk.link.errors import Refused
from queue_server.mqtt.broker import free_port
from queue_server.mqtt.runtime import broker_folder
from queue_server.persistence.models import KioskRequestRow, TicketRow, VisitRow
from queue_server.protocol.answers import TicketAnswer
from queue_server.protocol.messages import ErrorCode
from queue_server.protocol.topics import KioskAction
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from tests.kiosk.conftest import DEVICE, KioskStack, stop_broker
from tests.mqtt.live import OFFICE, WAIT_S, LiveServer, live_server, wait_until


def status_of(live: LiveServer) -> object:
    [device] = live.services.presence.fleet(OFFICE)
    return device["status"]


def test_an_online_issue_round_trip(live: LiveServer, kiosk: KioskStack) -> None:
    issued = kiosk.core.issue("walkin", language="en", priority_category="elderly")
    assert isinstance(issued, IssuedOnline)
    assert issued.label == "B-001" and issued.data.service == "walkin"
    assert issued.data.priority is True and issued.data.token
    assert live.count(TicketRow) == 1


def test_a_passport_number_reaches_the_server_only_as_its_hash(
    live: LiveServer, kiosk: KioskStack
) -> None:
    kiosk.core.issue("walkin", passport_no="C1234567")
    with live.services.database.reader() as session:
        visit = session.scalars(select(VisitRow)).one()
    assert visit.passport_last4 == "4567" and visit.nik_hash is None
    assert visit.passport_hash and "C1234567" not in visit.passport_hash
    with pytest.raises(ValidationError):  # refused on the kiosk: never sent
        kiosk.core.issue("walkin", passport_no="c1234567")
    assert live.count(VisitRow) == 1


def test_a_pickup_ticket_carries_the_application_number_and_not_yet_due_is_refused(
    live: LiveServer, kiosk: KioskStack
) -> None:
    # Biometrics of 1234567890 finished now (Monday 23 November): due Friday 27 November.
    earlier = live.services.issuing.issue(
        IssueRequest(office=OFFICE, service="walkin"), actor=Actor(name="test")
    )
    with live.services.database.writer() as session, session.begin():
        session.execute(
            update(VisitRow)
            .where(VisitRow.id == earlier.visit_id)
            .values(application_no="1234567890")
        )
        session.execute(
            update(TicketRow)
            .where(TicketRow.id == earlier.ticket_id)
            .values(station="BIO", status="done", finished_at=live.services.clock())
        )
    with pytest.raises(Refused) as not_due:
        kiosk.core.issue("pickup", application_no="PERMOHONAN:1234567890")
    assert not_due.value.code == "passport_not_due"
    assert "2026-11-27" in not_due.value.messages["en"]
    assert "2026-11-27" in not_due.value.messages["id"]
    with pytest.raises(Refused) as bad:
        kiosk.core.issue("pickup", application_no="3171234567890123")
    assert bad.value.code == "application_invalid" and "NIK" in bad.value.messages["en"]
    issued = kiosk.core.issue("pickup", application_no="9999999999")  # not known here
    assert isinstance(issued, IssuedOnline) and issued.label == "D-001"
    with live.services.database.reader() as session:
        numbers = list(session.scalars(select(VisitRow.application_no).order_by(VisitRow.id)))
    assert numbers == ["1234567890", "9999999999"]


def test_a_resend_after_a_lost_answer_returns_the_same_ticket(
    live: LiveServer, kiosk: KioskStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    lost: list[Answer] = []
    deliver = kiosk.link._deliver

    def lose_the_first(answer: Answer) -> None:
        if not lost:
            lost.append(answer)  # as if the broker died before the kiosk got it
            return
        deliver(answer)

    monkeypatch.setattr(kiosk.link, "_deliver", lose_the_first)
    answer = kiosk.link.request(KioskAction.ISSUE_TICKET, {"service": "walkin"}, 5.0)
    assert lost and lost[0] == answer and answer.ok
    assert live.count(TicketRow) == live.count(KioskRequestRow) == 1


def test_a_not_now_answer_is_not_the_answer_the_request_is_sent_again(
    live: LiveServer, kiosk: KioskStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert live.runtime is not None
    server = live.runtime.client
    admit = server._admit
    refused: list[str] = []

    def over_the_rate_once(device: str, topic: str, payload: bytes, *, retain: bool) -> Any:
        if topic.endswith("/issue_ticket") and not refused:
            refused.append(topic)
            return ErrorCode.RATE_LIMITED  # answered at once, nothing done
        return admit(device, topic, payload, retain=retain)

    monkeypatch.setattr(server, "_admit", over_the_rate_once)
    answer = kiosk.link.request(KioskAction.ISSUE_TICKET, {"service": "walkin"}, 10.0)
    assert refused and answer.ok
    assert answer.data_or_raise(TicketAnswer).label == "B-001"
    assert live.count(TicketRow) == 1


def test_a_request_never_outlives_its_timeout(live: LiveServer, kiosk: KioskStack) -> None:
    stop_broker(live, kiosk)
    with pytest.raises(LinkUnavailable) as raised:
        kiosk.link.request(KioskAction.LOOKUP, {"code": "x"}, 0.3)
    assert raised.value.messages["id"] and raised.value.messages["en"]


def test_presence_online_then_clean_close_then_last_will(
    live: LiveServer, kiosk: KioskStack
) -> None:
    assert wait_until(lambda: status_of(live) == "online")
    kiosk.link.publish_health({"components": {"printer": "paper_near_end"}})
    assert wait_until(lambda: live.services.presence.fleet(OFFICE)[0]["health"] is not None)
    kiosk.link.close()  # a clean goodbye sends no last will: the kiosk says offline itself
    assert wait_until(lambda: status_of(live) == "offline")
    kiosk.reopen()
    kiosk.wait_up()
    assert wait_until(lambda: status_of(live) == "online")
    client = kiosk.link._client
    client.loop_stop()
    sock = client.socket()
    assert isinstance(sock, socket.socket)
    sock.close()  # a power cut: no DISCONNECT, so the broker sends the last will
    assert wait_until(lambda: status_of(live) == "offline")


def test_a_kiosk_issues_over_the_tls_listener(tmp_path: Path) -> None:
    tls_port = free_port()
    folder = tmp_path / "server"
    folder.mkdir()
    live = live_server(folder, mqtt_tls=True, mqtt_tls_port=tls_port, mqtt_tls_host="127.0.0.1")
    password = live.add_device(DEVICE)
    live.start()
    config = LinkConfig(
        office=OFFICE,
        device=DEVICE,
        password=password,
        port=tls_port,
        tls=True,
        ca_file=str(broker_folder(live.config) / "tls" / "broker.crt"),
    )
    link = KioskLink(config).start()
    try:
        assert link.ready.wait(WAIT_S)
        answer = link.request(KioskAction.ISSUE_TICKET, {"service": "walkin"}, 5.0)
        assert answer.ok and answer.data_or_raise(TicketAnswer).label == "B-001"
    finally:
        link.close()
        live.close()
