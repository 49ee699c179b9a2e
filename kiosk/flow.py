"""The applicant's journey at the kiosk as a small state machine (pure Python, no Kivy).

Paths (:class:`~kiosk.flow_state.Step`), each from the office's ``config/kiosk``::

    WELCOME -> SERVICES -> walk-in passport: DOCUMENTS -> PRIORITY -> ISSUING -> TICKET
                           M-Paspor: SCAN -> DOCUMENTS -> ISSUING (check-in)
                           lost/damaged: BAP -> DOCUMENTS -> PRIORITY -> ISSUING
                           stay permit: PRIORITY -> ISSUING
                           pickup: PICKUP -> NIK (own) | PROXY (surat kuasa) -> PRIORITY
                                   PICKUP "type the application number" -> APPLICATION
                                   -> PICKUP (the number noted; a scan notes it too)
                                   NIK "use my passport" -> MRZ -> CHIP -> PRIORITY
                           "I registered ahead": REGISTRATION (code typed) -> ISSUING
                           complaint, information: ISSUING
                           documents to bring: INFO_LIST -> INFO -> (take a number)
    DOCUMENTS/PROXY "not ready" -> REQUIREMENTS;  refused -> PROBLEM
    any step: a scan (:meth:`KioskFlow.scan`) -> check-in, pickup or a ticket's STATUS

Back returns to the screen shown before (Home: the welcome screen), the same on every step.
A tap within :data:`~kiosk.flow_core.TAP_GUARD_S` of a screen change is dropped (a double
tap on Back must not press the button that appears under the finger). Requests that talk
to the server run in three parts: :meth:`KioskFlow.pending_request` (UI thread) hands one out,
:func:`~kiosk.enquiry.perform_request` (worker thread) runs it and
:meth:`KioskFlow.finish_request` (UI thread) shows the outcome. ``tick`` counts the idle
time down and returns to the welcome screen.
"""

from __future__ import annotations

import logging

from devices.codes import CodeError, parse_booking_code, parse_nik
from devices.printer.layout import LocalisedText
from devices.smartcard.mrz import MrzKey
from kiosk.content import KioskContent, ServiceChoice, ServiceGroup
from kiosk.enquiry import (
    LookupOutcome,
    LookupRequest,
    Outcome,
    RateOutcome,
    RateRequest,
    Request,
    perform_request,
)
from kiosk.flow_core import SERVICE_UNAVAILABLE, FlowCore, tap
from kiosk.flow_state import Collaborators, FlowState, Step
from kiosk.guide import BapReason
from kiosk.issuing import IssueOutcome, IssueRequest, perform_issue
from kiosk.passport_chip import (
    ChipFailure,
    ChipOutcome,
    ChipRequest,
    MrzEntryError,
    MrzField,
    parse_document_number,
    parse_typed_date,
)
from kiosk.scan_routes import ScanKind, route_scan, typed_application, typed_registration
from queue_server.i18n import SUPPORTED, both

log = logging.getLogger(__name__)
UNKNOWN_SERVICE = "This service is not available at the moment."
UNKNOWN_CATEGORY = "Please choose one of the listed needs."
NEEDS_SERVER = (
    "This needs the office server, which cannot be reached now. "
    "Please try again later or ask at the information desk."
)
NIK_NOT_ASKED = "This looks like a NIK. The kiosk asks for it only where the office needs it."
MRZ_NOT_ASKED = (
    "This looks like a passport's photo page. The kiosk asks for it only where the office "
    "needs your identity."
)
NO_CHIP_READER = "This kiosk cannot read passport chips. Please type your NIK."
NOT_OFFERED = "This office does not offer that service at the kiosk. Please ask at the desk."
REGISTRATION_NEEDS_SERVER = (
    "A registration can only be checked by the office server, which cannot be reached "
    "now: no number can be given for it at the kiosk. Please try again in a moment or ask "
    "at the information desk."
)
#: What a typed registration code is issued as: the server answers with the registration's
#: own service (the ticket then names it); never in the office's content.
REGISTERED = ServiceChoice(
    id="",
    name=LocalisedText(id="Pendaftaran Anda", en="Your registration"),
    kind="registration",
    first_station="",
    offline_allowed=False,
)
_NEXT_MRZ_FIELD = {MrzField.NUMBER: MrzField.BIRTH, MrzField.BIRTH: MrzField.EXPIRY}
__all__ = [
    "Collaborators",
    "FlowState",
    "IssueOutcome",
    "IssueRequest",
    "KioskFlow",
    "Step",
    "perform_issue",
    "perform_request",
]


class KioskFlow(FlowCore):
    """The journey of one applicant after another; see the module docstring."""

    def set_content(self, content: KioskContent) -> None:
        """New office content (``config/kiosk`` changed); an applicant mid-way starts over
        only when the chosen service disappeared."""
        self.content = content
        state = self._state
        chosen = state.service
        gone = (
            chosen is not None and chosen is not REGISTERED and content.service(chosen.id) is None
        )
        if not content.services or gone:
            self.restart()  # the welcome screen, saying "unavailable" when nothing is left
        elif state.step is Step.WELCOME and state.message == both(SERVICE_UNAVAILABLE):
            self._set(message=None)  # the content came: the kiosk serves again by itself
        else:
            self._go()

    # Actions (UI thread) -------------------------------------------------------------

    def set_language(self, language: str) -> None:
        if language in SUPPORTED:
            self._go(language=language)

    @tap
    def start(self, language: str | None = None) -> None:
        if language is not None:
            self.set_language(language)
        if not self.content.services:  # no office content yet: nothing to choose from
            self._go(message=self._idle_message())
            return
        self._go(
            Step.SERVICES,
            group=None,
            message=None,
            offline=not self._online(),
            pickup_only=self._pickup_only(),
        )

    @tap
    def choose_group(self, group: ServiceGroup) -> None:
        choices = self.offered(group)
        day = self._state.pickup_only
        if day is not None and not choices:
            self._go(message=day.not_today())
            return
        if len(choices) == 1:  # one service in the group: no second screen to pass
            self._choose(choices[0].id)
        else:
            self._go(Step.SERVICES, group=group, message=None)

    @tap
    def choose_service(self, service_id: str) -> None:
        self._choose(service_id)

    @tap
    def show_documents(self) -> None:
        """The information pages: every service, to read what to bring."""
        self._go(Step.INFO_LIST, message=None)

    @tap
    def choose_info(self, service_id: str) -> None:
        choice = self.content.service(service_id)
        if choice is None:
            self._go(message=both(UNKNOWN_SERVICE))
        else:
            self._go(Step.INFO, service=choice, bap_reason=None, by_proxy=False, message=None)

    def offered(self, group: ServiceGroup) -> list[ServiceChoice]:
        """The group's services the kiosk offers now (pickup only on a pickup-only day)."""
        choices = self.content.in_group(group)
        day = self._state.pickup_only
        if day is None:
            return list(choices)
        return [choice for choice in choices if choice.id in day.services]

    def offered_groups(self) -> list[ServiceGroup]:
        """The groups with a service offered now, in display order."""
        return [group for group in self.content.groups() if self.offered(group)]

    def submit_code(self, text: str) -> None:
        """A booking code typed on the scan screen (a scan anywhere goes to :meth:`scan`)."""
        if self._state.step is not Step.SCAN:
            return
        try:
            code = parse_booking_code(text.strip().upper())
        except CodeError as err:
            self._go(message=err.messages)
            return
        self._check_in(code.code)

    @tap
    def choose_bap_reason(self, reason: BapReason) -> None:
        if self._state.step is Step.BAP:
            self._go(Step.DOCUMENTS, bap_reason=reason, message=None)

    @property
    def application_no(self) -> str | None:
        """The pickup's application number, scanned or typed (sent with the ticket)."""
        return self._application_no

    @tap
    def type_application(self) -> None:
        """From the pickup step: type the application number on the keypad."""
        if self._state.step is Step.PICKUP and self._state.service is not None:
            self._go(Step.APPLICATION, message=None)

    def submit_application(self, text: str) -> None:
        """A typed application number: 10 to 20 digits (a NIK is named as such); back on
        the pickup step with the number noted."""
        if self._state.step is not Step.APPLICATION:
            return
        number = typed_application(text)
        if isinstance(number, dict):
            self._go(message=number)
            return
        self._application_no = number
        if self._history and self._history[-1].step is Step.PICKUP:
            self._restore(self._history.pop())
        else:
            self._go(Step.PICKUP, message=None)

    # A remote registration's short code, typed -------------------------------------

    @tap
    def type_registration(self) -> None:
        """ "I registered ahead": the code's keyboard (registrations need the server)."""
        if self._state.step is not Step.SERVICES or not self.content.registration:
            return  # (the office takes no registrations ahead: the button is not shown)
        day = self._state.pickup_only
        if day is not None:
            self._go(message=day.not_today())
            return
        if not self._online():
            self._go(message=both(REGISTRATION_NEEDS_SERVER), offline=True)
            return
        self._go(Step.REGISTRATION, **self._fresh(REGISTERED))

    def submit_registration(self, text: str) -> None:
        """A typed short code: checked for its form here, then sent with the ticket (the
        server takes the registration's service and says no when it must)."""
        if self._state.step is not Step.REGISTRATION:
            return
        code = typed_registration(text)
        if isinstance(code, dict):
            self._go(message=code)
            return
        if not self._online():
            self._go(message=both(REGISTRATION_NEEDS_SERVER), offline=True)
            return
        self._registration = code
        self._go(Step.ISSUING, message=None)

    @tap
    def choose_pickup(self, by_proxy: bool) -> None:
        """Who collects: the applicant (NIK where asked) or someone else (surat kuasa)."""
        state = self._state
        if state.step is not Step.PICKUP or state.service is None:
            return
        if by_proxy:
            self._go(Step.PROXY, by_proxy=True, message=None)
        elif state.service.asks_nik:
            self._nik = None
            self._go(Step.NIK, by_proxy=False, message=None)
        else:
            step = self._after_documents_step(state.service)
            self._go(step, by_proxy=False, priority_category=None, message=None)

    def submit_nik(self, text: str) -> None:
        """A typed NIK: checked (16 digits, region, date), kept only until it is sent."""
        if self._state.step is not Step.NIK:
            return
        try:
            nik = parse_nik(text, today=self.collaborators.now().date())
        except CodeError as err:
            self._go(message=err.messages)
            return
        self._nik = nik.digits
        self._after_documents()

    # The e-passport instead of the NIK ------------------------------------------------

    @property
    def chip_offered(self) -> bool:
        """The kiosk has a passport reader: the NIK step offers the passport instead."""
        return self.collaborators.card_reader is not None

    @tap
    def use_passport(self) -> None:
        """From the NIK step: type (or scan) the photo page's details to open the chip."""
        if self._state.step is Step.NIK and self.chip_offered:
            self._forget_identity()
            self._go(Step.MRZ, mrz_field=MrzField.NUMBER, message=None)

    @tap
    def use_nik(self) -> None:
        """From the passport steps back to typing the NIK (say, the chip cannot be read)."""
        if self._state.step in {Step.MRZ, Step.CHIP}:  # a read under way is dropped
            self._forget_identity()
            self._go(Step.NIK, chip_busy=False, message=None)

    def submit_mrz_field(self, text: str) -> None:
        """One typed detail: the passport number, then the date of birth, then of expiry."""
        state = self._state
        if state.step is not Step.MRZ:
            return
        today = self.collaborators.now().date()
        try:
            if state.mrz_field is MrzField.NUMBER:
                value = parse_document_number(text)
            else:
                birth = state.mrz_field is MrzField.BIRTH
                value = parse_typed_date(text, today=today if birth else None)
        except MrzEntryError as err:
            self._go(message=err.messages)
            return
        self._mrz_typed[state.mrz_field] = value
        following = _NEXT_MRZ_FIELD.get(state.mrz_field)
        if following is not None:
            self._go(mrz_field=following, message=None)
            return
        typed = self._mrz_typed
        key = MrzKey(typed[MrzField.NUMBER], typed[MrzField.BIRTH], typed[MrzField.EXPIRY])
        self._mrz_typed.clear()
        self._read_chip(key)

    @tap
    def retry_chip(self) -> None:
        """ "Try again" on the CHIP step, with the same details."""
        state = self._state
        if state.step is Step.CHIP and not state.chip_busy and self._mrz_key is not None:
            self._read_chip(self._mrz_key)

    def _read_chip(self, key: MrzKey) -> None:
        seq = self._state.request_seq + 1
        self._mrz_key = key
        self._queued = ChipRequest(seq, key)
        self._go(Step.CHIP, request_seq=seq, chip_busy=True, message=None)

    def _scan_mrz(self, key: MrzKey) -> None:
        state = self._state
        if state.step not in {Step.NIK, Step.MRZ, Step.CHIP}:
            self._go(message=both(MRZ_NOT_ASKED))
        elif not self.chip_offered:
            self._go(message=both(NO_CHIP_READER))
        elif not state.chip_busy:
            self._mrz_typed.clear()
            self._read_chip(key)

    def _finish_chip(self, outcome: ChipOutcome) -> None:
        if outcome.document_number is not None:
            self._mrz_key, self._passport_no = None, outcome.document_number
            self._after_documents()
        elif outcome.failure is ChipFailure.REFUSED:
            self._mrz_key = None
            self._set(chip_busy=False)
            self._go(Step.MRZ, mrz_field=MrzField.NUMBER, message=outcome.problem)
        elif outcome.failure is ChipFailure.NO_READER:
            self._forget_identity()
            self._set(chip_busy=False)
            self._go(Step.NIK, message=outcome.problem)
        else:  # nothing on the reader, or an unreadable answer: "Try again" or the NIK
            self._go(chip_busy=False, message=outcome.problem)

    @tap
    def answer_documents(self, ready: bool) -> None:
        if self._state.step not in {Step.DOCUMENTS, Step.PROXY}:
            return
        if ready:
            self._after_documents()
        else:
            self._go(Step.REQUIREMENTS, message=None)

    @tap
    def choose_priority(self, category: str | None) -> None:
        if self._state.step is not Step.PRIORITY:
            return
        codes = {choice.code for choice in self.content.priority_categories}
        if category is not None and category not in codes:
            self._go(message=both(UNKNOWN_CATEGORY))
            return
        self._go(Step.ISSUING, priority_category=category, message=None)

    @tap
    def rate(self, score: int) -> None:
        """The applicant's rating of the scanned ticket's finished step (1-4)."""
        state = self._state
        lookup = state.lookup
        if state.step is not Step.STATUS or lookup is None or not lookup.ratable:
            return
        if state.rating_busy or (state.rating is not None and state.rating.accepted):
            return
        if score not in range(1, 5) or self._ticket_token is None:
            return
        seq = state.request_seq + 1
        self._queued = RateRequest(seq, self._ticket_token, score)
        self._go(request_seq=seq, rating_busy=True, message=None)

    @tap
    def back(self) -> None:
        """The screen shown before; from the first screen or the ticket: welcome."""
        state = self._state
        if state.step is Step.ISSUING:
            return
        if state.step is Step.TICKET or not self._history:
            if state.step is Step.SERVICES and state.group is not None:
                self._go(group=None, message=None)
            else:
                self.restart()
            return
        if state.step is Step.MRZ and state.mrz_field is not MrzField.NUMBER:
            earlier = MrzField.NUMBER if state.mrz_field is MrzField.BIRTH else MrzField.BIRTH
            self._mrz_typed.pop(earlier, None)
            self._go(mrz_field=earlier, message=None)
            return
        previous = self._history.pop()
        if previous.step in {Step.NIK, Step.MRZ}:
            self._forget_identity()
        self._restore(previous)

    @tap
    def home(self) -> None:
        """The welcome screen, with nothing remembered."""
        if self._state.step is not Step.ISSUING:
            self.restart()

    @tap
    def to_services(self) -> None:
        """ "OK, back to services" after a refusal or a not-ready answer (same group)."""
        self._history.clear()
        self._go(Step.SERVICES, message=None)

    # A scan, on any step ---------------------------------------------------------------

    def scan(self, text: str) -> None:
        """A scanned code, routed by its kind; an unknown one changes nothing but the message."""
        if self._state.step is Step.ISSUING:
            return
        self.touch()
        route = route_scan(text)
        if route.kind is ScanKind.NIK and route.nik is not None and self._state.step is Step.NIK:
            self.submit_nik(route.nik.digits)
        elif route.kind is ScanKind.MRZ and route.mrz is not None:
            self._scan_mrz(route.mrz)
        elif route.problem is not None:
            self._go(message=route.problem)
        elif route.kind is ScanKind.BOOKING and route.value is not None:
            self._scan_booking(route.value)
        elif route.kind is ScanKind.APPLICATION and route.value is not None:
            self._scan_application(route.value)
        elif route.kind is ScanKind.TICKET and route.value is not None:
            self._scan_ticket(route.value)
        elif route.kind is ScanKind.REGISTRATION and route.value is not None:
            self._scan_registration(route.value, route.service or "")
        else:
            self._go(message=both(NIK_NOT_ASKED))

    def _scan_booking(self, code: str) -> None:
        day = self._state.pickup_only
        if day is not None:
            self._go(message=day.not_today())
            return
        service = next((s for s in self.content.services if s.needs_booking), None)
        if service is None:
            self._go(message=both(NOT_OFFERED))
            return
        self._check_in(code, service)

    def _scan_application(self, number: str) -> None:
        """Passport pickup; the number goes with the ticket (the server checks it is due)."""
        pickups = [s for s in self.content.services if s.kind == "pickup"]
        day = self._state.pickup_only
        if day is not None:
            pickups = [s for s in pickups if s.id in day.services]
        service = next((s for s in pickups if s.asks_nik), pickups[0] if pickups else None)
        if service is None:
            self._go(message=both(NOT_OFFERED))
            return
        state = self._state
        if state.step in {Step.PICKUP, Step.APPLICATION} and state.service in pickups:
            self._application_no = number  # the same pickup: the number is noted
            if state.step is Step.APPLICATION and self._history:
                self._restore(self._history.pop())
            else:
                self._go(message=None)
            return
        fresh = self._fresh(service)
        self._application_no = number
        self._go(Step.PICKUP, **fresh)

    def _scan_registration(self, text: str, service_id: str) -> None:
        """A remote registration: its service's ticket at once (the server checks it in)."""
        choice = self.content.service(service_id)
        if choice is None:
            self._go(message=both(NOT_OFFERED))
            return
        if not self._online():
            self._go(message=both(NEEDS_SERVER), offline=True)
            return
        fresh = self._fresh(choice)
        self._registration = text
        self._go(Step.ISSUING, **fresh)

    def _scan_ticket(self, token: str) -> None:
        if not self._online():
            self._go(message=both(NEEDS_SERVER), offline=True)
            return
        seq = self._state.request_seq + 1
        self._ticket_token = token
        self._queued = LookupRequest(seq, token)
        self._go(
            Step.STATUS, request_seq=seq, lookup=None, rating=None, rating_busy=False, message=None
        )

    # Requests (UI thread, then a worker, then the UI thread) ---------------------------

    def pending_request(self) -> Request | None:
        """The request to perform, handed out once."""
        if self._queued is not None:
            request, self._queued = self._queued, None
            return request
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
            nik=self._nik,
            passport_no=self._passport_no,
            by_proxy=state.by_proxy,
            application_no=self._application_no,
            registration=self._registration,
            services=self.content.services if state.service is REGISTERED else (),
        )

    def finish_request(self, outcome: Outcome) -> None:
        """Show what the worker got (ignored when the applicant has gone)."""
        state = self._state
        if outcome.seq != state.request_seq:
            log.info("a late outcome was dropped (the screen moved on)")
        elif isinstance(outcome, IssueOutcome) and state.step is Step.ISSUING:
            self._finish_issue(outcome)
        elif isinstance(outcome, LookupOutcome) and state.step is Step.STATUS:
            self._set(lookup=outcome, message=outcome.problem)
        elif isinstance(outcome, RateOutcome) and state.step is Step.STATUS:
            self._set(rating=outcome, rating_busy=False)
        elif isinstance(outcome, ChipOutcome) and state.step is Step.CHIP:
            self._finish_chip(outcome)

    #: The names of the first cut (one kind of request), kept for callers and tests.
    pending_issue = pending_request
    finish_issue = finish_request

    def _finish_issue(self, outcome: IssueOutcome) -> None:
        if outcome.ticket is None:
            self._go(Step.PROBLEM, outcome=outcome, message=outcome.problem)
        else:
            self._forget_identity()  # sent: nothing personal stays on the kiosk
            self._application_no = None
            self._registration = None
            self._go(Step.TICKET, outcome=outcome, message=None)

    # Internals -------------------------------------------------------------------------

    def _choose(self, service_id: str) -> None:
        choice = self.content.service(service_id)
        if choice is None:
            self._go(Step.SERVICES, message=both(UNKNOWN_SERVICE))
            return
        day = self._state.pickup_only
        if day is not None and choice.id not in day.services:
            self._go(message=day.not_today())
            return
        if choice.needs_server and not self._online():
            self._go(message=both(NEEDS_SERVER), offline=True)
            return
        if choice.needs_booking:
            step = Step.SCAN
        elif choice.kind == "pickup":
            step = Step.PICKUP
        elif choice.is_bap_route:
            step = Step.BAP
        elif choice.asks_documents_ready:
            step = Step.DOCUMENTS
        else:
            step = self._after_documents_step(choice)
        self._go(step, **self._fresh(choice))

    def _check_in(self, code: str, choice: ServiceChoice | None = None) -> None:
        if not self._online():
            self._go(message=both(NEEDS_SERVER), offline=True)
            return
        fresh = self._fresh(choice) if choice is not None else {"message": None}
        self._go(Step.DOCUMENTS, **(fresh | {"booking_code": code}))

    def _after_documents_step(self, service: ServiceChoice) -> Step:
        if service.asks_priority and self.content.priority_categories:
            return Step.PRIORITY
        return Step.ISSUING

    def _after_documents(self) -> None:
        service = self._state.service
        assert service is not None
        self._go(self._after_documents_step(service), priority_category=None, message=None)
