"""The officer console's read API: the office's setup and one counter's whole screen.

The console's actions are the officer endpoints (:mod:`~queue_server.web.api_officer`);
these two reads give it, in one answer each, what it draws. Officers and administrators
only: a report reader or a kiosk token is refused (403).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from queue_server.domain.errors import CounterNotFound
from queue_server.services.unit import Actor
from queue_server.web import responses
from queue_server.web.auth import services
from queue_server.web.roles import OFFICERS
from queue_server.web.routing import endpoint

console_api = Blueprint("console_api", __name__)


@endpoint(
    console_api,
    "/offices/<office>/console",
    summary="The officer console's setup: services and their steps, stations, counters "
    "(who opened each), priority categories, the no-show grace period",
    roles=OFFICERS,
    response=responses.ConsoleSetup,
)
def console_setup(office: str, actor: Actor) -> dict[str, Any]:
    return services().console.setup(office, actor=actor)


@endpoint(
    console_api,
    "/offices/<office>/counters/<counter>/console",
    summary="One counter's screen: its ticket with the visit's timeline, the waiting list "
    "in call order (waited minutes, booked slot), parked tickets and no-shows in grace",
    roles=OFFICERS,
    response=responses.CounterScreen,
    errors=(CounterNotFound,),
)
def counter_screen(office: str, counter: str, actor: Actor) -> dict[str, Any]:
    return services().console.counter_screen(office, counter, actor=actor)
