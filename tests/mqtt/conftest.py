"""The use-case fixtures (SQLite and PostgreSQL) are shared with tests/services."""

from tests.services.conftest import db_url, engine

__all__ = ["db_url", "engine"]
