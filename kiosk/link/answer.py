"""A server answer to one kiosk request: ``ok`` with data, or an error code with messages.

The payload is parsed with the contract's own answer models
(:mod:`queue_server.protocol.answers`), so the kiosk reads exactly what the server built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from kiosk.link.errors import Refused
from queue_server.protocol.answers import AnswerData, ErrorAnswer
from queue_server.protocol.answers import parse_answer as parse_wire_answer
from queue_server.protocol.topics import KioskAction

Data = TypeVar("Data", bound=AnswerData)
#: The code of a refusal whose answer did not carry the data the action promises.
WRONG_ANSWER = "wrong_answer"


@dataclass(frozen=True, slots=True)
class Answer:
    """What ``kiosk/{device}/response/{action}`` carried for one transaction."""

    transaction: str
    ok: bool
    data: AnswerData | None = None
    code: str | None = None
    messages: dict[str, str] = field(default_factory=dict)

    def data_or_raise(self, model: type[Data]) -> Data:
        """The data of an ok answer; :class:`Refused` (with the server's messages) otherwise."""
        if not self.ok:
            raise Refused(self.messages, code=self.code or "refused")
        if not isinstance(self.data, model):
            raise Refused({}, code=WRONG_ANSWER)
        return self.data


def parse_answer(action: KioskAction, payload: bytes) -> Answer | None:
    """The answer to ``action`` in a response payload, or None when it is not one."""
    answer = parse_wire_answer(action, payload)
    if answer is None or answer.transaction is None:
        return None
    if isinstance(answer, ErrorAnswer):
        return Answer(
            transaction=str(answer.transaction),
            ok=False,
            code=answer.error.code,
            messages=answer.error.messages.model_dump(),
        )
    return Answer(transaction=str(answer.transaction), ok=True, data=answer.data)
