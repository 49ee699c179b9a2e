"""PostgreSQL connections are checked on checkout without a round trip (issue 13): a
connection the server closed while it sat in the pool is replaced before use, as the
pool's pre-ping did."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from queue_server.persistence.db import open_database

pytestmark = [pytest.mark.postgres]


def test_a_connection_the_server_closed_is_replaced_before_use(pg_url: str) -> None:
    database = open_database(pg_url, pool_size=1)
    try:
        with database.writer() as session:
            first = session.scalar(text("SELECT pg_backend_pid()"))
        plain = make_url(pg_url).set(drivername="postgresql")
        with psycopg.connect(plain.render_as_string(hide_password=False)) as admin:
            # Waits (up to 5 s) until the backend has exited: its socket is closed.
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", [first])
        with database.writer() as session:
            second = session.scalar(text("SELECT pg_backend_pid()"))
        assert second != first
    finally:
        database.dispose()
