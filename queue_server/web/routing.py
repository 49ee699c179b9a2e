"""Declare each JSON endpoint once: rule, method, roles, body and response models, errors.

:func:`endpoint` registers the Flask view and wraps it so that, before the view runs,
the caller is authenticated and its role checked (and, on a route under
``/offices/<office>``, that the office is one of the caller's), and the JSON body is
validated with the declared pydantic model (unknown fields refused). The view's
return value is validated against the declared response model. The declaration is
attached to the view function; :mod:`queue_server.web.openapi` reads it back from the app's URL map,
so the document describes exactly the routes that exist.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from queue_server.domain.errors import DomainError
from queue_server.domain.ids import Role
from queue_server.web.auth import require_office, require_role
from queue_server.web.json_body import parse_json_body

View = Callable[..., Any]
SPEC_ATTRIBUTE = "antre_endpoint"
PUBLIC = None
OFFICE_PARAMETER = "office"
#: The largest row id: ids are INTEGER columns, 32-bit on PostgreSQL.
MAX_ROW_ID = 2**31 - 1
#: The URL converter of a row id: a larger number is a plain 404, never a database error.
ROW_ID = f"int(max={MAX_ROW_ID})"


class AsciiIntegerConverter(IntegerConverter):
    """Werkzeug's ``int`` converter for ASCII digits only, without leading zeros.

    Werkzeug's own matches ``\\d+``, which in Python also matches other scripts' digits
    (``١٢``, full-width ``１``): ``/tokens/١٢/revoke`` would act on token 12. Here such a
    segment, like ``007``, matches no route (404), so one id has one spelling.
    """

    regex = r"(?:0|[1-9][0-9]*)"


@dataclass(frozen=True)
class Endpoint:
    """What the OpenAPI document says about one route and method."""

    summary: str
    roles: frozenset[Role] | None
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    tag: str
    errors: tuple[type[DomainError], ...]
    #: What a 200 answer is (an event stream says so; its events are in docs/protocol.md).
    media_type: str = "application/json"


def endpoint(
    blueprint: Blueprint,
    rule: str,
    *,
    method: str = "GET",
    summary: str,
    roles: tuple[Role, ...] | None,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    errors: tuple[type[DomainError], ...] = (),
    media_type: str = "application/json",
) -> Callable[[View], View]:
    """Register a JSON endpoint on ``blueprint``.

    Args:
        roles: roles allowed to call it; ``None`` (``PUBLIC``) means no sign-in. The
            view then receives the caller as the keyword argument ``actor``.
        body: the request model; the view receives the validated body as ``body``.
        response: the response model the view's return value is validated against.
        errors: the domain errors the use case may raise (documented per status).
    """
    spec = Endpoint(
        summary=summary,
        roles=None if roles is None else frozenset(roles),
        body=body,
        response=response,
        tag=blueprint.name,
        errors=errors,
        media_type=media_type,
    )

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(**path: Any) -> Response:
            _refuse_control_characters(path)
            extras: dict[str, Any] = {}
            if spec.roles is not None:
                extras["actor"] = require_role(spec.roles)
                if OFFICE_PARAMETER in path:  # every office-scoped route checks the office
                    require_office(extras["actor"], str(path[OFFICE_PARAMETER]))
            if body is not None:
                extras["body"] = body.model_validate(_json_body())
            return reply(response, view(**path, **extras))

        setattr(wrapped, SPEC_ATTRIBUTE, spec)
        blueprint.add_url_rule(rule, view_func=wrapped, methods=[method])
        return wrapped

    return decorate


def reply(model: type[BaseModel] | None, data: Any) -> Response:
    """``data`` as JSON, checked against ``model`` (dicts, dataclasses or model instances)."""
    if isinstance(data, Response):
        return data
    if model is not None:
        try:
            data = model.model_validate(data, from_attributes=True).model_dump(mode="json")
        except ValidationError as err:  # our bug, not the caller's: answer 500, not 422
            raise ResponseMismatch(model.__name__) from err
    return jsonify(data)


class ResponseMismatch(RuntimeError):
    """A view returned data that does not fit its declared response model."""


def _refuse_control_characters(path: dict[str, Any]) -> None:
    """No id contains control characters (PostgreSQL refuses NUL in any string): 404."""
    for value in path.values():
        if isinstance(value, str) and any(ord(char) < 32 or ord(char) == 127 for char in value):
            raise NotFound()


def _json_body() -> Any:
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    return parse_json_body(raw, is_json=request.is_json)
