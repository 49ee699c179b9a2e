"""The applicant's journey at the kiosk as a small state machine (pure Python, no Kivy).

Screens (:class:`Step`)::

    WELCOME -> SERVICES -> [SCAN] -> [DOCUMENTS -> REQUIREMENTS when not ready]
            -> [PRIORITY] -> ISSUING -> TICKET -> WELCOME (after ``ticket_shown_s``)
                                     -> PROBLEM (refused, offline refusal)

Every action runs on the UI thread and changes :attr:`KioskFlow.state`, then tells the
listeners. Issuing talks to the server and the printer, so it is split in three:
:meth:`KioskFlow.pending_issue` (UI thread) hands out the request, :func:`perform_issue`
(a worker thread; touches no flow state) gets the ticket and prints it, and
:meth:`KioskFlow.finish_issue` (UI thread again) shows the outcome. ``tick`` applies the
idle timeout and returns from the ticket screen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from devices.codes import CodeError, parse_booking_code
from devices.printer import LocalisedText, PrinterProfile, TicketPrinter
from kiosk.content import KioskContent, ServiceChoice, ServiceGroup
from kiosk.issuing import IssueOutcome, IssueRequest, TicketDesk, perform_issue
from queue_server.i18n import SUPPORTED, both

log = logging.getLogger(__name__)
UNKNOWN_SERVICE = "This service is not available at the moment."
UNKNOWN_CATEGORY = "Please choose one of the listed needs."

__all__ = ["FlowState", "IssueOutcome", "IssueRequest", "KioskFlow", "Step", "perform_issue"]


class Step(StrEnum):
    WELCOME = "welcome"
    SERVICES = "services"
    SCAN = "scan"
    DOCUMENTS = "documents"
    REQUIREMENTS = "requirements"
    PRIORITY = "priority"
    ISSUING = "issuing"
    TICKET = "ticket"
    PROBLEM = "problem"


#: Steps the idle timeout does not leave: nothing to abandon, or a request under way.
_NO_IDLE_TIMEOUT = frozenset({Step.WELCOME, Step.ISSUING})


@dataclass(frozen=True, slots=True)
class FlowState:
    """What the screens show; replaced (never changed) by each action.

    Attributes:
        message: a bilingual message for the current screen (a refusal, a bad code).
    """

    step: Step = Step.WELCOME
    language: str = "id"
    group: ServiceGroup | None = None
    service: ServiceChoice | None = None
    booking_code: str | None = None
    priority_category: str | None = None
    message: dict[str, str] | None = None
    outcome: IssueOutcome | None = None
    request_seq: int = 0

    def text(self, localised: LocalisedText | dict[str, str] | None) -> str:
        """``localised`` in the current language ('' for None)."""
        if localised is None:
            return ""
        if isinstance(localised, LocalisedText):
            return localised.in_language(self.language)
        return localised.get(self.language) or localised.get("en") or ""


@dataclass(frozen=True, slots=True)
class Collaborators:
    """What a flow calls: the kiosk core, the printer and the clocks."""

    desk: TicketDesk
    printer: TicketPrinter
    profile: PrinterProfile
    monotonic: Callable[[], float]
    now: Callable[[], datetime]
    #: The QR links' base when the office's ``config/kiosk`` gives no ``public_base_url``.
    status_base_url: str = "http://antre.local"


class KioskFlow:
    """The journey of one applicant after another; see the module docstring."""

    def __init__(
        self,
        *,
        content: KioskContent,
        collaborators: Collaborators,
        idle_timeout_s: float = 60.0,
        ticket_shown_s: float = 20.0,
    ) -> None:
        self.content = content
        self.collaborators = collaborators
        self.idle_timeout_s, self.ticket_shown_s = idle_timeout_s, ticket_shown_s
        self._state = FlowState()
        self._listeners: list[Callable[[FlowState], None]] = []
        self._touched_at = self._entered_at = collaborators.monotonic()
        self._handed_out = 0

    @property
    def state(self) -> FlowState:
        return self._state

    def on_change(self, listener: Callable[[FlowState], None]) -> None:
        self._listeners.append(listener)

    def set_content(self, content: KioskContent) -> None:
        """New office content (``config/kiosk`` changed); an applicant mid-way starts over
        only when the chosen service disappeared."""
        self.content = content
        chosen = self._state.service
        if chosen is not None and content.service(chosen.id) is None:
            self.restart()
        else:
            self._go()

    # Actions (UI thread) -------------------------------------------------------------

    def touch(self) -> None:
        """Any touch on the screen: the idle timeout starts again."""
        self._touched_at = self.collaborators.monotonic()

    def set_language(self, language: str) -> None:
        if language in SUPPORTED:
            self._go(language=language)

    def start(self, language: str | None = None) -> None:
        if language is not None:
            self.set_language(language)
        self._go(Step.SERVICES, group=None, message=None)

    def choose_group(self, group: ServiceGroup) -> None:
        choices = self.content.in_group(group)
        if len(choices) == 1:  # one service in the group: no second screen to pass
            self.choose_service(choices[0].id)
        else:
            self._go(Step.SERVICES, group=group, message=None)

    def choose_service(self, service_id: str) -> None:
        choice = self.content.service(service_id)
        if choice is None:
            self._go(Step.SERVICES, message=both(UNKNOWN_SERVICE))
            return
        self._go(service=choice, booking_code=None, priority_category=None, message=None)
        if choice.needs_booking:
            self._go(Step.SCAN)
        elif choice.asks_documents_ready:
            self._go(Step.DOCUMENTS)
        else:
            self._after_documents()

    def submit_code(self, text: str) -> None:
        """A scanned or typed M-Paspor booking code (only on the scan screen)."""
        if self._state.step is not Step.SCAN:
            return
        try:
            code = parse_booking_code(text.strip().upper())
        except CodeError as err:
            self._go(message=err.messages)
            return
        self._go(Step.DOCUMENTS, booking_code=code.code, message=None)

    def answer_documents(self, ready: bool) -> None:
        if self._state.step is not Step.DOCUMENTS:
            return
        if ready:
            self._after_documents()
        else:
            self._go(Step.REQUIREMENTS, message=None)

    def choose_priority(self, category: str | None) -> None:
        codes = {choice.code for choice in self.content.priority_categories}
        if category is not None and category not in codes:
            self._go(message=both(UNKNOWN_CATEGORY))
            return
        self._go(Step.ISSUING, priority_category=category, message=None)

    def back(self) -> None:
        state = self._state
        if state.step is Step.SERVICES and state.group is not None:
            self._go(group=None, message=None)
        elif state.step in {Step.SERVICES, Step.TICKET}:
            self.restart()
        elif state.step is not Step.ISSUING:
            self._go(Step.SERVICES, message=None)

    def restart(self) -> None:
        """Back to the welcome screen, in Indonesian, with nothing remembered."""
        self._state = FlowState(request_seq=self._state.request_seq)
        self._entered_at = self._touched_at = self.collaborators.monotonic()
        self._notify()

    def tick(self) -> None:
        """Called about once a second: idle timeout and the ticket screen's end."""
        step, now_s = self._state.step, self.collaborators.monotonic()
        ticket_done = step is Step.TICKET and now_s - self._entered_at >= self.ticket_shown_s
        idle = step not in _NO_IDLE_TIMEOUT and now_s - self._touched_at >= self.idle_timeout_s
        if ticket_done or idle:
            self.restart()

    # Issuing ---------------------------------------------------------------------------

    def pending_issue(self) -> IssueRequest | None:
        """The request to perform, once per visit to the issuing screen."""
        state = self._state
        if state.step is not Step.ISSUING or state.service is None:
            return None
        if self._handed_out == state.request_seq:
            return None
        self._handed_out = state.request_seq
        return IssueRequest(
            seq=state.request_seq,
            service=state.service,
            language=state.language,
            booking_code=state.booking_code,
            priority_category=state.priority_category,
            status_base_url=self.content.public_base_url,
        )

    def finish_issue(self, outcome: IssueOutcome) -> None:
        """Show what :func:`perform_issue` got (ignored when the applicant has gone)."""
        if self._state.step is not Step.ISSUING or outcome.seq != self._state.request_seq:
            log.info("a late issue outcome was dropped (the screen moved on)")
            return
        if outcome.ticket is None:
            self._go(Step.PROBLEM, outcome=outcome, message=outcome.problem)
        else:
            self._go(Step.TICKET, outcome=outcome, message=None)

    # Internals -------------------------------------------------------------------------

    def _after_documents(self) -> None:
        service = self._state.service
        assert service is not None
        if service.asks_priority and self.content.priority_categories:
            self._go(Step.PRIORITY)
        else:
            self._go(Step.ISSUING, priority_category=None)

    def _go(self, step: Step | None = None, **changes: object) -> None:
        state = self._state
        if step is not None and step is not state.step:
            self._entered_at = self.collaborators.monotonic()
            changes["step"] = step
            if step is Step.ISSUING:
                changes["request_seq"] = state.request_seq + 1
        self._state = replace(state, **changes)  # type: ignore[arg-type]
        self._touched_at = self.collaborators.monotonic()
        self._notify()

    def _notify(self) -> None:
        for listener in self._listeners:
            listener(self._state)
