"""The counter screen's answer to "How was our service?" (SOP 004: after BIO and PICKUP).

The screen above or beside a counter shows the question while the counter's state carries
a ``rating`` prompt; a tap posts the score here once. A second answer, a late one, or one
for a ticket the counter is not asking about is refused with a bilingual message and
changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from pydantic import Field

from queue_server.domain.errors import (
    AlreadyRated,
    CounterNotFound,
    RatingNotAsked,
    RatingTimedOut,
)
from queue_server.protocol.answers import RateAnswer
from queue_server.services.ratings import CounterRating
from queue_server.services.unit import Actor
from queue_server.web.auth import services
from queue_server.web.roles import OFFICERS
from queue_server.web.routing import endpoint
from queue_server.web.schemas import Body, Text

screens_api = Blueprint("screens_api", __name__)


class CounterRatingBody(Body):
    ticket: Text = Field(min_length=1, max_length=16, description="The label the screen showed")
    score: int = Field(
        ge=1, le=4, strict=True, description="1 very dissatisfied … 4 very satisfied"
    )


@endpoint(
    screens_api,
    "/offices/<office>/counters/<counter>/rating",
    method="POST",
    summary="Answer the counter screen's rating question (once, before it times out)",
    roles=OFFICERS,
    body=CounterRatingBody,
    response=RateAnswer,
    errors=(CounterNotFound, RatingNotAsked, RatingTimedOut, AlreadyRated),
)
def rate_at_counter(
    office: str, counter: str, body: CounterRatingBody, actor: Actor
) -> dict[str, Any]:
    rating = CounterRating(
        office=office, counter=counter, ticket_label=body.ticket, score=body.score
    )
    return services().ratings.rate_at_counter(rating, actor=actor)
