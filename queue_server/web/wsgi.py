"""WSGI entry point for HTTP workers: ``gunicorn queue_server.web.wsgi:app``.

Configuration comes from ``ANTRE_*`` environment variables (see ``queue_server.config``).
The schema must already be migrated (``antre db upgrade``).

These workers run no MQTT: what they change is written to the outbox table, and the one
``antre serve`` process on the same database publishes it to displays and kiosks (within
half a second). Without that process, no display hears of a call made here.
"""

from __future__ import annotations

import logging

from queue_server.heap import settle_heap
from queue_server.web.app import create_app

log = logging.getLogger("antre.wsgi")
NO_PUBLISHER_HERE = (
    "HTTP workers run no MQTT: displays and kiosks hear of the calls and tickets made here "
    "only while `antre serve` (the MQTT publisher) runs against the same database"
)

app = create_app()
log.warning(NO_PUBLISHER_HERE)
settle_heap()
