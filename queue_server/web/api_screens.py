"""The counter screen's answer to "How was our service?" (SOP 004: after BIO and PICKUP).

The screen above or beside a counter shows the question while the counter's state carries
a ``rating`` prompt; a tap posts the score here once. A second answer, a late one, or one
for a ticket the counter is not asking about is refused with a bilingual message and
changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from flask import Blueprint, request, session
from pydantic import BeforeValidator, Field

from queue_server.domain.errors import (
    AlreadyRated,
    CounterNotFound,
    RatingNotAsked,
    RatingOtherOfficer,
    RatingTimedOut,
)
from queue_server.protocol.answers import RateAnswer
from queue_server.services.ratings import CounterRating
from queue_server.services.unit import Actor
from queue_server.web.api_push import paired_device
from queue_server.web.auth import BEARER, current_actor, require_office, require_role, services
from queue_server.web.errors import Forbidden, OfficeForbidden, Unauthenticated, WebError
from queue_server.web.roles import OFFICERS
from queue_server.web.routing import PUBLIC, endpoint
from queue_server.web.schemas import Body, Text

screens_api = Blueprint("screens_api", __name__)
#: The device kind that may answer: a counter display bound to the counter.
COUNTER_DISPLAY = "counter-display"


class ScreenNotForCounter(WebError):
    code = "screen_not_for_counter"
    template = "This screen is not paired with counter {counter}."
    http_status = 403


def _whole_number(value: object) -> object:
    """``4.0`` is the integer 4 in JSON (and in the OpenAPI document's ``integer``);
    strings, booleans and fractions stay refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class CounterRatingBody(Body):
    ticket: Text = Field(min_length=1, max_length=16, description="The label the screen showed")
    score: Annotated[int, BeforeValidator(_whole_number)] = Field(
        ge=1, le=4, strict=True, description="1 very dissatisfied … 4 very satisfied"
    )


@endpoint(
    screens_api,
    "/offices/<office>/counters/<counter>/rating",
    method="POST",
    summary="Answer the counter screen's rating question (once, before it times out): the "
    "counter display paired for this counter (cookie `antre_device`), or an officer's session",
    roles=PUBLIC,
    body=CounterRatingBody,
    response=RateAnswer,
    errors=(
        Unauthenticated,
        Forbidden,
        OfficeForbidden,
        ScreenNotForCounter,
        RatingOtherOfficer,
        CounterNotFound,
        RatingNotAsked,
        RatingTimedOut,
        AlreadyRated,
    ),
)
def rate_at_counter(office: str, counter: str, body: CounterRatingBody) -> dict[str, Any]:
    actor, device = _answering(office, counter)
    rating = CounterRating(
        office=office, counter=counter, ticket_label=body.ticket, score=body.score, device=device
    )
    return services().ratings.rate_at_counter(rating, actor=actor)


def _answering(office: str, counter: str) -> tuple[Actor, str | None]:
    """Who answers: an officer's session, or the counter display paired for ``counter``.

    Raises 401 without either, 403 for a machine token, another office or another counter.
    """
    if request.headers.get("Authorization", "").startswith(BEARER):
        current_actor()  # a wrong token is 401; a good one is still a machine: 403
        raise Forbidden()
    if isinstance(session.get("sid"), str):
        actor = require_role(OFFICERS)  # checks the CSRF header too
        require_office(actor, office)
        return actor, None
    device = paired_device()
    if device is None:
        raise Unauthenticated()
    if device.office != office:
        raise OfficeForbidden(office=office)
    if device.kind != COUNTER_DISPLAY or device.counter != counter:
        raise ScreenNotForCounter(counter=counter)
    return Actor(name=f"device:{device.id}", offices=frozenset({office})), device.id
