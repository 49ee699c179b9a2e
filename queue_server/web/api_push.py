"""Live updates for browsers (server-sent events) and pairing a display's browser.

``GET /offices/<office>/stream`` sends a signed-in user's console, or a paired display
browser, what the displays of that office get over MQTT (see
:mod:`queue_server.push.hub`); ``GET /public/tickets/<token>/stream`` sends an
applicant's phone its ticket's status whenever it changes. Under ``antre serve`` the
view only authorises: the connection is then handed to the hub and no worker thread
stays busy (:class:`~queue_server.web.waitress_channel.StreamTask`). Anywhere else the
response is a generator fed by the same hub (one worker per open stream).

A display's browser is paired once with the device's id and password (``antre device
add`` printed it): the cookie ``antre_device`` (HttpOnly, SameSite=Strict) holds the
device id and a fingerprint of its password hash, signed with the server's key; it works
until the device is reset or deactivated, and reaches exactly what the device's MQTT
ACL lets it read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer

from queue_server.domain.errors import OfficeNotFound, TicketNotFound
from queue_server.domain.ids import Role
from queue_server.protocol import topics
from queue_server.push.connections import QueueConnection
from queue_server.push.hub import (
    Grant,
    PushHub,
    StateStream,
    TicketStream,
    device_filters,
    session_filters,
)
from queue_server.services.container import Services
from queue_server.services.devices import DeviceAccount
from queue_server.services.unit import Actor
from queue_server.web import responses, schemas
from queue_server.web.api_public import PUBLIC_LIMIT
from queue_server.web.auth import (
    BEARER,
    current_actor,
    limiter,
    login_limiter,
    refuse_if_limited,
    require_office,
    services,
)
from queue_server.web.errors import (
    DeviceKindRefused,
    Forbidden,
    NotPaired,
    OfficeForbidden,
    TooManyAttempts,
    TooManyStreams,
    Unauthenticated,
    WrongDevicePassword,
)
from queue_server.web.routing import PUBLIC, endpoint
from queue_server.web.waitress_channel import ATTACH, HANDOFF

push = Blueprint("push", __name__)
PUSH_EXTENSION = "antre_push"
DEVICE_COOKIE = "antre_device"
DEVICE_COOKIE_SALT = "antre-device-pairing"
#: How long a paired display's cookie lasts (browsers cap cookies at about 400 days).
DEVICE_COOKIE_DAYS = 400
BROWSER_KINDS = frozenset({"display", "counter-display"})
#: Who may watch an office's states with a session (not kiosks, not machine tokens).
WATCHERS = frozenset({Role.ADMIN, Role.PETUGAS, Role.LAPORAN})
#: What a client waits before retrying when every stream slot is taken.
RETRY_AFTER_S = 10
STREAM_HEADERS = {
    "Cache-Control": "no-cache, no-store",
    "X-Accel-Buffering": "no",  # nginx: pass each event on at once
}
EVENT_STREAM = "text/event-stream; charset=utf-8"


def hub() -> PushHub:
    built: PushHub = current_app.extensions[PUSH_EXTENSION]
    return built.start()


def ticket_status_json(built: Services) -> Callable[[str], bytes | None]:
    """The hub's ticket look-up: the same JSON as ``GET /public/tickets/<token>``."""

    def status(token: str) -> bytes | None:
        try:
            found = built.views.ticket_status(token)
        except TicketNotFound:
            return None
        return _compact(found.model_dump(mode="json"))

    return status


@endpoint(
    push,
    "/offices/<office>/stream",
    summary="Live states of an office as server-sent events (signed-in staff, or a paired "
    "display browser): the snapshot, `ready`, then every change; `: ping` every 15 s",
    roles=PUBLIC,
    errors=(Unauthenticated, Forbidden, OfficeForbidden, OfficeNotFound, TooManyStreams),
    media_type="text/event-stream",
)
def office_stream(office: str) -> Response:
    if not topics.ID_PATTERN.fullmatch(office):  # no office has such an id
        raise OfficeNotFound(office=office)
    filters, grant = _reach(office)
    if office not in {known["id"] for known in services().views.offices()}:
        raise OfficeNotFound(office=office)
    return _stream(lambda connection: StateStream(connection, office, filters, grant=grant))


@endpoint(
    push,
    "/public/tickets/<token>/stream",
    summary="A ticket's status as server-sent events (`event: ticket`): at once, then on "
    "every change, at most once a second; no personal data",
    roles=PUBLIC,
    errors=(TicketNotFound, TooManyAttempts, TooManyStreams),
    media_type="text/event-stream",
)
def ticket_stream(token: str) -> Response:
    refuse_if_limited(limiter(PUBLIC_LIMIT).hit(str(request.remote_addr)))
    views = services().views
    first = _compact(views.ticket_status(token).model_dump(mode="json"))
    office, service = views.ticket_scope(token)
    return _stream(lambda connection: TicketStream(connection, token, office, service, first))


@endpoint(
    push,
    "/devices/pair",
    method="POST",
    summary="Pair this browser as a display device (its id and the password `antre device "
    "add` printed); sets the HttpOnly cookie `antre_device`",
    roles=PUBLIC,
    body=schemas.PairBody,
    response=responses.PairedDevice,
    errors=(WrongDevicePassword, DeviceKindRefused, TooManyAttempts),
)
def pair(body: schemas.PairBody) -> Response:
    address = str(request.remote_addr)
    name = f"device:{body.device}"
    refuse_if_limited(login_limiter().retry_after(address, name))
    account = services().devices.authenticate(body.device, body.password)
    if account is None:
        login_limiter().record_failure(address, name)
        raise WrongDevicePassword()
    if account.kind not in BROWSER_KINDS:
        raise DeviceKindRefused(kind=account.kind)
    response = _reply_device(account)
    response.set_cookie(
        DEVICE_COOKIE,
        _signer().dumps({"d": account.id, "h": _fingerprint(account)}),
        max_age=DEVICE_COOKIE_DAYS * 86400,
        httponly=True,
        samesite="Strict",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        path="/",
    )
    return response


@endpoint(
    push,
    "/devices/me",
    summary="Which display device this browser is paired as (401 when it is not)",
    roles=PUBLIC,
    response=responses.PairedDevice,
    errors=(NotPaired,),
)
def paired_me() -> Response:
    account = paired_device()
    if account is None:
        raise NotPaired()
    return _reply_device(account)


@endpoint(
    push,
    "/devices/unpair",
    method="POST",
    summary="Forget this browser's pairing (the device itself stays registered); 401 "
    "`not_paired` when the request carries no pairing cookie",
    roles=PUBLIC,
    response=responses.Ok,
    errors=(NotPaired,),
)
def unpair() -> Response:
    # The cookie is SameSite=Strict: a request without it may come from another site (a
    # form posted there), which must not unpair the screen by answering Set-Cookie.
    if DEVICE_COOKIE not in request.cookies:
        raise NotPaired()
    response = Response(json.dumps({"ok": True}), mimetype="application/json")
    response.delete_cookie(DEVICE_COOKIE, path="/", samesite="Strict", httponly=True)
    return response


def paired_device() -> DeviceAccount | None:
    """The display device this browser was paired as, if its pairing still holds."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return None
    try:
        data = _signer().loads(cookie, max_age=DEVICE_COOKIE_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), str):
        return None
    account = services().devices.account(data["d"])
    if account is None or account.kind not in BROWSER_KINDS:
        return None
    if data.get("h") != _fingerprint(account):  # reset since: the pairing ended
        return None
    return account


def _reach(office: str) -> tuple[tuple[str, ...], Grant]:
    """The topics the caller may follow in ``office`` and what allows it (the hub checks
    it again while the stream is open); raises 401/403."""
    if request.headers.get("Authorization", "").startswith(BEARER):
        current_actor()  # a wrong token is 401; a good one is still a machine: 403
        raise Forbidden()
    if isinstance(session.get("sid"), str):
        try:
            actor: Actor | None = current_actor()
        except Unauthenticated:  # the session ended: a paired screen may still be one
            actor = None
        if actor is not None:
            if actor.role not in WATCHERS:
                raise Forbidden()
            require_office(actor, office)
            return session_filters(office), _session_grant(str(session["sid"]), office)
    device = paired_device()
    if device is None:
        raise Unauthenticated()
    if device.office != office:
        raise OfficeForbidden(office=office)
    return device_filters(office, device.kind), _device_grant(device)


def _session_grant(session_id: str, office: str) -> Grant:
    """Holds while the session lives, its account is active and may watch ``office``."""
    accounts = services().accounts

    def still_valid() -> bool:
        actor = accounts.session_actor(session_id)
        return actor is not None and actor.role in WATCHERS and actor.may_act_in(office)

    key = hashlib.sha256(f"session {session_id} {office}".encode()).hexdigest()
    return Grant(key, still_valid)


def _device_grant(device: DeviceAccount) -> Grant:
    """Holds while the device is active, of the same kind and office, and not reset."""
    devices, fingerprint = services().devices, _fingerprint(device)

    def still_valid() -> bool:
        now = devices.account(device.id)
        return (
            now is not None
            and (now.kind, now.office) == (device.kind, device.office)
            and _fingerprint(now) == fingerprint
        )

    return Grant(f"device {device.id} {fingerprint}", still_valid)


def _stream(make: Callable[[Any], StateStream | TicketStream]) -> Response:
    """Answer with the event stream; the stream is attached once the headers are out."""
    built = hub()
    if request.method != "GET":  # HEAD: the headers only, no stream
        return _event_stream(iter(()))
    if not built.has_room():
        raise TooManyStreams(seconds=RETRY_AFTER_S)
    environ = request.environ
    may_stream = environ.get(HANDOFF)
    if may_stream is not None:  # waitress: the task hands the connection over after this
        if not may_stream():
            raise TooManyStreams(seconds=RETRY_AFTER_S)

        def attach(connection: Any) -> None:
            connection.on_closed = lambda: built.detach(connection)
            built.attach(make(connection))

        environ[ATTACH] = attach
        body: Any = iter(())
    else:
        queued = QueueConnection()
        queued.on_closed = lambda: built.detach(queued)
        built.attach(make(queued))
        body = queued.chunks()
    return _event_stream(body)


def _event_stream(body: Any) -> Response:
    response = Response(body, mimetype="text/event-stream", headers=STREAM_HEADERS)
    response.headers["Content-Type"] = EVENT_STREAM
    return response


def _reply_device(account: DeviceAccount) -> Response:
    data = responses.PairedDevice(
        device=account.id, kind=account.kind, office=account.office, counter=account.counter
    ).model_dump(mode="json")
    return Response(_compact(data), mimetype="application/json")


def _fingerprint(account: DeviceAccount) -> str:
    return hashlib.sha256(account.password_hash.encode()).hexdigest()[:32]


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_COOKIE_SALT)


def _compact(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
