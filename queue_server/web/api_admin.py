"""Administration: users, machine tokens, and the audit log (admins; audit also laporan,
its CSV export admins only).

An administrator limited to some offices sees and manages only the accounts within them.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, request

from queue_server.domain.ids import Role
from queue_server.services.accounts import (
    BadUsername,
    KioskNeedsToken,
    LastAdmin,
    UsernameTaken,
)
from queue_server.services.audit_query import (
    AuditFilterTooLong,
    AuditRangeReversed,
    BadAuditDate,
    parse_audit_filter,
)
from queue_server.services.devices import DeviceNotFound, new_broker_password
from queue_server.services.office_scope import OfficesRequired, OutsideYourOffices, UnknownOffice
from queue_server.services.passwords import WeakPassword
from queue_server.services.unit import Actor
from queue_server.web import responses, schemas
from queue_server.web.auth import services
from queue_server.web.exports import to_csv
from queue_server.web.roles import ADMIN_ONLY, SUPERVISORS
from queue_server.web.routing import ROW_ID, endpoint

admin = Blueprint("admin", __name__)
MAX_AUDIT_PAGE = 500
MAX_AUDIT_EXPORT = 100_000
AUDIT_FILTERS = "from=YYYY-MM-DD&to=YYYY-MM-DD (UTC days)&user=&action= (a family: auth.)"
AUDIT_COLUMNS = ("at", "actor", "action", "office", "target", "details", "remote_addr")
AUDIT_FILTER_ERRORS = (BadAuditDate, AuditRangeReversed, AuditFilterTooLong)
SCOPE_ERRORS = (UnknownOffice, OfficesRequired, OutsideYourOffices)


@endpoint(
    admin,
    "/users",
    summary="Users (an administrator of some offices sees the accounts of those offices)",
    roles=ADMIN_ONLY,
    response=responses.Users,
)
def users(actor: Actor) -> dict[str, Any]:
    built = services()
    return {"items": built.sign_in_guards.with_locks(built.accounts.list_users(actor=actor))}


@endpoint(
    admin,
    "/users",
    method="POST",
    summary="Create a user (password of at least 10 characters, not common or sequential)",
    roles=ADMIN_ONLY,
    body=schemas.UserBody,
    response=responses.User,
    errors=(BadUsername, WeakPassword, UsernameTaken, KioskNeedsToken, *SCOPE_ERRORS),
)
def create_user(body: schemas.UserBody, actor: Actor) -> Any:
    return services().accounts.create_user(
        body.username,
        body.display_name,
        body.password,
        Role(body.role),
        actor=actor,
        offices=body.offices,
    )


@endpoint(
    admin,
    "/users/<username>/deactivate",
    method="POST",
    summary="Deactivate a user: sessions end, the tokens the user created are revoked",
    roles=ADMIN_ONLY,
    response=responses.User,
    errors=(LastAdmin,),
)
def deactivate_user(username: str, actor: Actor) -> Any:
    return services().accounts.deactivate_user(username, actor=actor)


@endpoint(
    admin,
    "/users/<username>/unlock",
    method="POST",
    summary="Lift a user's lock after too many failed sign-ins now (audited)",
    roles=ADMIN_ONLY,
    response=responses.User,
)
def unlock_user(username: str, actor: Actor) -> Any:
    return services().sign_in_guards.unlock(username, actor=actor)


@endpoint(
    admin,
    "/tokens",
    summary="Machine tokens (never their secret): creator, offices, revoked or not",
    roles=ADMIN_ONLY,
    response=responses.Tokens,
)
def tokens(actor: Actor) -> dict[str, Any]:
    return {"items": services().accounts.list_tokens(actor=actor)}


@endpoint(
    admin,
    "/tokens",
    method="POST",
    summary="Create a machine token; the token is shown in this answer only",
    roles=ADMIN_ONLY,
    body=schemas.TokenBody,
    response=responses.TokenOut,
    errors=SCOPE_ERRORS,
)
def create_token(body: schemas.TokenBody, actor: Actor) -> dict[str, Any]:
    token = services().accounts.create_token(
        body.name, body.role, actor=actor, offices=body.offices
    )
    return {"token": token, "name": body.name, "role": body.role.value}


@endpoint(
    admin,
    f"/tokens/<{ROW_ID}:token_id>/revoke",
    method="POST",
    summary="Revoke a machine token; it stops working on this server at once",
    roles=ADMIN_ONLY,
    response=responses.TokenInfo,
)
def revoke_token(token_id: int, actor: Actor) -> Any:
    return services().accounts.revoke_token(token_id, actor=actor)


@endpoint(
    admin,
    "/audit",
    summary=f"Audit log, newest first (?limit=1..{MAX_AUDIT_PAGE}&offset=&{AUDIT_FILTERS})",
    roles=SUPERVISORS,
    response=responses.AuditLog,
    errors=AUDIT_FILTER_ERRORS,
)
def audit(actor: Actor) -> dict[str, Any]:
    limit = min(max(request.args.get("limit", 100, type=int) or 100, 1), MAX_AUDIT_PAGE)
    offset = min(max(request.args.get("offset", 0, type=int) or 0, 0), 10**9)
    matching = parse_audit_filter(request.args)
    entries = services().views.audit_log(
        limit=limit, offset=offset, offices=actor.offices, matching=matching
    )
    return {"items": entries}


@endpoint(
    admin,
    "/audit.csv",
    summary=f"The audit log as CSV, oldest first (at most {MAX_AUDIT_EXPORT} rows; "
    f"?{AUDIT_FILTERS}); text that could run as a formula starts with an apostrophe",
    roles=ADMIN_ONLY,
    errors=AUDIT_FILTER_ERRORS,
    media_type="text/csv",
)
def audit_csv(actor: Actor) -> Response:
    matching = parse_audit_filter(request.args)
    entries = services().views.audit_log(
        limit=MAX_AUDIT_EXPORT,
        offset=0,
        offices=actor.offices,
        matching=matching,
        oldest_first=True,
    )
    rows = [entry | {"details": json.dumps(entry["details"], sort_keys=True)} for entry in entries]
    response = Response(to_csv(AUDIT_COLUMNS, rows), mimetype="text/csv")
    day = services().clock().date().isoformat()
    response.headers["Content-Disposition"] = f'attachment; filename="antre-audit-{day}.csv"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@endpoint(
    admin,
    "/offices/<office>/devices",
    summary="Kiosks and displays: last status (online/offline), last seen, component health",
    roles=SUPERVISORS,
    response=responses.Devices,
)
def devices(office: str, actor: Actor) -> dict[str, Any]:
    return {"items": services().presence.fleet(office)}


@endpoint(
    admin,
    "/offices/<office>/devices/<device>/reset",
    method="POST",
    summary=(
        "Reset a device's credentials (audited): a new MQTT password, shown in this answer "
        "only; the old one and every browser paired with it stop working"
    ),
    roles=ADMIN_ONLY,
    response=responses.DeviceReset,
    errors=(DeviceNotFound,),
)
def reset_device(office: str, device: str, actor: Actor) -> dict[str, Any]:
    password, password_hash = new_broker_password()
    account = services().devices.reset(device, password_hash, actor=actor, office=office)
    return {
        "device": account.id,
        "kind": account.kind,
        "office": account.office,
        "mqtt_user": account.id,
        "mqtt_password": password,
    }
