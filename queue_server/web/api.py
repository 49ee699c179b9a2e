"""JSON API v1 under ``/api/v1``: the document, sign-in, and the audience blueprints.

Roles per audience: :mod:`~queue_server.web.api_public` (no sign-in, issuing),
:mod:`~queue_server.web.api_officer` (counters and tickets),
:mod:`~queue_server.web.api_admin` (users, tokens, audit).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request, session

from queue_server import __version__
from queue_server.services.unit import Actor
from queue_server.web import responses, schemas
from queue_server.web.api_admin import admin
from queue_server.web.api_officer import officer
from queue_server.web.api_public import public
from queue_server.web.auth import (
    limiter,
    refuse_if_limited,
    services,
    session_csrf,
    start_session,
)
from queue_server.web.errors import TooManyAttempts, WrongCredentials
from queue_server.web.openapi import openapi_document
from queue_server.web.roles import SIGNED_IN
from queue_server.web.routing import PUBLIC, endpoint

api = Blueprint("api", __name__, url_prefix="/api/v1")
meta = Blueprint("meta", __name__)
auth = Blueprint("auth", __name__, url_prefix="/auth")
LOGIN_LIMIT = "login"


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
    errors=(WrongCredentials, TooManyAttempts),
)
def login(body: schemas.LoginBody) -> dict[str, Any]:
    # Only failures count, per address and user name: a typo-prone officer is not locked out
    # by their own successful sign-ins, and a guesser gets `limit` tries per window.
    key = f"{request.remote_addr}|{body.username}"
    refuse_if_limited(LOGIN_LIMIT, key)
    actor = services().accounts.authenticate(
        body.username, body.password, remote_addr=request.remote_addr
    )
    if actor is None:
        limiter(LOGIN_LIMIT).record(key)
        raise WrongCredentials()
    csrf_token = start_session(actor)
    return {"user": _summary(actor), "csrf_token": csrf_token}


@endpoint(
    auth, "/logout", method="POST", summary="Sign out", roles=SIGNED_IN, response=responses.Ok
)
def logout(actor: Actor) -> dict[str, Any]:
    session.clear()
    return {"ok": True}


@endpoint(auth, "/me", summary="Who am I", roles=SIGNED_IN, response=responses.SessionOut)
def me(actor: Actor) -> dict[str, Any]:
    return {"user": _summary(actor), "csrf_token": session_csrf()}


def _summary(actor: Actor) -> dict[str, Any]:
    return {
        "id": actor.user_id,
        "username": actor.name,
        "role": actor.role.value if actor.role else None,
    }


for child in (meta, auth, public, officer, admin):
    api.register_blueprint(child)
