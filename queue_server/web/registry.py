"""Declare each endpoint once: route, roles, request/response models, OpenAPI entry.

``api_route`` registers the Flask view, wraps it with authentication and role checks,
validates the JSON body with a pydantic model before the use case runs, and records
what the OpenAPI document needs. The document is built from these records alone, so
it cannot drift from the routes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, g, request
from pydantic import BaseModel

from queue_server.domain.ids import Role
from queue_server.web.auth import authenticate_request, require_roles

View = Callable[..., Any]


@dataclass(frozen=True)
class EndpointSpec:
    rule: str
    method: str
    summary: str
    roles: frozenset[Role] | None
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    tag: str
    errors: tuple[str, ...] = ()
    public: bool = field(default=False)


ENDPOINTS: list[EndpointSpec] = []


def api_route(
    blueprint: Blueprint,
    rule: str,
    *,
    method: str = "GET",
    summary: str,
    roles: tuple[Role, ...] | None,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    tag: str = "queue",
    errors: tuple[str, ...] = (),
) -> Callable[[View], View]:
    """Register a JSON endpoint. ``roles=None`` means public (no sign-in)."""
    allowed = None if roles is None else frozenset(roles)
    prefix = blueprint.url_prefix or ""
    spec = EndpointSpec(prefix + rule, method, summary, allowed, body, response, tag, errors)
    ENDPOINTS.append(spec)

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(**path: Any) -> Any:
            if allowed is not None:
                authenticate_request()
                require_roles(allowed)
            if body is not None:
                g.body = body.model_validate(_json_body())
            return view(**path)

        blueprint.add_url_rule(rule, view_func=wrapped, methods=[method])
        return wrapped

    return decorate


def _json_body() -> Any:
    from queue_server.web.errors import BadJson

    if not request.data:
        return {}
    data = request.get_json(silent=True)
    if data is None:
        raise BadJson()
    return data


def openapi_document(version: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for spec in ENDPOINTS:
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", spec.rule)
        paths.setdefault(path, {})[spec.method.lower()] = _operation(spec, path, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Antre queue server API",
            "version": version,
            "description": "Queue management for Kantor Imigrasi. Errors come in "
            "Indonesian and English.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "antre_session"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
    }


def _operation(spec: EndpointSpec, path: str, schemas: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": spec.summary,
        "tags": [spec.tag],
        "operationId": _operation_id(spec.method, path),
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"{(\w+)}", path)
        ],
        "responses": {
            "200": _content(spec.response, schemas, "OK"),
            "4XX": {
                "description": "Error (id/en)",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        },
    }
    if spec.roles is None:
        operation["security"] = []
    else:
        operation["security"] = [{"session": []}, {"bearer": []}]
        operation["description"] = "Roles: " + ", ".join(sorted(role.value for role in spec.roles))
    if spec.body is not None:
        operation["requestBody"] = {"required": False, **_content(spec.body, schemas, "body")}
    return operation


def _operation_id(method: str, path: str) -> str:
    return f"{method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}"


def _content(
    model: type[BaseModel] | None, schemas: dict[str, Any], description: str
) -> dict[str, Any]:
    if model is None:
        return {
            "description": description,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        schemas[name] = definition
    schemas[model.__name__] = schema
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
        },
    }


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "messages"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "messages": {
                    "type": "object",
                    "properties": {"id": {"type": "string"}, "en": {"type": "string"}},
                },
            },
        }
    },
}
