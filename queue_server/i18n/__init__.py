"""Translations (gettext catalogs ``id`` and ``en``) and language negotiation.

msgids are English; the Indonesian catalog translates them, the English one may leave
them empty (gettext then falls back to the msgid). Compiled ``.mo`` files are
committed; ``python -m queue_server.i18n.catalogs check`` fails when they are stale.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

DOMAIN = "antre"
LOCALE_DIR = Path(__file__).with_name("locale")
SUPPORTED: tuple[str, ...] = ("id", "en")
DEFAULT = "id"


@lru_cache(maxsize=8)
def translator(language: str) -> gettext.NullTranslations:
    """The catalog of ``language`` (unknown languages get the default, Indonesian)."""
    if language not in SUPPORTED:
        language = DEFAULT
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language], fallback=True)


def gettext_for(language: str) -> Callable[[str], str]:
    return translator(language).gettext


def translate(msgid: str, language: str, **params: object) -> str:
    """``msgid`` in ``language``; a parameter given as ``{"id": .., "en": ..}`` is localised too."""
    text = translator(language).gettext(msgid)
    if not params:
        return text
    return text.format(**{name: _localised(value, language) for name, value in params.items()})


def _localised(value: object, language: str) -> object:
    if isinstance(value, dict) and language in value:
        return value[language]
    return value


def both(msgid: str, **params: object) -> dict[str, str]:
    """The message in every supported language, placeholders filled in."""
    return {language: translate(msgid, language, **params) for language in SUPPORTED}


def negotiate(accept_language: str | None) -> str:
    """Pick ``id`` or ``en`` from an Accept-Language header (quality values respected)."""
    best, best_quality = DEFAULT, -1.0
    for part in (accept_language or "").split(","):
        tag, _, parameters = part.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        quality = 1.0
        if parameters.strip().startswith("q="):
            try:
                quality = float(parameters.strip()[2:])
            except ValueError:
                continue
        if language in SUPPORTED and quality > best_quality:
            best, best_quality = language, quality
    return best
