"""Domain errors.

Each error has a stable machine ``code`` and an English message template that is
also the gettext msgid; the web and MQTT boundaries translate it (id, en).
"""

from __future__ import annotations

from typing import ClassVar


def _english(value: object) -> object:
    """Parameters may carry both languages (``{"id": ..., "en": ...}``)."""
    if isinstance(value, dict) and "en" in value:
        return value["en"]
    return value


class DomainError(Exception):
    """Base of every rule violation the queue engine reports."""

    code: ClassVar[str] = "domain_error"
    template: ClassVar[str] = "The request breaks a queue rule."
    http_status: ClassVar[int] = 409

    def __init__(self, **params: object) -> None:
        self.params = params
        english = {name: _english(value) for name, value in params.items()}
        super().__init__(self.template.format(**english) if params else self.template)


class NotFound(DomainError):
    code = "not_found"
    template = "{what} was not found."
    http_status = 404


class OfficeNotFound(NotFound):
    template = "Office {office} was not found."


class ServiceNotFound(NotFound):
    template = "Service {service} was not found."


class CounterNotFound(NotFound):
    template = "Counter {counter} was not found."


class TicketNotFound(NotFound):
    template = "The ticket was not found."


class InvalidTransition(DomainError):
    code = "invalid_transition"
    template = "A ticket that is {status} cannot be {action}."


class CounterClosed(DomainError):
    code = "counter_closed"
    template = "Counter {counter} is closed; open it first."


class CounterBusy(DomainError):
    code = "counter_busy"
    template = "Counter {counter} is already serving {ticket}; finish, park or transfer it first."


class CounterTaken(DomainError):
    code = "counter_taken"
    template = (
        "Counter {counter} is open for officer {officer}; only that officer or an "
        "administrator may act on it."
    )
    http_status = 403


class TicketAlreadyCalled(DomainError):
    code = "ticket_already_called"
    template = "Ticket {ticket} has just been called to {counter}; it is no longer waiting here."


class CounterNotServingStation(DomainError):
    code = "counter_wrong_station"
    template = "Counter {counter} does not serve this queue."


class QueueEmpty(DomainError):
    code = "queue_empty"
    template = "Nobody is waiting for this counter."
    http_status = 404


class QuotaFull(DomainError):
    code = "quota_full"
    template = "Today's quota for {service} is used up; there is no place left."


class SessionQuotaFull(QuotaFull):
    """The shared quota of a special session (evening, Saturday) is used up."""

    template = (
        "The quota of the {session} session is used up; there is no place left for {service}."
    )


class ServiceClosed(DomainError):
    code = "service_closed"
    template = "{service} is not open now."


class ServiceClosedUntil(ServiceClosed):
    """Closed now, with when it opens again (local date and time of the office)."""

    template = "{service} is not open now. It opens again on {date} at {time}."


class ServiceClosedHoliday(ServiceClosedUntil):
    """Closed today for a holiday, cuti bersama or office closure, named."""

    template = "{service} is not open today ({holiday}). It opens again on {date} at {time}."


class ServiceInactive(DomainError):
    code = "service_inactive"
    template = "{service} is not offered at this office."


class BookingRequired(DomainError):
    code = "booking_required"
    template = "{service} needs an M-Paspor booking; please book in the M-Paspor app."


class BookingWindow(DomainError):
    code = "booking_window"
    template = "Your booking slot is at {slot}; check-in is open from {opens} until {closes}."


class NoShowGraceExpired(DomainError):
    code = "no_show_expired"
    template = "The grace period for ticket {ticket} has passed; please take a new number."


class NoNextStep(DomainError):
    code = "no_next_step"
    template = "This visit has no further step today."
    http_status = 409


class InvalidNik(DomainError):
    code = "invalid_nik"
    template = "The NIK must be exactly 16 digits."
    http_status = 422


class InvalidPassportNumber(DomainError):
    code = "invalid_passport_number"
    template = "The passport number must be 1 to 9 capital letters and digits."
    http_status = 422


class UnknownPriorityCategory(DomainError):
    code = "unknown_priority_category"
    template = "Priority category {category} is not offered at this office."
    http_status = 422


class TicketNotAtCounter(DomainError):
    code = "ticket_not_at_counter"
    template = "Counter {counter} has no called or serving ticket."
    http_status = 409


class TransferTargetInvalid(DomainError):
    code = "transfer_target_invalid"
    template = "The visit cannot be transferred to {target}."
    http_status = 422


class BookingNotFound(DomainError):
    code = "booking_not_found"
    template = (
        "No M-Paspor booking with this code was found at this office. "
        "Please check the code or ask the information desk."
    )
    http_status = 404


class BookingOtherDay(DomainError):
    code = "booking_other_day"
    template = "Your booking is for {day}, not today. Please come back on that day."


class BookingUsed(DomainError):
    code = "booking_used"
    template = "This booking has already been checked in; your number is {label}."


class DocumentsNotReady(DomainError):
    code = "documents_not_ready"
    template = (
        "The customer service number is given once your documents are ready. "
        "Please prepare them first; the information desk can help."
    )
    http_status = 422


class LeaseInvalid(DomainError):
    code = "lease_invalid"
    template = "Number block {lease} does not belong to this kiosk or has expired."
    http_status = 422


class NothingToRate(DomainError):
    code = "nothing_to_rate"
    template = "This ticket has no finished service to rate yet."


class AlreadyRated(DomainError):
    code = "already_rated"
    template = "Thank you: this service has already been rated."


class RatingNotAsked(DomainError):
    code = "rating_not_asked"
    template = "Counter {counter} is not asking for a rating of ticket {ticket} now."


class RatingTimedOut(DomainError):
    code = "rating_timed_out"
    template = "The time to rate this service has passed."


class RatingOtherOfficer(DomainError):
    code = "rating_other_officer"
    template = (
        "Only the officer at counter {counter}, an administrator or the counter's own screen "
        "may record its rating."
    )
    http_status = 403


class LeaseLimit(DomainError):
    code = "lease_limit"
    template = (
        "This kiosk already holds {limit} unused numbers of {service} today, the most allowed; "
        "sync its offline tickets first."
    )


class OfflineNotAvailable(DomainError):
    code = "offline_not_available"
    template = "{service} cannot be issued while the kiosk is offline."
    http_status = 422
