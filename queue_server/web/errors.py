"""Every error leaves as JSON ``{"error": {"code", "message", "messages": {"id", "en"}}}``.

``message`` is in the language negotiated from Accept-Language (Indonesian by default).
Nothing here logs request bodies, paths with secrets, or exception messages (a database
error's message can carry statement parameters, i.e. personal data).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping

from flask import Flask, Response, jsonify, request
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from queue_server.domain.errors import DomainError
from queue_server.i18n import both, negotiate
from queue_server.i18n.notes import note_texts, pydantic_note

log = logging.getLogger(__name__)


class WebError(DomainError):
    """Errors of the HTTP boundary itself (auth, CSRF, malformed requests)."""


class BadJson(WebError):
    code = "bad_json"
    template = "The request body is not valid JSON."
    http_status = 400


class TooDeep(WebError):
    code = "too_deep"
    template = "The request body is nested too deeply (at most {depth} levels)."
    http_status = 400


class NumberTooLong(WebError):
    code = "number_too_long"
    template = "A number in the request body is too long (at most {digits} characters)."
    http_status = 400


class Unauthenticated(WebError):
    code = "unauthenticated"
    template = "You must sign in first."
    http_status = 401


class Forbidden(WebError):
    code = "forbidden"
    template = "Your role does not allow this action."
    http_status = 403


class OfficeForbidden(WebError):
    code = "office_forbidden"
    template = "Your account may not act in office {office}."
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


class AccountLocked(TooManyAttempts):
    code = "account_locked"
    template = (
        "This account is locked for {minutes} minutes after too many failed sign-ins; "
        "try again later."
    )


class WrongDevicePassword(WebError):
    code = "wrong_device_password"
    template = "Wrong device id or password."
    http_status = 401


class DeviceKindRefused(WebError):
    code = "device_kind_refused"
    template = "Only a display or counter display can be paired with a browser, not a {kind}."
    http_status = 403


class NotPaired(WebError):
    code = "not_paired"
    template = "This browser is not paired with a display device."
    http_status = 401


class TooManyStreams(WebError):
    code = "too_many_streams"
    template = "Too many live connections are open; try again in {seconds} seconds."
    http_status = 503


class InvalidField(WebError):
    """Documents the 422 answer to a body that fails validation (raised by pydantic)."""

    code = "invalid_field"
    template = "Field {field}: {problem}"
    http_status = 422


class Conflict(WebError):
    """Documents the 409 answer to a database conflict (raised by SQLAlchemy)."""

    code = "conflict"
    template = "The request conflicts with the current state; try again."
    http_status = 409


NOT_FOUND = ("not_found", "The resource was not found.")
HTTP_MESSAGES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request body is not valid JSON."),
    404: NOT_FOUND,
    405: ("method_not_allowed", "Method not allowed."),
    413: ("too_large", "The request body is too large."),
}
INTERNAL = ("internal", "Internal error; the request was not applied.")


def error_response(
    code: str, msgid: str, http_status: int, params: Mapping[str, object] | None = None
) -> Response:
    """The JSON error body; ``params`` fill the msgid's placeholders (never ``**``: a
    placeholder may be called anything, ``status`` included)."""
    try:
        messages = both(msgid, **(params or {}))
    except (KeyError, IndexError, ValueError):  # a placeholder without its parameter
        log.error("error message %r lacks parameters", msgid)
        messages = both(msgid)
    language = negotiate(request.headers.get("Accept-Language"))
    response = jsonify(
        {"error": {"code": code, "message": messages[language], "messages": messages}}
    )
    response.status_code = http_status
    response.headers["Content-Language"] = language
    return response


def _domain(error: DomainError) -> Response:
    response = error_response(error.code, error.template, error.http_status, error.params)
    if isinstance(error, TooManyAttempts | TooManyStreams):
        response.headers["Retry-After"] = str(error.params.get("seconds", 60))
    return response


def _validation(error: ValidationError) -> Response:
    first = error.errors(include_url=False, include_input=False)[0]
    field = ".".join(str(part) for part in first.get("loc", ())) or "body"
    problem = note_texts(pydantic_note("", first))  # pydantic's English, and Indonesian
    return error_response(
        InvalidField.code, InvalidField.template, 422, {"field": field, "problem": problem}
    )


TOO_LARGE_WITH_LIMIT = "The request body is too large (at most {limit})."


def _size(limit: int) -> str:
    """A body limit in words: the routes allow ``N + 1`` bytes for a limit of N."""
    if limit >= 1_000_000:
        return f"{limit // 1_000_000} MB"
    return f"{limit // 1024} KB"


def _http(error: HTTPException) -> Response:
    status = error.code or 500
    fallback = HTTP_MESSAGES[400] if status < 500 else INTERNAL
    code, msgid = HTTP_MESSAGES.get(status, fallback)
    limit = request.max_content_length if status == 413 else None
    if limit:  # say how large a body may be (the bookings CSV 2 MB, an office file 1 MB)
        response = error_response(code, TOO_LARGE_WITH_LIMIT, status, {"limit": _size(limit)})
    else:
        response = error_response(code, msgid, status)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _database(error: Exception) -> Response:
    log.warning("database conflict on %s: %s", _where(), type(error).__name__)
    return error_response(Conflict.code, Conflict.template, 409)


def _unexpected(error: Exception) -> Response:
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("unhandled %s on %s\n%s", type(error).__name__, _where(), frames)
    return error_response(*INTERNAL, 500)


def _where() -> str:
    """The route pattern, not the path: paths may carry a public ticket's secret token."""
    rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
    return f"{request.method} {rule}"


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain)
    app.register_error_handler(ValidationError, _validation)
    app.register_error_handler(HTTPException, _http)
    for database_error in (IntegrityError, OperationalError, PoolTimeout):
        app.register_error_handler(database_error, _database)
    app.register_error_handler(Exception, _unexpected)
