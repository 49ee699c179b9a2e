"""The spoken texts of a call (pure): ticket, counter and the sentence in each language.

``B-023`` at counter ``CS 2`` becomes "Nomor antrean B dua puluh tiga, silakan menuju loket
C S dua" and "Number B twenty-three, please go to counter C S two". The counter's display
name is read token by token: numbers as words, short all-capital codes (up to three letters)
spelled letter by letter, other words as written; a leading "Loket" / "Counter" is dropped
because the sentence already says it. ``AnnouncerConfig.counter_names`` overrides this.
"""

from __future__ import annotations

import re
from typing import Final

from displays.announcer.config import AnnouncerConfig
from displays.announcer.numbers import Language, digit_by_digit, in_words, letters
from queue_server.protocol.labels import parse_number
from queue_server.protocol.states import CalledEvent

_TEMPLATES: Final[dict[Language, str]] = {
    "id": "{lead}omor antrean {ticket}, silakan menuju loket {counter}",
    "en": "{lead}umber {ticket}, please go to counter {counter}",
}
_LEAD: Final[dict[Language, tuple[str, str]]] = {
    "id": ("N", "Panggilan ulang, n"),
    "en": ("N", "Repeat call, n"),
}
_COUNTER_WORDS: Final = frozenset({"loket", "counter", "konter"})
_TOKEN: Final = re.compile(r"\d+|[^\W\d_]+")


def spoken_ticket(label: str, language: Language, config: AnnouncerConfig) -> str:
    """The ticket label spoken: ``"B-023"`` → ``"B dua puluh tiga"`` or ``"B nol dua tiga"``.

    Raises:
        ValueError: ``label`` is not a ticket label.
    """
    prefix, number = parse_number(label)
    if config.numbers == "digits":
        spoken = digit_by_digit(label.strip().partition("-")[2], language)
    else:
        spoken = in_words(number, language)
    return f"{letters(prefix)} {spoken}"


def _spoken_token(token: str, language: Language) -> str:
    if token.isdigit():
        return (
            in_words(int(token), language) if len(token) <= 6 else digit_by_digit(token, language)
        )
    if token.isupper() and len(token) <= 3:
        return letters(token)
    return token


def spoken_counter(event: CalledEvent, language: Language, config: AnnouncerConfig) -> str:
    """The counter's spoken name (without the word "loket" / "counter")."""
    override = config.counter_names.get(event.counter)
    if override is not None:
        return override.get(language)
    tokens = _TOKEN.findall(event.counter_name)
    if len(tokens) > 1 and tokens[0].lower() in _COUNTER_WORDS:
        tokens = tokens[1:]
    return " ".join(_spoken_token(token, language) for token in tokens) or event.counter


def phrase(event: CalledEvent, language: Language, config: AnnouncerConfig) -> str:
    """The full sentence for ``event`` in ``language`` (a recall says so first)."""
    return _TEMPLATES[language].format(
        lead=_LEAD[language][event.recall],
        ticket=spoken_ticket(event.ticket, language, config),
        counter=spoken_counter(event, language, config),
    )


def phrases(event: CalledEvent, config: AnnouncerConfig) -> list[tuple[Language, str]]:
    """The sentences for ``event``, one per configured language, in the configured order."""
    return [(language, phrase(event, language, config)) for language in config.languages]
