"""WSGI entry point for production servers: ``gunicorn queue_server.web.wsgi:app``.

Configuration comes from ``ANTRE_*`` environment variables (see ``queue_server.config``).
The schema must already be migrated (``antre db upgrade``).
"""

from __future__ import annotations

from queue_server.web.app import create_app

app = create_app()
