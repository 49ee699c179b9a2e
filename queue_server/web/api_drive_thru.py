"""The drive-thru pickup lane (Si Peluru) for the drive-thru officer's console and scanner.

``POST .../drive-thru/lanes/<lane>/arrivals`` takes what the scanner typed (the bare
application number or the application QR's text): a ready passport puts the car in the
lane; a second scan of a waiting car answers its place (``already_waiting``) and adds
nothing; a passport not ready is refused with its expected day, an unknown one with
"go to the counter", and nothing is kept. The officer's page lists the lane's cars in
arrival order, hands a passport over (once only) or sends the car to the counter inside.
The lanes' figures are the report kind ``drive_thru`` (:mod:`queue_server.web.api_reports`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, request
from pydantic import BaseModel, ConfigDict, Field

from queue_server.domain.drive_thru import CounterReason
from queue_server.domain.passports import MAX_APPLICATION_CHARS
from queue_server.services.drive_thru import (
    ArrivalClosed,
    ArrivalNotFound,
    GoToCounter,
    LaneNotFound,
)
from queue_server.services.passports import (
    ApplicationInvalid,
    PassportHandedOver,
    PassportNotDue,
    PassportNotReady,
)
from queue_server.services.unit import Actor
from queue_server.web.auth import BEARER, services
from queue_server.web.roles import OFFICERS
from queue_server.web.routing import ROW_ID, endpoint

drive_thru_api = Blueprint("drive_thru_api", __name__)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LaneOut(_Model):
    id: str
    name: str


class LanesOut(_Model):
    lanes: list[LaneOut]


class ArrivalBody(_Model):
    scan: str = Field(
        min_length=1,
        max_length=MAX_APPLICATION_CHARS,
        description="What the scanner typed: the application number, or the application QR "
        "(PERMOHONAN:<number> or APP:<number>)",
    )


class ArrivalOut(_Model):
    result: str = Field(description="waiting (added now) or already_waiting (nothing added)")
    arrival_id: int
    application_no: str
    lane: str
    position: int = Field(description="The car's place in its lane, 1 = next")
    arrived_at: datetime
    message: dict[str, str] = Field(description="What to tell the driver (id, en)")


class CarOut(_Model):
    arrival_id: int
    application_no: str
    arrived_at: datetime
    position: int


class LaneQueueOut(_Model):
    lane: str
    now: datetime
    cars: list[CarOut] = Field(description="The cars waiting, in arrival order")


class HandoverBody(_Model):
    proxy: bool = Field(default=False, description="Collected by a proxy with a surat kuasa")


class SendBody(_Model):
    reason: CounterReason = Field(description="identity, proxy_letter, documents or other")


class ClosedOut(_Model):
    arrival_id: int
    application_no: str
    status: str = Field(description="handed_over or sent_to_counter")
    at: datetime
    proxy: bool


def _device(actor: Actor) -> str:
    """Who scanned: a machine token's name, or the console user's."""
    if request.headers.get("Authorization", "").startswith(BEARER):
        return f"token:{actor.name}"
    return f"console:{actor.name}"


@endpoint(
    drive_thru_api,
    "/offices/<office>/drive-thru/lanes",
    summary="The office's drive-thru pickup lanes (the office file's drive_thru section)",
    roles=OFFICERS,
    response=LanesOut,
)
def lanes(office: str, actor: Actor) -> dict[str, Any]:
    found = services().drive_thru.lanes(office)
    return {"lanes": [{"id": lane.id, "name": lane.name} for lane in found]}


@endpoint(
    drive_thru_api,
    "/offices/<office>/drive-thru/lanes/<lane>/arrivals",
    method="POST",
    summary="A car's application QR scanned at the lane: a ready passport puts it in the "
    "lane (or answers its place if it waits already); not ready or unknown: refused, "
    "nothing kept",
    roles=OFFICERS,
    body=ArrivalBody,
    response=ArrivalOut,
    errors=(ApplicationInvalid, LaneNotFound, PassportNotDue, GoToCounter, PassportHandedOver),
)
def arrive(office: str, lane: str, body: ArrivalBody, actor: Actor) -> dict[str, Any]:
    return services().drive_thru.arrive(office, body.scan, lane=lane, device=_device(actor))


@endpoint(
    drive_thru_api,
    "/offices/<office>/drive-thru/lanes/<lane>/arrivals",
    summary="The cars waiting at the lane, in arrival order",
    roles=OFFICERS,
    response=LaneQueueOut,
    errors=(LaneNotFound,),
)
def lane_queue(office: str, lane: str, actor: Actor) -> dict[str, Any]:
    return services().drive_thru.lane_queue(office, lane)


@endpoint(
    drive_thru_api,
    f"/offices/<office>/drive-thru/arrivals/<{ROW_ID}:arrival_id>/handover",
    method="POST",
    summary="Hand the waiting car's passport over (identity checked; to a proxy with a surat "
    "kuasa if `proxy`): once only, audited; the car leaves the lane",
    roles=OFFICERS,
    body=HandoverBody,
    response=ClosedOut,
    errors=(ArrivalNotFound, ArrivalClosed, PassportNotReady, PassportHandedOver),
)
def hand_over(office: str, arrival_id: int, body: HandoverBody, actor: Actor) -> dict[str, Any]:
    return services().drive_thru.hand_over(office, arrival_id, proxy=body.proxy, actor=actor)


@endpoint(
    drive_thru_api,
    f"/offices/<office>/drive-thru/arrivals/<{ROW_ID}:arrival_id>/send-to-counter",
    method="POST",
    summary="The car cannot be served at the lane (e.g. identity): it leaves the lane for "
    "the pickup counter inside; audited with the reason",
    roles=OFFICERS,
    body=SendBody,
    response=ClosedOut,
    errors=(ArrivalNotFound, ArrivalClosed),
)
def send_to_counter(office: str, arrival_id: int, body: SendBody, actor: Actor) -> dict[str, Any]:
    return services().drive_thru.send_to_counter(
        office, arrival_id, reason=body.reason, actor=actor
    )
