"""``/healthz``: the database, the MQTT broker, the server's MQTT link and the outbox,
each reported.

The answer is 200 with ``status: ok`` only when every part works; otherwise 503 with
``status: unavailable``, so a monitor sees a server whose displays get nothing. Each
check says ``ok``, ``down``, ``disabled`` (``--no-mqtt``) or, for the broker, ``external``;
with ``antre serve --processes N`` the ``processes`` check is ``starting`` until every
follower process accepts connections (and while one is restarted), ``down`` when one was
left stopped;
the outbox is ``behind`` when a change has waited longer than
:data:`~queue_server.services.outbox.BEHIND_AFTER` to be published (no ``antre serve``
drains it, e.g. only HTTP workers run), and the answer carries its backlog.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict

from flask import Blueprint, Response, current_app
from sqlalchemy import text

from queue_server import __version__
from queue_server.services.outbox import BEHIND_AFTER, OutboxBacklog
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
    summary="Database, MQTT broker, MQTT link and outbox check (503 when one is down or behind)",
    roles=PUBLIC,
    response=responses.Health,
)
def healthz() -> Response:
    checks = {"database": _database(), **_mqtt()}
    backlog = _outbox() if checks["database"] == "ok" else None
    checks["outbox"] = _outbox_state(backlog)
    healthy = all(state in HEALTHY for state in checks.values())
    answer = reply(
        responses.Health,
        {
            "status": "ok" if healthy else "unavailable",
            "version": __version__,
            "checks": checks,
            "outbox": None if backlog is None else asdict(backlog),
        },
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


def _outbox() -> OutboxBacklog | None:
    try:
        return services().outbox.backlog()
    except Exception as error:  # like the database check: reported, not a 500
        log.warning("health check: the outbox cannot be read (%s)", type(error).__name__)
        return None


def _outbox_state(backlog: OutboxBacklog | None) -> str:
    if backlog is None:
        return "down"
    return "behind" if backlog.behind(BEHIND_AFTER) else "ok"


def _mqtt() -> dict[str, str]:
    report: MqttHealth = current_app.extensions.get(HEALTH_EXTENSION, mqtt_disabled)
    states = report()
    checks = {name: str(states.get(name, "down")) for name in ("broker", "mqtt")}
    if "processes" in states:  # antre serve --processes N: are the followers serving?
        checks["processes"] = str(states["processes"])
    return checks
