"""Use case: remote registration (web page, WhatsApp) and its check-in at the kiosk.

A registration takes one place of its window's quota in the same transaction that stores
it (an atomic counter row, so two registrations never take the last place), answers with
a short code and a signed QR text, and queues the confirmation for the applicant's phone
when one was given. Only the phone's keyed hash is kept with the registration; the number
itself waits in the notification row until the message is settled.

Check-in issues the ticket through :class:`~queue_server.services.issuing.IssuingService`
and marks the registration used in that same transaction, so a registration gives one
ticket, whichever way it is checked in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from queue_server.domain.errors import DomainError, OfficeNotFound
from queue_server.domain.ids import TicketSource
from queue_server.domain.registration import (
    RegistrationArrival,
    RegistrationClosed,
    RegistrationFull,
    RegistrationInvalid,
    RegistrationNotOpenYet,
    RegistrationOtherService,
    RegistrationUsed,
    RegistrationWindow,
    ServiceNotAdmitted,
    looks_like_qr,
    normalise_code,
    not_open_until,
    qr_text,
    read_qr,
)
from queue_server.i18n import translate
from queue_server.notify import queue as notify_queue
from queue_server.notify.inbound import InboundText, Verb, attempt_key, read_command
from queue_server.notify.messages import Message, Template, phone_hash
from queue_server.persistence.db import Database
from queue_server.persistence.models import RegistrationRow
from queue_server.services.events import EventBus
from queue_server.services.issuing import IssuedTicket, IssueRequest, IssuingService, service_names
from queue_server.services.offices import OfficeCatalog, OfficeSnapshot
from queue_server.services.registration_rules import (
    CHECKED_IN,
    CONFIRMED,
    RepeatedAttempt,
    arrival,
    check_day,
    check_open,
    check_usable,
    find_window,
    fresh_code,
    known_attempt,
    refuse_second,
    runs_on,
    take_place,
)
from queue_server.services.retries import RetryKey
from queue_server.services.unit import Actor, Clock, Unit, UseCases, utc_now

#: A refusal reason sent by WhatsApp is cut to this many characters (a template parameter).
REASON_CHARS = 300


@dataclass(frozen=True)
class Registered:
    """What the applicant is told at once."""

    code: str
    qr_text: str
    service_day: date
    arrive_at: str
    window: dict[str, str]
    service: dict[str, str]


class RegistrationService(UseCases):
    """Registers ahead and checks registrations in (see the module docstring)."""

    def __init__(
        self,
        *,
        signing_key: bytes,
        hash_key: bytes,
        issuing: IssuingService,
        database: Database,
        catalog: OfficeCatalog,
        events: EventBus,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(database=database, catalog=catalog, events=events, clock=clock)
        self._signing_key = signing_key
        self._hash_key = hash_key
        self._issuing = issuing

    def windows(self, office: str) -> tuple[OfficeSnapshot, list[RegistrationWindow]]:
        with self.read() as session:
            snapshot = self.catalog.get(session, office)
        return snapshot, list(snapshot.definition.registration_windows)

    def register(
        self,
        *,
        office: str,
        window: str,
        service: str | None = None,
        day: date | None = None,
        phone: str | None = None,
        language: str = "id",
        channel: str = "web",
        attempt: str | None = None,
    ) -> Registered:
        """Register for ``window`` (its open day unless ``day``); refusals raise a
        :class:`~queue_server.domain.errors.DomainError`. With a ``phone`` the confirmation
        is queued; a refusal for a full quota is queued too when ``attempt`` names it."""
        try:
            return self._register(office, window, service, day, phone, language, channel, attempt)
        except RegistrationFull as full:
            if phone is not None and attempt is not None and full.day is not None:
                params = {"date": full.day.isoformat()}
                key = f"reg-refused:{attempt}"
                self._queue(phone, language, key, Template.REGISTRATION_REFUSED, params)
            raise

    def _register(
        self,
        office: str,
        window_code: str,
        service: str | None,
        day: date | None,
        phone: str | None,
        language: str,
        channel: str,
        attempt: str | None,
    ) -> Registered:
        confirmation_key = f"reg:{attempt}" if attempt else None
        with self.unit() as work:
            if confirmation_key and known_attempt(work, attempt or ""):
                raise RepeatedAttempt()
            snapshot = self.catalog.get(work.session, office)
            window = find_window(snapshot, window_code)
            service_id = service or window.services[0]
            if service_id not in window.services:
                raise ServiceNotAdmitted(service=service_id, window=window.names)
            names = service_names(snapshot.service(service_id))
            day = day or self._open_day(snapshot, window, work.now)
            check_open(snapshot, window, day, work.now)
            check_day(snapshot, window, service_id, day)
            hashed = phone_hash(phone, self._hash_key) if phone else None
            if hashed is not None:
                refuse_second(work, office, window, day, hashed)
            take_place(work, snapshot, window, service_id, day)
            code = fresh_code(work, office, day)
            row = RegistrationRow(
                office_id=office,
                window_code=window.code,
                service_code=service_id,
                service_day=day,
                code=code,
                status=CONFIRMED,
                channel=channel,
                language=language,
                phone_hash=hashed,
                created_at=work.now,
            )
            work.session.add(row)
            work.session.flush()
            arrive = arrival(snapshot, window, service_id, day)[0].strftime("%H:%M")
            if phone:
                params = {"date": day.isoformat(), "time": arrive, "code": code}
                message = Message(phone, Template.REGISTRATION_CONFIRMED, language, params)
                notify_queue.enqueue(
                    work.session,
                    message,
                    idempotency_key=confirmation_key or f"reg:{row.id}",
                    hash_key=self._hash_key,
                    now=work.now,
                )
        qr = qr_text(self._signing_key, office, code, day, service_id)
        return Registered(code, qr, day, arrive, window.names, names)

    def _open_day(
        self, snapshot: OfficeSnapshot, window: RegistrationWindow, now: datetime
    ) -> date:
        zone, runs = snapshot.office.zone, runs_on(snapshot, window)
        day = window.open_day(now, zone, runs) or window.open_day(now, zone)
        if day is not None:
            return day  # (a closed day is refused with its reason by _check_day)
        opens = window.next_opening(now, zone, runs)
        if opens is None:
            raise RegistrationClosed(window=window.names)
        raise not_open_until(window, opens)

    def _queue(
        self, phone: str, language: str, key: str, template: Template, params: dict[str, str]
    ) -> None:
        with self.unit() as work:
            message = Message(phone, template, language, params)
            notify_queue.enqueue(
                work.session, message, idempotency_key=key, hash_key=self._hash_key, now=work.now
            )

    # --- WhatsApp commands ------------------------------------------------------------

    def whatsapp_message(self, office: str, message: InboundText) -> str:
        """Act on one inbound WhatsApp text; returns what happened, for counting only
        (``registered``, ``refused``, ``repeated``, ``stopped``, ``started``, ``helped``,
        ``ignored``). Replies go through the notification queue, never inline; each reply's
        idempotency key comes from the WhatsApp message id, so a redelivered message never
        gets a second one."""
        command = read_command(message.text)
        if command.verb is Verb.STOP:
            with self.unit() as work:
                notify_queue.opt_out(
                    work.session, message.sender, hash_key=self._hash_key, now=work.now
                )
            return "stopped"
        if command.verb is Verb.START:
            with self.unit() as work:
                notify_queue.opt_in(work.session, message.sender, hash_key=self._hash_key)
            return "started"
        attempt = attempt_key(message.message_id)
        if command.verb is not Verb.REGISTER or command.window is None:
            return self._help(office, message.sender, command.language, attempt)
        try:
            self.register(
                office=office,
                window=command.window,
                service=command.service,
                phone=message.sender,
                language=command.language,
                channel="whatsapp",
                attempt=attempt,
            )
        except RepeatedAttempt:
            return "repeated"
        except OfficeNotFound:
            return "ignored"  # (no office to answer for)
        except RegistrationNotOpenYet as early:
            if early.opens is not None:  # told when to try again (the UP3 18:59 case)
                params = {"date": early.opens.date().isoformat(), "time": f"{early.opens:%H:%M}"}
                template = Template.REGISTRATION_NOT_OPEN
                self._queue(
                    message.sender, command.language, f"reg-early:{attempt}", template, params
                )
            else:
                self._refused(message.sender, command.language, attempt, early)
            return "refused"
        except RegistrationFull as full:
            if full.day is None:  # (with a day, register() has queued registration_refused)
                self._refused(message.sender, command.language, attempt, full)
            return "refused"
        except DomainError as refusal:
            self._refused(message.sender, command.language, attempt, refusal)
            return "refused"
        return "registered"

    def _refused(self, phone: str, language: str, attempt: str, refusal: DomainError) -> None:
        """The generic refusal reply: the refusal's own message, in the sender's language."""
        reason = " ".join(translate(refusal.template, language, **refusal.params).split())
        if len(reason) > REASON_CHARS:
            reason = reason[: REASON_CHARS - 1] + "…"
        params = {"reason": reason}
        self._queue(
            phone, language, f"reg-no:{attempt}", Template.REGISTRATION_NOT_ACCEPTED, params
        )

    def _help(self, office: str, phone: str, language: str, attempt: str) -> str:
        """The commands and the office's window codes, for a text that is none of them."""
        try:
            _, windows = self.windows(office)
        except OfficeNotFound:
            return "ignored"
        codes = [window.code for window in windows]
        params = {"windows": ", ".join(codes) or "-"}
        self._queue(phone, language, f"reg-help:{attempt}", Template.REGISTRATION_HELP, params)
        return "helped"

    # --- check-in at the kiosk ---------------------------------------------------------

    def check_in(
        self,
        *,
        office: str,
        registration: str,
        service: str | None,
        language: str = "id",
        actor: Actor,
        retry_key: RetryKey | None = None,
    ) -> IssuedTicket:
        """The ticket of a registration (its QR text or short code), issued once; a
        repeated kiosk request (same ``retry_key``) gets the first answer again. Without a
        ``service`` (a short code typed at the kiosk) the registration's service is used."""
        earlier = None if retry_key is None else self._issuing.earlier_answer(retry_key)
        if earlier is not None:
            return earlier
        with self.read() as session:
            snapshot = self.catalog.get(session, office)
            now = self.clock()
            today = snapshot.office.office_day(now)
            row = self._find(session, office, registration, today)
            window = find_window(snapshot, row.window_code)
            check_usable(session, row, today)
            service = service or row.service_code
            if row.service_code != service:
                names = service_names(snapshot.service(row.service_code))
                raise RegistrationOtherService(service=names)
            opens, closes = arrival(snapshot, window, row.service_code, today)
            policy = snapshot.office.booking
            earliest = opens - timedelta(minutes=policy.early_minutes)
            latest = closes + timedelta(minutes=policy.late_minutes)
            if not earliest <= now <= latest:
                raise RegistrationArrival(opens=f"{earliest:%H:%M}", closes=f"{latest:%H:%M}")
            registration_id = row.id

        def claim(work: Unit, issued: IssuedTicket) -> None:
            claimed = work.session.execute(
                update(RegistrationRow)
                .where(RegistrationRow.id == registration_id, RegistrationRow.status == CONFIRMED)
                .values(status=CHECKED_IN, visit_id=issued.visit_id, checked_in_at=work.now)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                raise RegistrationUsed(label="-")

        request = IssueRequest(
            office=office, service=service, source=TicketSource.KIOSK, language=language
        )
        return self._issuing.issue(
            request,
            actor=actor,
            retry_key=retry_key,
            on_issue=claim,
            action="issue_registration",
            quota_held=True,
        )

    def _find(self, session: Session, office: str, text: str, today: date) -> RegistrationRow:
        if looks_like_qr(text):
            claim = read_qr(self._signing_key, text)
            if claim.office != office:
                raise RegistrationInvalid()
            code, day = claim.code, claim.day
        else:
            found = normalise_code(text)
            if found is None:
                raise RegistrationInvalid()
            code, day = found, today
        row = session.scalars(
            select(RegistrationRow).where(
                RegistrationRow.office_id == office,
                RegistrationRow.service_day == day,
                RegistrationRow.code == code,
            )
        ).one_or_none()
        if row is None:
            raise RegistrationInvalid()
        return row
