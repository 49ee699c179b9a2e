"""Quick satisfaction ratings (1-4) after the journey steps the SOP names (BIO, PICKUP).

The applicant rates with the token from the ticket's QR (kiosk), or answers the question
the counter's screen asks right after the officer finished such a step
(:mod:`queue_server.services.rating_prompts`); either way the rating is linked to the
finished ticket, its station, its counter and its officer so reports can group by any of
them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.domain.errors import (
    AlreadyRated,
    CounterNotFound,
    NothingToRate,
    RatingNotAsked,
    RatingOtherOfficer,
    RatingTimedOut,
    TicketNotFound,
)
from queue_server.domain.events import CounterChanged
from queue_server.domain.ids import CounterId, OfficeId, Role, TicketStatus
from queue_server.persistence.models import CounterRow, RatingRow, TicketRow, VisitRow
from queue_server.services import rating_prompts
from queue_server.services.offices import OfficeSnapshot
from queue_server.services.retries import RetryKey, earlier_answer, remember
from queue_server.services.unit import Actor, UseCases

SCORES = range(1, 5)


@dataclass(frozen=True)
class RatingRequest:
    office: str
    token: str
    score: int
    device: str | None = None


class RatingService(UseCases):
    def rate_at_counter(self, request: CounterRating, *, actor: Actor) -> dict[str, object]:
        """Record the answer to the counter's open question, once, before it times out.

        Raises:
            RatingOtherOfficer: an officer answers for a counter another officer opened.
            RatingNotAsked: the counter asks nothing now, or about another ticket.
            RatingTimedOut: the question's time has passed.
            AlreadyRated: the ticket's service was rated already.
        """
        if request.score not in SCORES:
            raise ValueError("score must be 1 to 4")
        with self.unit() as work:
            counter = _lock_counter(work.session, request.office, request.counter)
            if actor.role is Role.PETUGAS and counter.officer_id not in (None, actor.user_id):
                raise RatingOtherOfficer(counter=counter.name)
            ticket = _asked_ticket(work.session, counter, request.ticket_label)
            if ticket is None:
                if _rated_here(work.session, counter, request.ticket_label):
                    raise AlreadyRated()
                raise RatingNotAsked(counter=counter.name, ticket=request.ticket_label)
            if counter.rating_until is None or work.now > counter.rating_until:
                raise RatingTimedOut()
            if work.session.get(RatingRow, ticket.id) is not None:
                raise AlreadyRated()
            work.session.add(_rating_row(ticket, request, work.now))
            rating_prompts.clear(work, counter.pk)
            work.events.append(
                CounterChanged(
                    OfficeId(request.office),
                    CounterId(counter.code),
                    is_open=counter.is_open,
                    at=work.now,
                )
            )
            work.audit(
                actor,
                "rate",
                office_id=request.office,
                target=ticket.label,
                counter=counter.code,
                score=request.score,
            )
        return {"label": ticket.label, "station": ticket.station, "score": request.score}

    def rate(
        self, request: RatingRequest, *, retry_key: RetryKey | None = None
    ) -> dict[str, object]:
        """Rate the visit's latest finished step that asks for a rating."""
        if request.score not in SCORES:
            raise ValueError("score must be 1 to 4")
        if retry_key is not None:
            with self.read() as session:
                earlier = earlier_answer(session, retry_key)
            if earlier is not None:
                return earlier
        with self.unit() as work:
            snapshot = self.catalog.get(work.session, request.office)
            visit = work.session.scalars(
                select(VisitRow).where(
                    VisitRow.office_id == request.office, VisitRow.token == request.token
                )
            ).one_or_none()
            if visit is None:
                raise TicketNotFound()
            ticket = _ticket_to_rate(work.session, snapshot, visit.id)
            work.session.add(
                RatingRow(
                    ticket_id=ticket.id,
                    office_id=request.office,
                    station=ticket.station,
                    counter_pk=ticket.counter_pk,
                    user_id=ticket.officer_id,
                    score=request.score,
                    device=request.device,
                    created_at=work.now,
                )
            )
            answer: dict[str, object] = {
                "label": visit.label,
                "station": ticket.station,
                "score": request.score,
            }
            if retry_key is not None:
                remember(work, retry_key, office_id=request.office, action="rate", response=answer)
        return answer


def _lock_counter(session: Session, office: str, code: str) -> CounterRow:
    counter = session.scalars(
        select(CounterRow)
        .where(CounterRow.office_id == office, CounterRow.code == code, CounterRow.active)
        .with_for_update()
    ).one_or_none()
    if counter is None:
        raise CounterNotFound(counter=code)
    return counter


def _asked_ticket(session: Session, counter: CounterRow, label: str) -> TicketRow | None:
    """The ticket the counter's question is about, if its label is ``label``."""
    if counter.rating_ticket_id is None:
        return None
    ticket = session.get(TicketRow, counter.rating_ticket_id)
    return ticket if ticket is not None and ticket.label == label else None


def _rated_here(session: Session, counter: CounterRow, label: str) -> bool:
    """True when a ticket labelled ``label`` finished at this counter was rated already."""
    rated = session.scalar(
        select(RatingRow.ticket_id)
        .join(TicketRow, TicketRow.id == RatingRow.ticket_id)
        .where(TicketRow.counter_pk == counter.pk, TicketRow.label == label)
        .order_by(RatingRow.created_at.desc())
        .limit(1)
    )
    return rated is not None


def _rating_row(ticket: TicketRow, request: CounterRating, now: datetime) -> RatingRow:
    return RatingRow(
        ticket_id=ticket.id,
        office_id=request.office,
        station=ticket.station,
        counter_pk=ticket.counter_pk,
        user_id=ticket.officer_id,
        score=request.score,
        device=request.device,
        created_at=now,
    )


def _ticket_to_rate(session: Session, snapshot: OfficeSnapshot, visit_id: int) -> TicketRow:
    """The latest finished ticket whose journey step asks for a rating, if not rated yet."""
    finished = session.scalars(
        select(TicketRow)
        .where(TicketRow.visit_id == visit_id, TicketRow.status == TicketStatus.DONE.value)
        .order_by(TicketRow.finished_at.desc(), TicketRow.id.desc())
    ).all()
    for ticket in finished:
        journey = snapshot.service(ticket.service_code).journey
        if ticket.step_index < len(journey) and journey[ticket.step_index].rating:
            if session.get(RatingRow, ticket.id) is not None:
                raise AlreadyRated()
            return ticket
    raise NothingToRate()


@dataclass(frozen=True)
class CounterRating:
    """An answer to the question on a counter's screen."""

    office: str
    counter: str
    ticket_label: str
    score: int
    #: The paired counter-display that answered; None when the officer's session did.
    device: str | None = None
