"""The OpenAPI 3.1 document, built from the app's URL map and the endpoint declarations.

Every rule whose view was declared with :func:`queue_server.web.routing.endpoint`
appears with its methods, roles, request and response schemas (pydantic's JSON schemas
under ``components/schemas``) and the error codes it may answer with.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, Literal

from flask import Flask
from pydantic import BaseModel
from werkzeug.routing import Rule

from queue_server.domain.errors import DomainError
from queue_server.web.errors import (
    BadJson,
    Conflict,
    CsrfFailed,
    Forbidden,
    InvalidField,
    NumberTooLong,
    OfficeForbidden,
    TooDeep,
    Unauthenticated,
)
from queue_server.web.routing import OFFICE_PARAMETER, SPEC_ATTRIBUTE, Endpoint

REF = "#/components/schemas/{model}"
PATH_PARAMETER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
CONVERTER_TYPES = {"int": "integer", "float": "number"}


def openapi_document(app: Flask, version: str) -> dict[str, Any]:
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, dict[str, Any]] = defaultdict(dict)
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        spec: Endpoint | None = getattr(app.view_functions[rule.endpoint], SPEC_ATTRIBUTE, None)
        if spec is None:
            continue
        path = PATH_PARAMETER.sub(r"{\2}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths[path][method.lower()] = _operation(spec, rule, method, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Antre queue server API",
            "version": version,
            "description": "Queue management for Kantor Imigrasi. Every error is "
            '`{"error": {"code", "message", "messages": {"id", "en"}}}`; `message` '
            "follows Accept-Language (Indonesian by default).",
        },
        "paths": dict(paths),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "antre_session"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
    }


def _operation(spec: Endpoint, rule: Rule, method: str, schemas: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": rule.endpoint.replace(".", "_"),
        "summary": spec.summary,
        "tags": [spec.tag],
        "parameters": [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": CONVERTER_TYPES.get(converter, "string")},
            }
            for converter, name in PATH_PARAMETER.findall(rule.rule)
        ],
        "responses": {"200": _ok(spec, schemas)} | _error_responses(spec, rule, method),
        "security": [] if spec.roles is None else [{"session": []}, {"bearer": []}],
        "x-roles": sorted(role.value for role in spec.roles or ()),
    }
    if spec.roles is not None:
        roles = ", ".join(operation["x-roles"])
        operation["description"] = f"Roles: {roles}."
    if spec.body is not None:
        # An empty body is read as {}: it may be left out only when no field is required
        # (a generated client would otherwise send nothing and get 422).
        required = any(field.is_required() for field in spec.body.model_fields.values())
        operation["requestBody"] = {
            "required": required,
            **_content(spec.body, schemas, "Body", "validation"),
        }
    return operation


def _error_responses(spec: Endpoint, rule: Rule, method: str) -> dict[str, Any]:
    errors: list[type[DomainError]] = list(spec.errors)
    if spec.roles is not None:
        errors += [Unauthenticated, Forbidden] + ([CsrfFailed] if method != "GET" else [])
        if OFFICE_PARAMETER in rule.arguments:
            errors.append(OfficeForbidden)
    if spec.body is not None:
        errors += [BadJson, TooDeep, NumberTooLong, InvalidField]
    if method != "GET":
        errors.append(Conflict)
    by_status: dict[str, set[str]] = defaultdict(set)
    for error in errors:
        by_status[str(error.http_status)].add(error.code)
    if rule.arguments:
        by_status["404"].add("not_found")
    return {
        status: {
            "description": "Error codes: " + ", ".join(sorted(codes)),
            "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
        }
        for status, codes in sorted(by_status.items())
    }


def _ok(spec: Endpoint, schemas: dict[str, Any]) -> dict[str, Any]:
    if spec.media_type != "application/json":
        return {"description": "OK", "content": {spec.media_type: {"schema": {"type": "string"}}}}
    return _content(spec.response, schemas, "OK", "serialization")


def _content(
    model: type[BaseModel] | None,
    schemas: dict[str, Any],
    description: str,
    mode: Literal["validation", "serialization"],
) -> dict[str, Any]:
    if model is None:
        schema: dict[str, Any] = {"type": "object"}
    else:
        found = model.model_json_schema(ref_template=REF, mode=mode)
        schemas.update(found.pop("$defs", {}))
        schemas[model.__name__] = found
        schema = {"$ref": REF.format(model=model.__name__)}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "messages"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string", "description": "in the negotiated language"},
                "messages": {
                    "type": "object",
                    "required": ["id", "en"],
                    "properties": {"id": {"type": "string"}, "en": {"type": "string"}},
                },
            },
        }
    },
}
