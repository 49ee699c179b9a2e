"""Helpers for the screens' browser tests: a Chromium page, a signed-in browser, and a
push stream served by Playwright from messages built with the contract's models."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from queue_server.protocol.states import (
    Board,
    CalledEvent,
    CounterStateMessage,
    DisplayConfig,
    DisplayConfigMessage,
    QueueStateMessage,
)
from queue_server.services.container import Services
from tests.web.browser_support import base_url, browser, needs_chromium, playwright_api
from tests.web.conftest import OFFICE, PASSWORDS

__all__ = ["base_url", "browser", "needs_chromium", "playwright_api"]  # for the screens' tests

SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"


def signed_in_page(
    browser: Any, base_url: str, width: int, height: int, user: str = "petugas"
) -> Any:
    """A page of a fresh browser context signed in as ``user``; JS errors are collected."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="en-US", device_scale_factor=1
    )
    answer = context.request.post(
        f"{base_url}/api/v1/auth/login", data={"username": user, "password": PASSWORDS[user]}
    )
    assert answer.ok, answer.text()
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


@dataclass
class Stream:
    """What ``/api/v1/offices/<office>/stream`` answers, request after request.

    Each request gets the messages queued so far as one response (the browser reconnects
    when it ends, 0.3 s later): the page must drop what it already has by ``seq`` and
    call ``id``, as it does with the real stream's snapshot after a reconnect.
    """

    messages: list[tuple[str, BaseModel, bool]] = field(default_factory=list)
    refuse: bool = False
    requests: int = 0

    def add(self, topic: str, message: BaseModel, *, retained: bool = True) -> None:
        self.messages.append((topic, message, retained))

    def body(self) -> str:
        lines = ["retry: 300", ""]
        for topic, message, retained in self.messages:
            data = {
                "topic": topic,
                "retained": retained,
                "message": message.model_dump(mode="json"),
            }
            lines += ["event: state", f"data: {json.dumps(data)}", ""]
        lines += ["event: ready", "data: {}", "", ""]
        return "\n".join(lines)

    def serve(self, page: Any) -> None:
        def answer(route: Any) -> None:
            self.requests += 1
            if self.refuse:
                route.fulfill(status=503, body="")
                return
            route.fulfill(
                status=200,
                headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"},
                body=self.body(),
            )

        page.route(f"**/api/v1/offices/{OFFICE}/stream", answer)


class Messages:
    """Contract messages built from the server's own read models, with growing seqs."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.seq = 1_764_000_000_000_000
        self.call_id = 0

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def board(self) -> Board:
        states = [
            s.model_copy(update={"rating": None}) for s in self.services.views.counters(OFFICE)
        ]
        return Board(
            seq=self.next_seq(), counters=states, serving=[s for s in states if s.ticket_label]
        )

    def counter(self, code: str) -> CounterStateMessage:
        state = next(s for s in self.services.views.counters(OFFICE) if s.code == code)
        return CounterStateMessage(**dict(state), seq=self.next_seq())

    def queues(self) -> list[tuple[str, QueueStateMessage]]:
        return [
            (f"queue/{state.service}/state", QueueStateMessage(**dict(state), seq=self.next_seq()))
            for state in self.services.views.services_overview(OFFICE)
        ]

    def config(self) -> DisplayConfigMessage:
        config = self.services.device_config.config(OFFICE, "display")
        assert isinstance(config, DisplayConfig)
        return DisplayConfigMessage(**dict(config), seq=self.next_seq())

    def call(self, ticket: str, counter: str, name: str, *, recall: bool = False) -> CalledEvent:
        self.call_id += 1
        return CalledEvent(
            id=self.call_id,
            seq=self.next_seq(),
            ticket=ticket,
            station="CS",
            counter=counter,
            counter_name=name,
            service="walkin",
            recall=recall,
            ts=self.services.clock() + timedelta(seconds=self.call_id),
        )

    def snapshot(self, stream: Stream) -> None:
        stream.add("config/display", self.config())
        stream.add("board", self.board())
        for topic, queue in self.queues():
            stream.add(topic, queue)
