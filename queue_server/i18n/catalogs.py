"""Maintain the gettext catalogs: ``python -m queue_server.i18n.catalogs compile|check|add``.

``add`` reads ``{"English msgid": "Indonesian text", ...}`` as JSON on stdin and adds the
entries to the template and both catalogs (then run ``compile``).

``check`` fails when a ``.mo`` file is older in content than its ``.po`` file or when an
Indonesian entry is untranslated. Needs Babel (a dev dependency), not at run time.
"""

from __future__ import annotations

import io
import json
import sys
from gettext import GNUTranslations
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from queue_server.i18n import DOMAIN, LOCALE_DIR, SUPPORTED


def compiled(language: str) -> bytes:
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as source:
        catalog = read_po(source, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def untranslated(language: str) -> list[str]:
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as source:
        catalog = read_po(source, locale=language)
    return [str(message.id) for message in catalog if message.id and not message.string]


def messages(mo: bytes) -> dict[object, str]:
    """The translations in a compiled catalog, without the header (which names the
    Babel version that wrote it, so it changes with every Babel release)."""
    catalog = dict(GNUTranslations(io.BytesIO(mo))._catalog)  # type: ignore[attr-defined]
    catalog.pop("", None)
    return catalog


def compile_all() -> None:
    for language in SUPPORTED:
        target = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
        target.write_bytes(compiled(language))


def problems() -> list[str]:
    found = []
    for language in SUPPORTED:
        target = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if not target.exists() or messages(target.read_bytes()) != messages(compiled(language)):
            found.append(f"{target} is stale: run `make catalogs`")
    found += [f"id: untranslated: {msgid!r}" for msgid in untranslated("id")]
    return found


def add(translations: dict[str, str]) -> None:
    targets: list[tuple[Path, str | None]] = [
        (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po", language) for language in SUPPORTED
    ]
    targets.append((LOCALE_DIR / f"{DOMAIN}.pot", None))
    for path, language in targets:
        with path.open("rb") as source:
            catalog = read_po(source, locale=language)
        for msgid, indonesian in translations.items():
            flags = ("python-brace-format",) if "{" in msgid else ()
            catalog.add(msgid, indonesian if language == "id" else "", flags=flags)
        with path.open("wb") as target:
            write_po(target, catalog, width=100, sort_output=False)


def main(argv: list[str]) -> int:
    if argv[1:] == ["add"]:
        add(json.loads(sys.stdin.read()))
        return 0
    if argv[1:] == ["compile"]:
        compile_all()
        return 0
    if argv[1:] == ["check"]:
        found = problems()
        print("\n".join(found) if found else "catalogs are up to date")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
