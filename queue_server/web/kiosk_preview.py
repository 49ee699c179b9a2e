"""The texts of the admin console's kiosk preview (``static/admin-preview.js``).

The Content form shows the kiosk's "Please complete your documents first" screen as it
will look with the office's own list, in either language whatever the console's own
language is: so the kiosk's texts (the same msgids the kiosk uses) go to the page in both
languages, beside the preview's own controls in the console's language.
"""

from __future__ import annotations

from queue_server.i18n import SUPPORTED, translate

#: The preview's controls and notes (console language): key -> English msgid.
PREVIEW_TEXTS: dict[str, str] = {
    "ct_preview": "Preview on the kiosk",
    "ct_preview_intro": (
        "What an applicant sees at the kiosk for this service when the documents are not "
        "ready yet, as you type (saved or not)."
    ),
    "ct_preview_language": "Kiosk language",
    "ct_preview_screen": "Screen",
    "ct_preview_landscape": "Landscape 1024×600",
    "ct_preview_portrait": "Portrait 1080×1920",
    "ct_preview_builtin": (
        "No list of the office for this service: the kiosk shows its built-in list "
        "from the SOPs here."
    ),
    "ct_preview_fallback": "No list in this language: the kiosk shows the other language's.",
    "ct_preview_scrolls": "Longer than the screen: on the kiosk the list scrolls.",
}

#: What the kiosk's requirements screen shows (kiosk/app/kv/requirements.kv, common.kv).
KIOSK_TEXTS: dict[str, str] = {
    "title": "Please complete your documents first",
    "come_back": "Come back to the kiosk when they are ready, or ask at the information desk.",
    "ok": "OK, back to services",
    "back": "Back",
    "home": "Home",
}


def preview_texts(language: str) -> dict[str, str]:
    """The preview's controls and notes in the console's ``language``."""
    return {key: translate(msgid, language) for key, msgid in PREVIEW_TEXTS.items()}


def kiosk_texts() -> dict[str, dict[str, str]]:
    """The kiosk screen's texts in every language the kiosk offers."""
    return {
        code: {key: translate(msgid, code) for key, msgid in KIOSK_TEXTS.items()}
        for code in SUPPORTED
    }
