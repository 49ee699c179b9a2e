"""Every error leaves as JSON ``{"error": {"code", "message", "messages": {"id", "en"}}}``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from queue_server.domain.errors import DomainError
from queue_server.i18n import both, negotiate

log = logging.getLogger(__name__)


class WebError(DomainError):
    """Errors of the HTTP boundary itself (auth, CSRF, malformed requests)."""


class BadJson(WebError):
    code = "bad_json"
    template = "The request body is not valid JSON."
    http_status = 400


class Unauthenticated(WebError):
    code = "unauthenticated"
    template = "You must sign in first."
    http_status = 401


class Forbidden(WebError):
    code = "forbidden"
    template = "Your role does not allow this action."
    http_status = 403


class CsrfFailed(WebError):
    code = "csrf_failed"
    template = "The CSRF token is missing or wrong."
    http_status = 403


class WrongCredentials(WebError):
    code = "wrong_credentials"
    template = "Wrong username or password."
    http_status = 401


class TooManyAttempts(WebError):
    code = "rate_limited"
    template = "Too many attempts; try again in {seconds} seconds."
    http_status = 429


HTTP_MESSAGES: dict[int, tuple[str, str]] = {
    404: ("not_found", "The resource was not found."),
    405: ("method_not_allowed", "Method not allowed."),
    400: ("bad_request", "The request body is not valid JSON."),
}
CONFLICT = ("conflict", "The request conflicts with the current state; try again.")


def error_response(code: str, msgid: str, status: int, **params: object) -> Response:
    messages = both(msgid, **params)
    language = negotiate(request.headers.get("Accept-Language"))
    response = jsonify(
        {"error": {"code": code, "message": messages[language], "messages": messages}}
    )
    response.status_code = status
    return response


def _domain(error: DomainError) -> Response:
    response = error_response(error.code, error.template, error.http_status, **error.params)
    if isinstance(error, TooManyAttempts):
        response.headers["Retry-After"] = str(error.params.get("seconds", 60))
    return response


def _validation(error: ValidationError) -> Response:
    first: dict[str, Any] = dict(error.errors()[0])
    field = ".".join(str(part) for part in first.get("loc", ())) or "body"
    response = error_response(
        "invalid_field",
        "Field {field}: {problem}",
        422,
        field=field,
        problem=first.get("msg", "invalid"),
    )
    return response


def _http(error: HTTPException) -> Response:
    status = error.code or 500
    code, msgid = HTTP_MESSAGES.get(status, ("http_error", "The resource was not found."))
    return error_response(code, msgid, status)


def _database(error: Exception) -> Response:
    log.warning("database conflict: %s", type(error).__name__)
    return error_response(CONFLICT[0], CONFLICT[1], 409)


def _unexpected(error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response("internal", "Internal error; the request was not applied.", 500)


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain)
    app.register_error_handler(ValidationError, _validation)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(IntegrityError, _database)
    app.register_error_handler(OperationalError, _database)
    app.register_error_handler(Exception, _unexpected)
