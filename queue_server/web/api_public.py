"""What applicants, kiosks and lobby screens read, and issuing a ticket."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, request

from queue_server.domain.errors import (
    BookingNotFound,
    BookingOtherDay,
    BookingRequired,
    BookingUsed,
    BookingWindow,
    DocumentsNotReady,
    InvalidNik,
    QuotaFull,
    ServiceClosed,
    ServiceInactive,
    UnknownPriorityCategory,
)
from queue_server.domain.ids import Role, TicketSource
from queue_server.services.booking_checks import BookingOtherService
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from queue_server.web import responses, schemas
from queue_server.web.auth import limiter, services
from queue_server.web.errors import TooManyAttempts
from queue_server.web.roles import ISSUERS
from queue_server.web.routing import PUBLIC, endpoint

public = Blueprint("public", __name__)
PUBLIC_LIMIT = "public"
OFFICE = "/offices/<office>"


@endpoint(
    public, "/offices", summary="Offices served here", roles=PUBLIC, response=responses.Offices
)
def offices() -> dict[str, Any]:
    return {"items": services().views.offices()}


@endpoint(
    public,
    f"{OFFICE}/services",
    summary="Active services with their queue state",
    roles=PUBLIC,
    response=responses.ServiceList,
)
def service_list(office: str) -> dict[str, Any]:
    return {"items": services().views.services_overview(office)}


@endpoint(
    public,
    f"{OFFICE}/services/<service>/queue",
    summary="Queue state of one service: waiting, estimated wait, quota, opening",
    roles=PUBLIC,
    response=responses.QueueState,
    errors=(ServiceInactive,),
)
def queue_state(office: str, service: str) -> responses.QueueState:
    return services().views.queue_state(office, service)


@endpoint(
    public,
    "/public/tickets/<token>",
    summary="A ticket's status by its secret token (the QR on the ticket); no personal data",
    roles=PUBLIC,
    response=responses.PublicTicket,
    errors=(TooManyAttempts,),
)
def ticket_status(token: str) -> responses.PublicTicket:
    wait_s = limiter(PUBLIC_LIMIT).hit(str(request.remote_addr))
    if wait_s is not None:
        raise TooManyAttempts(seconds=max(1, int(wait_s + 0.999)))
    return services().views.ticket_status(token)


@endpoint(
    public,
    f"{OFFICE}/tickets",
    method="POST",
    summary="Issue a ticket (source: kiosk for kiosk tokens, officer for users); "
    "a booked service needs booking_ref, checked as at the kiosk's check-in",
    roles=ISSUERS,
    body=schemas.IssueBody,
    response=responses.IssuedTicket,
    errors=(
        QuotaFull,
        ServiceClosed,
        ServiceInactive,
        BookingRequired,
        BookingWindow,
        BookingNotFound,
        BookingUsed,
        BookingOtherDay,
        BookingOtherService,
        DocumentsNotReady,
        InvalidNik,
        UnknownPriorityCategory,
    ),
)
def issue(office: str, body: schemas.IssueBody, actor: Actor) -> dict[str, Any]:
    source = TicketSource.KIOSK if actor.role is Role.KIOSK else TicketSource.OFFICER
    request_data = IssueRequest(office=office, source=source, **body.model_dump())
    issued = services().issuing.issue(request_data, actor=actor)
    return asdict(issued) | {
        "status_url": f"/api/v1/public/tickets/{issued.token}",
        "status_page": f"/t/{issued.token}",
    }
