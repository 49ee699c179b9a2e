"""``/healthz``: the database, the MQTT broker and the server's MQTT link, each reported.

The answer is 200 with ``status: ok`` only when every part works; otherwise 503 with
``status: unavailable``, so a monitor sees a server whose displays get nothing. Each
check says ``ok``, ``down``, ``disabled`` (``--no-mqtt``) or, for the broker, ``external``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from flask import Blueprint, Response, current_app
from sqlalchemy import text

from queue_server import __version__
from queue_server.web import responses
from queue_server.web.auth import services
from queue_server.web.routing import PUBLIC, endpoint, reply

health = Blueprint("health", __name__)
log = logging.getLogger(__name__)
#: What the MQTT side reports: ``{"broker": ..., "mqtt": ...}``.
MqttHealth = Callable[[], Mapping[str, str]]
HEALTH_EXTENSION = "antre_mqtt_health"
MQTT_DISABLED: Mapping[str, str] = {"broker": "disabled", "mqtt": "disabled"}
HEALTHY = frozenset({"ok", "disabled", "external"})


def mqtt_disabled() -> Mapping[str, str]:
    """The MQTT report of a server that runs no MQTT side."""
    return MQTT_DISABLED


@endpoint(
    health,
    "/healthz",
    summary="Database, MQTT broker and MQTT link check (503 when one is down)",
    roles=PUBLIC,
    response=responses.Health,
)
def healthz() -> Response:
    checks = {"database": _database(), **_mqtt()}
    healthy = all(state in HEALTHY for state in checks.values())
    answer = reply(
        responses.Health,
        {"status": "ok" if healthy else "unavailable", "version": __version__, "checks": checks},
    )
    if not healthy:
        answer.status_code = 503
    return answer


def _database() -> str:
    try:
        with services().database.reader() as session:
            session.execute(text("SELECT 1"))
    except Exception as error:  # any database failure is "down", reported, not a 500
        log.warning("health check: the database does not answer (%s)", type(error).__name__)
        return "down"
    return "ok"


def _mqtt() -> dict[str, str]:
    report: MqttHealth = current_app.extensions.get(HEALTH_EXTENSION, mqtt_disabled)
    states = report()
    return {name: str(states.get(name, "down")) for name in ("broker", "mqtt")}
