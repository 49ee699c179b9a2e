"""The statements an engine sends, for tests of what travels how (``fast``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from queue_server.persistence import fast


class Sent:
    """The statements sent to the database, in order (the engine's
    ``before_cursor_execute``, which ``fast`` calls for its own statements too)."""

    def __init__(self, engine: Engine) -> None:
        self.statements: list[str] = []
        event.listen(engine, "before_cursor_execute", self._sent)

    def _sent(self, _connection: object, _cursor: object, statement: str, *_rest: object) -> None:
        self.statements.append(statement)

    def joined(self) -> list[str]:
        """The joined statements (``WITH`` queries)."""
        return [s for s in self.statements if s.startswith("WITH ")]


@contextmanager
def ahead_unit(engine: Engine) -> Iterator[Session]:
    """A session in a transaction with ``fast.ahead`` on (committed on the way out)."""
    with Session(engine) as session, session.begin(), fast.ahead(session):
        yield session
