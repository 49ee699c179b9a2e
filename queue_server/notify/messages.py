"""What a notification says: a template key, a language and the parameters it needs.

Each template declares its parameters; anything else is refused, so a caller cannot slip
a NIK or a full name into a message. The text comes from the gettext catalogs (id/en).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from queue_server.i18n import SUPPORTED, both, translate


class Template(StrEnum):
    PASSPORT_READY = "passport_ready"
    NUMBER_NEAR = "number_near"
    BAP_APPROVED = "bap_approved"
    REGISTRATION_CONFIRMED = "registration_confirmed"
    REGISTRATION_REFUSED = "registration_refused"
    #: A WhatsApp registration sent before its window opened (UP3: before 19:00).
    REGISTRATION_NOT_OPEN = "registration_not_open"
    #: Any other refused WhatsApp registration: the refusal's reason, in the sender's language.
    REGISTRATION_NOT_ACCEPTED = "registration_not_accepted"
    #: An unknown WhatsApp command: the commands and the office's window codes.
    REGISTRATION_HELP = "registration_help"


class PickupOption(StrEnum):
    COUNTER = "counter"
    DRIVE_THRU = "drive_thru"
    SATURDAY = "saturday"


class InvalidMessage(ValueError):
    """A message that cannot be sent as given; ``text`` explains it in id and en."""

    def __init__(self, text: dict[str, str]) -> None:
        super().__init__(text["en"])
        self.text = text


#: Per template: its parameters, each with the pattern its value must match.
PARAMETERS: dict[Template, dict[str, str]] = {
    Template.PASSPORT_READY: {"office": r"[^\r\n]{1,80}", "options": r"[a-z_,]{1,60}"},
    Template.NUMBER_NEAR: {"number": r"[A-Z0-9-]{1,12}", "away": r"[0-9]{1,3}"},
    Template.BAP_APPROVED: {"office": r"[^\r\n]{1,80}"},
    Template.REGISTRATION_CONFIRMED: {
        "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "time": r"[0-9]{2}:[0-9]{2}",
        "code": r"[A-Z0-9]{4,12}",
    },
    Template.REGISTRATION_REFUSED: {"date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}"},
    Template.REGISTRATION_NOT_OPEN: {
        "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "time": r"[0-9]{2}:[0-9]{2}",
    },
    Template.REGISTRATION_NOT_ACCEPTED: {"reason": r"[^\r\n]{1,300}"},
    Template.REGISTRATION_HELP: {"windows": r"[a-z0-9, -]{1,200}"},
}

_TEXTS: dict[Template, str] = {
    Template.PASSPORT_READY: (
        "Your passport is ready for pickup at {office}. You can collect it: {options}."
    ),
    Template.NUMBER_NEAR: "Your number {number} will be called soon: {away} ahead of you.",
    Template.BAP_APPROVED: (
        "Your interview record (BAP) has been approved. Please come back to {office}."
    ),
    Template.REGISTRATION_CONFIRMED: (
        "Your registration is confirmed for {date} at {time}. Show code {code} at the kiosk."
    ),
    Template.REGISTRATION_REFUSED: (
        "Sorry, the quota for {date} is full; your registration was not accepted."
    ),
    Template.REGISTRATION_NOT_OPEN: (
        "Registration is not open yet. It opens on {date} at {time}; please send your "
        "message again then."
    ),
    Template.REGISTRATION_NOT_ACCEPTED: "Your registration was not accepted: {reason}",
    Template.REGISTRATION_HELP: (
        "To register, send DAFTAR <window> [service]; windows: {windows}. STOP: no more "
        "messages. MULAI: messages again."
    ),
}

_OPTION_TEXTS: dict[PickupOption, str] = {
    PickupOption.COUNTER: "at the pickup counter",
    PickupOption.DRIVE_THRU: "at the drive-thru lane",
    PickupOption.SATURDAY: "on a Saturday pickup session",
}

_PHONE = re.compile(r"\+?[0-9]{8,15}")


def normalised_phone(raw: str) -> str:
    """An Indonesian mobile number as ``+62...`` (a leading 0 becomes +62); refused otherwise."""
    digits = re.sub(r"[\s().-]", "", raw)
    if not _PHONE.fullmatch(digits):
        raise InvalidMessage(
            both("The phone number is not valid: 8-15 digits, optionally starting with +.")
        )
    if digits.startswith("+"):
        return digits
    if digits.startswith("0"):
        return "+62" + digits[1:]
    return "+" + digits


def masked_phone(phone: str) -> str:
    """The number as screens may show it: ``+62 812-••••-7890`` (country, 3 first, 4 last)."""
    digits = normalised_phone(phone)[1:]
    country = "62" if digits.startswith("62") else digits[:2]
    national = digits[len(country) :]
    return f"+{country} {national[:3]}-••••-{national[-4:]}"


def phone_hash(phone: str, key: bytes) -> str:
    """The keyed hash that stands for a phone number once its message is settled."""
    return hmac.new(key, normalised_phone(phone).encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Message:
    """One notification: who (a phone number), which template, in which language, with what."""

    phone: str
    template: Template
    language: str
    params: Mapping[str, str] = field(default_factory=dict)

    def checked(self) -> Message:
        """This message with its phone normalised; refused when anything does not fit."""
        if self.language not in SUPPORTED:
            raise InvalidMessage(both("The language must be id or en."))
        try:
            template = Template(self.template)
        except ValueError:
            raise InvalidMessage(both("Unknown message template.")) from None
        expected = PARAMETERS[template]
        if set(self.params) != set(expected):
            raise InvalidMessage(
                both(
                    "The message parameters must be exactly: {names}.",
                    names=", ".join(sorted(expected)),
                )
            )
        for name, pattern in expected.items():
            value = self.params[name]
            if not isinstance(value, str) or not re.fullmatch(pattern, value):
                raise InvalidMessage(both("The value of parameter {name} is not valid.", name=name))
        if template is Template.PASSPORT_READY:
            _options(self.params["options"])
        return Message(normalised_phone(self.phone), template, self.language, dict(self.params))


def _options(value: str) -> list[PickupOption]:
    try:
        options = [PickupOption(part) for part in value.split(",")]
    except ValueError:
        options = []
    if not options or len(set(options)) != len(options):
        raise InvalidMessage(
            both("Pickup options: counter, drive_thru, saturday (comma separated).")
        )
    return options


def render(message: Message) -> str:
    """The message's text in its language."""
    template = Template(message.template)
    params = dict(message.params)
    if template is Template.PASSPORT_READY:
        parts = [translate(_OPTION_TEXTS[o], message.language) for o in _options(params["options"])]
        params["options"] = "; ".join(parts)
    return translate(_TEXTS[template], message.language, **params)


def template_parameters(message: Message) -> list[str]:
    """The parameters in a fixed order (the WhatsApp template's ``{{1}}``, ``{{2}}``...)."""
    names = sorted(PARAMETERS[Template(message.template)])
    rendered = dict(message.params)
    if Template(message.template) is Template.PASSPORT_READY:
        rendered["options"] = "; ".join(
            translate(_OPTION_TEXTS[o], message.language) for o in _options(rendered["options"])
        )
    return [rendered[name] for name in names]
