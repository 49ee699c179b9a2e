"""JSON API v1 under ``/api/v1``: the document, sign-in, and the audience blueprints.

Roles per audience: :mod:`~queue_server.web.api_public` (no sign-in, issuing),
:mod:`~queue_server.web.api_officer` (counters and tickets),
:mod:`~queue_server.web.api_admin` (users, tokens, audit).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request

from queue_server import __version__
from queue_server.services.accounts import WrongPassword
from queue_server.services.passwords import WeakPassword
from queue_server.services.unit import Actor
from queue_server.web import responses, schemas
from queue_server.web.api_admin import admin
from queue_server.web.api_console import console_api
from queue_server.web.api_dashboard import dashboard_api
from queue_server.web.api_drive_thru import drive_thru_api
from queue_server.web.api_notifications import notifications_api
from queue_server.web.api_office_config import office_config
from queue_server.web.api_officer import officer
from queue_server.web.api_passports import passports_api
from queue_server.web.api_public import public
from queue_server.web.api_push import push
from queue_server.web.api_registrations import registrations_api
from queue_server.web.api_reports import reports_api
from queue_server.web.api_screens import screens_api
from queue_server.web.auth import (
    end_session,
    record_sign_in,
    record_sign_in_failure,
    refuse_sign_in_if_limited,
    services,
    session_csrf,
    start_session,
)
from queue_server.web.errors import AccountLocked, TooManyAttempts, WrongCredentials
from queue_server.web.openapi import openapi_document
from queue_server.web.roles import SIGNED_IN, STAFF
from queue_server.web.routing import PUBLIC, endpoint

api = Blueprint("api", __name__, url_prefix="/api/v1")
meta = Blueprint("meta", __name__)
auth = Blueprint("auth", __name__, url_prefix="/auth")


@endpoint(meta, "/openapi.json", summary="This OpenAPI 3.1 document", roles=PUBLIC)
def openapi() -> dict[str, Any]:
    document: dict[str, Any] | None = current_app.extensions.get("antre_openapi")
    if document is None:
        document = openapi_document(current_app, __version__)
        current_app.extensions["antre_openapi"] = document
    return document


@endpoint(
    auth,
    "/login",
    method="POST",
    summary="Sign in (browser session); returns the CSRF token for later requests",
    roles=PUBLIC,
    body=schemas.LoginBody,
    response=responses.SessionOut,
    errors=(WrongCredentials, TooManyAttempts, AccountLocked),
)
def login(body: schemas.LoginBody) -> dict[str, Any]:
    # Only failures count, per address and user name and per address across names.
    # A name locked after failures from many addresses is refused before its password.
    address = str(request.remote_addr)
    refuse_sign_in_if_limited(address, body.username)
    actor = services().accounts.authenticate(
        body.username, body.password, remote_addr=request.remote_addr
    )
    if actor is None:
        record_sign_in_failure(address, body.username)
        raise WrongCredentials()
    record_sign_in(address, body.username)
    csrf_token = start_session(actor)
    return {"user": _summary(actor), "csrf_token": csrf_token}


@endpoint(
    auth,
    "/logout",
    method="POST",
    summary="Sign out: the session ends on the server (a copied cookie no longer works)",
    roles=SIGNED_IN,
    response=responses.Ok,
)
def logout(actor: Actor) -> dict[str, Any]:
    end_session()
    return {"ok": True}


@endpoint(
    auth,
    "/password",
    method="POST",
    summary="Change your password: every session of yours ends, this one is renewed",
    roles=STAFF,
    body=schemas.PasswordBody,
    response=responses.SessionOut,
    errors=(WrongPassword, WeakPassword, TooManyAttempts, AccountLocked),
)
def change_password(body: schemas.PasswordBody, actor: Actor) -> dict[str, Any]:
    if actor.user_id is None:  # a machine token has no password
        raise WrongPassword()
    address = str(request.remote_addr)
    refuse_sign_in_if_limited(address, actor.name)
    try:
        services().accounts.change_password(actor, body.current_password, body.new_password)
    except WrongPassword:
        record_sign_in_failure(address, actor.name)
        raise
    return {"user": _summary(actor), "csrf_token": start_session(actor)}


@endpoint(auth, "/me", summary="Who am I", roles=SIGNED_IN, response=responses.SessionOut)
def me(actor: Actor) -> dict[str, Any]:
    return {"user": _summary(actor), "csrf_token": session_csrf()}


def _summary(actor: Actor) -> dict[str, Any]:
    return {
        "id": actor.user_id,
        "username": actor.name,
        "role": actor.role.value if actor.role else None,
        "offices": None if actor.offices is None else sorted(actor.offices),
    }


for child in (
    meta,
    auth,
    public,
    officer,
    admin,
    push,
    console_api,
    screens_api,
    reports_api,
    dashboard_api,
):
    api.register_blueprint(child)
api.register_blueprint(office_config)  # configuration by the API (issue 11)
api.register_blueprint(passports_api)  # passport-ready records (issue 12)
api.register_blueprint(notifications_api)  # notifications: status, opt-outs, BAP (issue 12)
api.register_blueprint(drive_thru_api)  # the drive-thru pickup lane (issue 12)
api.register_blueprint(registrations_api)  # the admin's view of registrations (issue 12)
