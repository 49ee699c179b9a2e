"""The ticket state machine: which action is allowed from which state."""

from __future__ import annotations

from enum import StrEnum

from queue_server.domain.errors import InvalidTransition
from queue_server.domain.ids import TicketStatus as S


class Action(StrEnum):
    CALL = "call"
    CALL_SPECIFIC = "call_specific"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no_show"
    REACTIVATE = "reactivate"
    PARK = "park"
    CANCEL = "cancel"
    TRANSFER = "transfer"


#: action -> (states it may start from, state it leads to)
TRANSITIONS: dict[Action, tuple[frozenset[S], S]] = {
    Action.CALL: (frozenset({S.WAITING}), S.CALLED),
    Action.CALL_SPECIFIC: (frozenset({S.WAITING, S.PARKED, S.NO_SHOW}), S.CALLED),
    Action.RECALL: (frozenset({S.CALLED}), S.CALLED),
    Action.START: (frozenset({S.CALLED}), S.SERVING),
    Action.FINISH: (frozenset({S.CALLED, S.SERVING}), S.DONE),
    Action.NO_SHOW: (frozenset({S.CALLED}), S.NO_SHOW),
    Action.REACTIVATE: (frozenset({S.NO_SHOW}), S.WAITING),
    Action.PARK: (frozenset({S.CALLED, S.SERVING}), S.PARKED),
    Action.CANCEL: (frozenset({S.WAITING, S.PARKED, S.NO_SHOW}), S.CANCELLED),
    Action.TRANSFER: (frozenset({S.CALLED, S.SERVING, S.PARKED}), S.TRANSFERRED),
}

TERMINAL: frozenset[S] = frozenset({S.DONE, S.CANCELLED, S.TRANSFERRED})


def target_status(current: S, action: Action) -> S:
    """The state ``action`` leads to from ``current``, or raise :class:`InvalidTransition`."""
    allowed_from, target = TRANSITIONS[action]
    if current not in allowed_from:
        raise InvalidTransition(status=current.value, action=action.value)
    return target
