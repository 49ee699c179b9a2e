"""``/healthz``: the process answers and the database accepts a query."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from sqlalchemy import text

from queue_server import __version__
from queue_server.web import responses
from queue_server.web.auth import services
from queue_server.web.routing import PUBLIC, endpoint

health = Blueprint("health", __name__)


@endpoint(
    health,
    "/healthz",
    summary="Liveness and database check",
    roles=PUBLIC,
    response=responses.Health,
)
def healthz() -> dict[str, Any]:
    with services().database.reader() as session:
        session.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__}
