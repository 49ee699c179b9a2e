"""The officer console's API: counters, their queues, and actions on tickets.

Counter actions act on the counter's current ticket; each runs as one use case (one
transaction, audited) after the body has been validated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint
from pydantic import BaseModel

from queue_server.domain.errors import (
    CounterBusy,
    CounterClosed,
    CounterNotServingStation,
    CounterTaken,
    DomainError,
    InvalidTransition,
    NoNextStep,
    NoShowGraceExpired,
    QueueEmpty,
    TicketAlreadyCalled,
    TicketNotAtCounter,
    TransferTargetInvalid,
)
from queue_server.services.officer import TicketView, TransferTarget
from queue_server.services.unit import Actor
from queue_server.services.views import MAX_LISTED
from queue_server.web import responses, schemas
from queue_server.web.auth import services
from queue_server.web.roles import OFFICERS, SIGNED_IN, STAFF
from queue_server.web.routing import ROW_ID, View, endpoint

officer = Blueprint("officer", __name__)
COUNTER = "/offices/<office>/counters/<counter>"
TICKET = f"/offices/<office>/tickets/<{ROW_ID}:ticket_id>"
AT_COUNTER = (CounterClosed, TicketNotAtCounter, InvalidTransition, CounterTaken)


@endpoint(
    officer,
    "/offices/<office>/counters",
    summary="Counters: open or closed, and the ticket each one has now",
    roles=SIGNED_IN,
    response=responses.Counters,
)
def counters(office: str, actor: Actor) -> dict[str, Any]:
    return {"items": services().views.counters(office)}


@endpoint(
    officer,
    f"{COUNTER}/queue",
    summary=f"The counter's waiting list in call order (first {MAX_LISTED})",
    roles=STAFF,
    response=responses.WaitingList,
)
def counter_queue(office: str, counter: str, actor: Actor) -> dict[str, Any]:
    return {"items": services().views.waiting_list(office, counter)}


def _action(
    rule: str,
    summary: str,
    *,
    body: type[BaseModel] | None = None,
    errors: tuple[type[DomainError], ...] = AT_COUNTER,
) -> Callable[[View], View]:
    return endpoint(
        officer,
        rule,
        method="POST",
        summary=summary,
        roles=OFFICERS,
        body=body,
        response=responses.Moved,
        errors=errors,
    )


def _moved(ticket: TicketView, following: TicketView | None = None) -> dict[str, Any]:
    return {"ticket": ticket, "next": following}


@endpoint(
    officer,
    f"{COUNTER}/open",
    method="POST",
    summary="Open the counter (refused while another officer has it open)",
    roles=OFFICERS,
    response=responses.CounterSwitched,
    errors=(CounterTaken,),
)
def open_counter(office: str, counter: str, actor: Actor) -> dict[str, Any]:
    services().officer.open_counter(office, counter, actor=actor)
    return {"counter": counter, "is_open": True}


@endpoint(
    officer,
    f"{COUNTER}/close",
    method="POST",
    summary="Close the counter (it must have no called or serving ticket)",
    roles=OFFICERS,
    response=responses.CounterSwitched,
    errors=(CounterBusy, CounterTaken),
)
def close_counter(office: str, counter: str, actor: Actor) -> dict[str, Any]:
    services().officer.close_counter(office, counter, actor=actor)
    return {"counter": counter, "is_open": False}


@_action(
    f"{COUNTER}/call-next",
    "Call the next ticket by the calling policy",
    errors=(CounterClosed, CounterBusy, QueueEmpty, CounterTaken),
)
def call_next(office: str, counter: str, actor: Actor) -> dict[str, Any]:
    return _moved(services().officer.call_next(office, counter, actor=actor))


@_action(
    f"{COUNTER}/call",
    "Call a specific ticket (waiting, parked, or a no-show within its grace period)",
    body=schemas.CallSpecificBody,
    errors=(
        CounterClosed,
        CounterBusy,
        CounterNotServingStation,
        InvalidTransition,
        TicketAlreadyCalled,
        CounterTaken,
    ),
)
def call_specific(
    office: str, counter: str, body: schemas.CallSpecificBody, actor: Actor
) -> dict[str, Any]:
    return _moved(services().officer.call_specific(office, counter, body.ticket_id, actor=actor))


@_action(f"{COUNTER}/recall", "Call the current ticket again")
def recall(office: str, counter: str, actor: Actor) -> dict[str, Any]:
    return _moved(services().officer.recall(office, counter, actor=actor))


@_action(f"{COUNTER}/start", "Start serving the called ticket")
def start(office: str, counter: str, actor: Actor) -> dict[str, Any]:
    return _moved(services().officer.start(office, counter, actor=actor))


@_action(f"{COUNTER}/no-show", "Mark the called ticket as not present (it keeps a grace period)")
def no_show(office: str, counter: str, actor: Actor) -> dict[str, Any]:
    return _moved(services().officer.no_show(office, counter, actor=actor))


@_action(
    f"{COUNTER}/park", "Park the current ticket (e.g. a missing document)", body=schemas.ParkBody
)
def park(office: str, counter: str, body: schemas.ParkBody, actor: Actor) -> dict[str, Any]:
    return _moved(services().officer.park(office, counter, actor=actor, note=body.note))


@endpoint(
    officer,
    f"{COUNTER}/finish",
    method="POST",
    summary=(
        "Finish; the visit moves on to its next same-day step unless end_visit is set. "
        "With call_next the counter then calls the next ticket in the same transaction "
        "(`called`; null when nobody is waiting for it, the finish stands)"
    ),
    roles=OFFICERS,
    body=schemas.FinishBody,
    response=responses.Finished,
    errors=AT_COUNTER,
)
def finish(office: str, counter: str, body: schemas.FinishBody, actor: Actor) -> dict[str, Any]:
    if not body.call_next:
        return _moved(
            *services().officer.finish(office, counter, actor=actor, end_visit=body.end_visit)
        )
    finished, following, called = services().officer.finish_and_call_next(
        office, counter, actor=actor, end_visit=body.end_visit
    )
    return {**_moved(finished, following), "called": called}


@_action(
    f"{COUNTER}/transfer",
    "Transfer the visit: next step (default), another service's step, or a station",
    body=schemas.TransferBody,
    errors=(*AT_COUNTER, TransferTargetInvalid, NoNextStep),
)
def transfer(office: str, counter: str, body: schemas.TransferBody, actor: Actor) -> dict[str, Any]:
    target = TransferTarget(service=body.service, step=body.step, station=body.station)
    return _moved(*services().officer.transfer(office, counter, target, actor=actor))


@_action(
    f"{TICKET}/cancel",
    "Cancel a waiting, parked or no-show ticket",
    errors=(InvalidTransition, TicketAlreadyCalled),
)
def cancel(office: str, ticket_id: int, actor: Actor) -> dict[str, Any]:
    return _moved(services().officer.cancel(office, ticket_id, actor=actor))


@_action(
    f"{TICKET}/reactivate",
    "Put a no-show back in its place (within the grace period)",
    errors=(InvalidTransition, NoShowGraceExpired),
)
def reactivate(office: str, ticket_id: int, actor: Actor) -> dict[str, Any]:
    return _moved(services().officer.reactivate(office, ticket_id, actor=actor))
