"""JSON API v1: public status, issuing, officer actions, admin. Declared via ``api_route``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, session

from queue_server.domain.ids import Role, TicketSource
from queue_server.services.issuing import IssueRequest
from queue_server.services.officer import TicketView, TransferTarget
from queue_server.web import schemas
from queue_server.web.auth import authenticate_request, services, start_session
from queue_server.web.errors import TooManyAttempts, WrongCredentials
from queue_server.web.registry import View, api_route, openapi_document

api = Blueprint("api", __name__, url_prefix="/api/v1")
OFFICERS = (Role.ADMIN, Role.PETUGAS)
ISSUERS = (Role.ADMIN, Role.PETUGAS, Role.KIOSK)
READERS = (Role.ADMIN, Role.PETUGAS, Role.LAPORAN, Role.KIOSK)
COUNTER = "/offices/<office>/counters/<counter>"


def ticket_json(view: TicketView | None) -> dict[str, Any] | None:
    return None if view is None else asdict(view)


def _limited(limiter_name: str, key: str) -> None:
    wait_s = current_app.extensions["antre_limits"][limiter_name].hit(key)
    if wait_s is not None:
        raise TooManyAttempts(seconds=max(1, int(wait_s + 0.999)))


@api_route(
    api,
    "/openapi.json",
    summary="This OpenAPI document",
    roles=None,
    tag="meta",
    response=schemas.Document,
)
def openapi() -> Response:
    from queue_server import __version__

    return jsonify(openapi_document(__version__))


@api_route(
    api,
    "/auth/login",
    method="POST",
    summary="Sign in (browser session)",
    roles=None,
    body=schemas.LoginBody,
    tag="auth",
    errors=("wrong_credentials", "rate_limited"),
)
def login() -> Response:
    body: schemas.LoginBody = g.body
    _limited("login", f"{request.remote_addr}|{body.username}")
    actor = services().accounts.authenticate(body.username, body.password)
    if actor is None:
        raise WrongCredentials()
    csrf = start_session(actor)
    role = actor.role.value if actor.role else None
    return jsonify({"user": {"username": actor.name, "role": role}, "csrf_token": csrf})


@api_route(api, "/auth/logout", method="POST", summary="Sign out", roles=READERS, tag="auth")
def logout() -> Response:
    session.clear()
    return jsonify({"ok": True})


@api_route(api, "/auth/me", summary="Who am I", roles=READERS, tag="auth")
def me() -> Response:
    actor = authenticate_request()
    role = actor.role.value if actor.role else None
    return jsonify(
        {"user": {"username": actor.name, "role": role}, "csrf_token": session.get("csrf_token")}
    )


@api_route(api, "/offices", summary="Offices served here", roles=None, response=schemas.Listing)
def offices() -> Response:
    return jsonify({"items": services().views.offices()})


@api_route(
    api,
    "/offices/<office>/services",
    summary="Services with their queue state",
    roles=None,
    response=schemas.Listing,
)
def service_list(office: str) -> Response:
    return jsonify({"items": services().views.services(office)})


@api_route(
    api,
    "/offices/<office>/services/<service>/queue",
    summary="Queue state of a service",
    roles=None,
    response=schemas.Document,
)
def queue_state(office: str, service: str) -> Response:
    return jsonify(services().views.queue_state(office, service))


@api_route(
    api,
    "/public/tickets/<token>",
    summary="Public ticket status (by its secret token)",
    roles=None,
    response=schemas.Document,
    tag="public",
    errors=("not_found",),
)
def ticket_status(token: str) -> Response:
    _limited("public", str(request.remote_addr))
    return jsonify(services().views.ticket_status(token))


@api_route(
    api,
    "/offices/<office>/tickets",
    method="POST",
    summary="Issue a ticket",
    roles=ISSUERS,
    body=schemas.IssueBody,
    response=schemas.IssuedTicketOut,
    errors=("quota_full", "service_closed", "booking_required", "booking_window"),
)
def issue(office: str) -> Response:
    body: schemas.IssueBody = g.body
    actor = authenticate_request()
    source = TicketSource.KIOSK if actor.role is Role.KIOSK else TicketSource.OFFICER
    issued = services().issuing.issue(
        IssueRequest(office=office, source=source, **body.model_dump()), actor=actor
    )
    payload = asdict(issued)
    payload["status_url"] = f"/api/v1/public/tickets/{issued.token}"
    return jsonify(schemas.IssuedTicketOut(**payload).model_dump(mode="json"))


@api_route(
    api,
    "/offices/<office>/counters",
    summary="Counters and what they serve now",
    roles=READERS,
    response=schemas.Listing,
    tag="officer",
)
def counters(office: str) -> Response:
    return jsonify({"items": services().views.counters(office)})


@api_route(
    api,
    f"{COUNTER}/queue",
    summary="The counter's waiting list in call order",
    roles=(*OFFICERS, Role.LAPORAN),
    response=schemas.Listing,
    tag="officer",
)
def counter_queue(office: str, counter: str) -> Response:
    return jsonify({"items": services().views.waiting_list(office, counter)})


def _counter_action(
    rule: str, summary: str, body: type[schemas.Body] | None = None
) -> Callable[[View], View]:
    return api_route(
        api,
        f"{COUNTER}/{rule}",
        method="POST",
        summary=summary,
        roles=OFFICERS,
        body=body,
        response=schemas.MovedOut,
        tag="officer",
    )


@_counter_action("open", "Open the counter")
def open_counter(office: str, counter: str) -> Response:
    services().officer.open_counter(office, counter, actor=authenticate_request())
    return jsonify({"counter": counter, "is_open": True})


@_counter_action("close", "Close the counter (it must be free)")
def close_counter(office: str, counter: str) -> Response:
    services().officer.close_counter(office, counter, actor=authenticate_request())
    return jsonify({"counter": counter, "is_open": False})


def _moved(ticket: TicketView, following: TicketView | None = None) -> Response:
    return jsonify({"ticket": ticket_json(ticket), "next": ticket_json(following)})


@_counter_action("call-next", "Call the next ticket by the calling policy")
def call_next(office: str, counter: str) -> Response:
    return _moved(services().officer.call_next(office, counter, actor=authenticate_request()))


@_counter_action(
    "call",
    "Call a specific ticket (waiting, parked, or no-show in grace)",
    schemas.CallSpecificBody,
)
def call_specific(office: str, counter: str) -> Response:
    body: schemas.CallSpecificBody = g.body
    return _moved(
        services().officer.call_specific(
            office, counter, body.ticket_id, actor=authenticate_request()
        )
    )


@_counter_action("recall", "Call the current ticket again")
def recall(office: str, counter: str) -> Response:
    return _moved(services().officer.recall(office, counter, actor=authenticate_request()))


@_counter_action("start", "Start serving the called ticket")
def start(office: str, counter: str) -> Response:
    return _moved(services().officer.start(office, counter, actor=authenticate_request()))


@_counter_action("no-show", "Mark the called ticket as not present")
def no_show(office: str, counter: str) -> Response:
    return _moved(services().officer.no_show(office, counter, actor=authenticate_request()))


@_counter_action("park", "Park the current ticket", schemas.ParkBody)
def park(office: str, counter: str) -> Response:
    body: schemas.ParkBody = g.body
    return _moved(
        services().officer.park(office, counter, actor=authenticate_request(), note=body.note)
    )


@_counter_action("finish", "Finish; the visit moves to its next same-day step", schemas.FinishBody)
def finish(office: str, counter: str) -> Response:
    body: schemas.FinishBody = g.body
    return _moved(
        *services().officer.finish(
            office, counter, actor=authenticate_request(), end_visit=body.end_visit
        )
    )


@_counter_action(
    "transfer", "Transfer to the next step, another service or a station", schemas.TransferBody
)
def transfer(office: str, counter: str) -> Response:
    body: schemas.TransferBody = g.body
    target = TransferTarget(service=body.service, step=body.step, station=body.station)
    return _moved(
        *services().officer.transfer(office, counter, target, actor=authenticate_request())
    )


@api_route(
    api,
    "/offices/<office>/tickets/<int:ticket_id>/cancel",
    method="POST",
    summary="Cancel a waiting, parked or no-show ticket",
    roles=OFFICERS,
    response=schemas.MovedOut,
    tag="officer",
)
def cancel(office: str, ticket_id: int) -> Response:
    return _moved(services().officer.cancel(office, ticket_id, actor=authenticate_request()))


@api_route(
    api,
    "/offices/<office>/tickets/<int:ticket_id>/reactivate",
    method="POST",
    summary="Put a no-show back in its place (within the grace period)",
    roles=OFFICERS,
    response=schemas.MovedOut,
    tag="officer",
)
def reactivate(office: str, ticket_id: int) -> Response:
    return _moved(services().officer.reactivate(office, ticket_id, actor=authenticate_request()))


@api_route(
    api, "/users", summary="Users", roles=(Role.ADMIN,), response=schemas.Listing, tag="admin"
)
def users() -> Response:
    return jsonify({"items": [asdict(user) for user in services().accounts.list_users()]})


@api_route(
    api,
    "/users",
    method="POST",
    summary="Create a user",
    roles=(Role.ADMIN,),
    body=schemas.UserBody,
    response=schemas.Document,
    tag="admin",
)
def create_user(**_: Any) -> Response:
    body: schemas.UserBody = g.body
    user = services().accounts.create_user(
        body.username,
        body.display_name,
        body.password,
        Role(body.role),
        actor=authenticate_request(),
    )
    return jsonify(asdict(user))


@api_route(
    api,
    "/tokens",
    method="POST",
    summary="Create a machine token (shown once)",
    roles=(Role.ADMIN,),
    body=schemas.TokenBody,
    response=schemas.TokenOut,
    tag="admin",
)
def create_token() -> Response:
    body: schemas.TokenBody = g.body
    token = services().accounts.create_token(body.name, body.role, actor=authenticate_request())
    return jsonify({"token": token, "name": body.name, "role": body.role.value})


@api_route(
    api,
    "/audit",
    summary="Audit log, newest first",
    roles=(Role.ADMIN, Role.LAPORAN),
    response=schemas.Listing,
    tag="admin",
)
def audit() -> Response:
    limit = min(max(request.args.get("limit", 100, type=int) or 100, 1), 500)
    offset = max(request.args.get("offset", 0, type=int) or 0, 0)
    return jsonify({"items": services().views.audit_log(limit=limit, offset=offset)})
