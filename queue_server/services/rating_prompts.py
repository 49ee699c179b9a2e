"""The rating question a counter's screen asks after a step that asks for one (SOP 004).

Finishing such a step (BIO, PICKUP) stores the prompt on the counter row (the ticket, when
it was asked, until when), so it survives a restart and reaches the counter's screen in the
retained ``counter/{counter}/state``. The answer, the counter's next call or the time
running out ends it; :meth:`RatingService.rate_at_counter
<queue_server.services.ratings.RatingService.rate_at_counter>` records the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from queue_server.persistence.fast import write
from queue_server.persistence.models import CounterRow, TicketRow
from queue_server.persistence.statements import UPDATE_COUNTER
from queue_server.services.offices import OfficeSnapshot
from queue_server.services.unit import Unit

#: A counter's columns without a question (written with a call's other counter changes).
CLEARED: dict[str, None] = {"rating_ticket_id": None, "rating_asked_at": None, "rating_until": None}
_CLEAR = update(CounterRow).values(**CLEARED)
#: Built once: ``clear`` runs on every rating, ``ask`` on every finish of such a step.
_CLEAR_AT = _CLEAR.where(
    CounterRow.pk == bindparam("counter"), CounterRow.rating_ticket_id.is_not(None)
)


@dataclass(frozen=True)
class Prompt:
    """A counter's open rating question."""

    ticket_id: int
    ticket_label: str
    asked_at: datetime
    until: datetime


def step_asks_rating(snapshot: OfficeSnapshot, service_code: str, step_index: int) -> bool:
    """True when the journey step ``step_index`` of the service asks for a rating."""
    journey = snapshot.service(service_code).journey
    return 0 <= step_index < len(journey) and journey[step_index].rating


def ask(work: Unit, snapshot: OfficeSnapshot, counter_pk: int, ticket_id: int) -> None:
    """Open the counter's question about ``ticket_id`` for the office's rating timeout."""
    until = work.now + timedelta(seconds=snapshot.office.rating_timeout_seconds)
    asked = {"rating_ticket_id": ticket_id, "rating_asked_at": work.now, "rating_until": until}
    write(work.session, UPDATE_COUNTER, {"counter": counter_pk, **asked})


def clear(work: Unit, counter_pk: int) -> None:
    """End the counter's question, if it has one (its next call, or the answer)."""
    write(work.session, _CLEAR_AT, {"counter": counter_pk})


class PromptColumns(Protocol):
    """A counter's rating columns (its row, or a row of a statement that reads them)."""

    @property
    def rating_ticket_id(self) -> int | None: ...
    @property
    def rating_asked_at(self) -> datetime | None: ...
    @property
    def rating_until(self) -> datetime | None: ...


def open_prompt(session: Session, row: PromptColumns, now: datetime) -> Prompt | None:
    """The counter's question if one is open at ``now``, else None."""
    if row.rating_ticket_id is None or row.rating_until is None or row.rating_asked_at is None:
        return None
    if now > row.rating_until:
        return None
    label = session.scalar(select(TicketRow.label).where(TicketRow.id == row.rating_ticket_id))
    if label is None:
        return None
    return Prompt(row.rating_ticket_id, label, row.rating_asked_at, row.rating_until)
