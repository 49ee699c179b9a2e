"""What the kiosk screens show: the journey's steps and its immutable state (pure code)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from devices.printer import LocalisedText, PrinterProfile, TicketPrinter
from kiosk.content import ServiceChoice, ServiceGroup
from kiosk.enquiry import LookupOutcome, RateOutcome
from kiosk.guide import BapReason
from kiosk.issuing import IssueOutcome, TicketDesk
from kiosk.lane import LaneOutcome
from kiosk.passport_chip import MrzField
from kiosk.sessions import PickupOnlyDay

if TYPE_CHECKING:
    from devices.smartcard.reader import CardReader


class Step(StrEnum):
    """One screen each (``kiosk/app/steps.py``)."""

    WELCOME = "welcome"
    SERVICES = "services"
    INFO_LIST = "info_list"  # every service, to read what to bring
    INFO = "info"  # one service's documents to bring
    SCAN = "scan"  # M-Paspor booking code
    BAP = "bap"  # lost, damaged or changed data?
    PICKUP = "pickup"  # who collects: the applicant or someone else
    PROXY = "proxy"  # what someone collecting for another must bring
    APPLICATION = "application"  # pickup: the application number typed on the keypad
    REGISTRATION = "registration"  # a remote registration's short code, typed
    NIK = "nik"
    MRZ = "mrz"  # the passport's number and dates, typed (or its MRZ scanned)
    CHIP = "chip"  # the passport on the reader: its chip read with those details
    DOCUMENTS = "documents"
    REQUIREMENTS = "requirements"
    PRIORITY = "priority"
    ISSUING = "issuing"
    TICKET = "ticket"
    PROBLEM = "problem"
    STATUS = "status"  # a scanned ticket's status and rating
    LANE = "lane"  # drive-thru lane mode: "scan your application receipt"
    LANE_ANSWER = "lane_answer"  # drive-thru lane mode: the car's place, or why not


@dataclass(frozen=True, slots=True)
class FlowState:
    """What the screens show; replaced (never changed) by each action.

    Attributes:
        message: a bilingual message for the current screen (a refusal, a bad code).
        offline: the server cannot be reached: services that need it are unavailable.
        seconds_left: the last seconds before the kiosk returns to the welcome screen
            (None while more than the countdown is left).
        lookup: a scanned ticket's status (None while it is being looked up).
        rating: the answer to the applicant's rating; ``rating_busy`` while it is sent.
    """

    step: Step = Step.WELCOME
    language: str = "id"
    group: ServiceGroup | None = None
    service: ServiceChoice | None = None
    booking_code: str | None = None
    priority_category: str | None = None
    bap_reason: BapReason | None = None
    by_proxy: bool = False
    message: dict[str, str] | None = None
    outcome: IssueOutcome | None = None
    request_seq: int = 0
    offline: bool = False
    seconds_left: int | None = None
    lookup: LookupOutcome | None = None
    rating: RateOutcome | None = None
    rating_busy: bool = False
    #: Which detail of the photo page the MRZ step asks for.
    mrz_field: MrzField = MrzField.NUMBER
    #: The chip is being read (the CHIP step's "Try again" waits).
    chip_busy: bool = False
    #: Only a pickup session is open now (a Saturday): pickup only, with a banner.
    pickup_only: PickupOnlyDay | None = None
    #: Drive-thru lane mode: the answer to the last scan (None while it is checked).
    lane: LaneOutcome | None = None

    def text(self, localised: LocalisedText | dict[str, str] | None) -> str:
        """``localised`` in the current language ('' for None)."""
        if localised is None:
            return ""
        if isinstance(localised, LocalisedText):
            return localised.in_language(self.language)
        return localised.get(self.language) or localised.get("en") or ""

    def unavailable(self, service: ServiceChoice) -> bool:
        """The service needs the server and the kiosk is offline."""
        return self.offline and service.needs_server

    @property
    def can_go_back(self) -> bool:
        """Back and Home are shown (the same place on every screen) but for these steps."""
        return self.step not in {Step.WELCOME, Step.ISSUING, Step.LANE, Step.LANE_ANSWER}


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
    #: The e-passport reader; None: the kiosk offers the NIK only.
    card_reader: CardReader | None = None
    #: What is open now, from the server's queue states (None: the kiosk does not know).
    pickup_only: Callable[[datetime], PickupOnlyDay | None] | None = None
