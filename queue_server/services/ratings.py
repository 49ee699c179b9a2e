"""Quick satisfaction ratings (1-4) after the journey steps the SOP names (BIO, PICKUP).

The applicant rates with the token from the ticket's QR; the rating is linked to the
finished ticket, its counter and its officer so reports can group by any of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.domain.errors import AlreadyRated, NothingToRate, TicketNotFound
from queue_server.domain.ids import TicketStatus
from queue_server.persistence.models import RatingRow, TicketRow, VisitRow
from queue_server.services.offices import OfficeSnapshot
from queue_server.services.retries import RetryKey, earlier_answer, remember
from queue_server.services.unit import UseCases

SCORES = range(1, 5)


@dataclass(frozen=True)
class RatingRequest:
    office: str
    token: str
    score: int
    device: str | None = None


class RatingService(UseCases):
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
