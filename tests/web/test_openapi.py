"""The OpenAPI document covers every route, with roles, bodies and error codes."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient


def document_path(rule: str) -> str:
    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule)


def test_every_route_is_in_the_document(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    checked = 0
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/v1/") or rule.rule == "/healthz"):
            continue
        operations = document["paths"][document_path(rule.rule)]
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert method.lower() in operations, (method, rule.rule)
            checked += 1
    assert checked >= 29
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert len(documented) == checked  # nothing documented that does not exist


def test_operations_carry_roles_bodies_and_errors(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    issue = document["paths"]["/api/v1/offices/{office}/tickets"]["post"]
    assert issue["x-roles"] == ["admin", "kiosk", "petugas"]
    body_ref = issue["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schemas[body_ref.rsplit("/", 1)[1]]
    assert body["additionalProperties"] is False
    assert body["properties"]["nik"]["anyOf"][0]["pattern"] == r"^\d{16}$"
    assert {"401", "403", "409", "422"} <= set(issue["responses"])
    assert "quota_full" in issue["responses"]["409"]["description"]
    reply_ref = issue["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert "status_url" in schemas[reply_ref.rsplit("/", 1)[1]]["properties"]
    cancel = document["paths"]["/api/v1/offices/{office}/tickets/{ticket_id}/cancel"]["post"]
    assert {"name": "ticket_id", "in": "path", "required": True, "schema": {"type": "integer"}} in (
        cancel["parameters"]
    )
    status = document["paths"]["/api/v1/public/tickets/{token}"]["get"]
    assert status["security"] == [] and "429" in status["responses"]
    assert "Error" in schemas
    refs = re.findall(r'"\$ref": "#/components/schemas/(\w+)"', str(document).replace("'", '"'))
    assert set(refs) <= set(schemas)


def test_free_text_fields_say_which_characters_the_server_refuses(client: FlaskClient) -> None:
    # The server refuses control characters in text (422); the document must say so, or a
    # client generating bodies from it (schemathesis did) sends them in good faith.
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name, field in (("PairBody", "password"), ("LoginBody", "password")):
        pattern = schemas[name]["properties"][field]["pattern"]
        assert re.fullmatch(pattern, "tab\there ok")
        for refused in ("bell\x07", "line\nbreak", "nul\x00"):
            assert not re.fullmatch(pattern, refused), (name, refused)


def test_a_body_with_required_fields_is_a_required_body(client: FlaskClient) -> None:
    # An empty body is read as {}: a body may be left out only when no field is required.
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert paths["/api/v1/devices/pair"]["post"]["requestBody"]["required"] is True
    rating = paths["/api/v1/offices/{office}/counters/{counter}/rating"]["post"]
    assert rating["requestBody"]["required"] is True
    finish = paths["/api/v1/offices/{office}/counters/{counter}/finish"]["post"]
    assert finish["requestBody"]["required"] is False
    assert client.post("/api/v1/devices/pair").status_code == 422  # left out: refused
