"""``/admin/``: the admin console, a page and plain scripts served by the queue server.

The same framework as the officer console (:mod:`~queue_server.web.console_page`): a shell
in Indonesian (default) or English (``?lang=en``) whose scripts take every text from the
gettext catalogs as JSON in the page, sign in with the session cookie and CSRF token, read
the JSON API and redraw the live dashboard when the office's event stream says that
something changed. Each section of the left navigation is its own small script
(``static/admin-*.js``) that registers itself with ``AntreAdmin.section``. Administrators
and report readers (laporan) only: the script refuses other roles after sign-in, and the
API refuses them anyway.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request

from queue_server.i18n import SUPPORTED, translate
from queue_server.i18n.stations import STATION_NAMES
from queue_server.office_config.schema import SOP_PRIORITY_LABELS
from queue_server.web.admin_texts import (
    DEVICE_WORDS,
    REGISTRATION_TEXTS,
    REPORT_COLUMNS,
    REPORT_KINDS,
    ROLE_WORDS,
    TEXTS,
)
from queue_server.web.console_page import STATUS_WORDS
from queue_server.web.kiosk_preview import kiosk_texts, preview_texts
from queue_server.web.notify_texts import ADMIN_TEXTS, TEMPLATE_WORDS
from queue_server.web.notify_texts import STATUS_WORDS as NOTIFY_STATUS_WORDS
from queue_server.web.page_json import script_json
from queue_server.web.ticket_page import PAGE_HEADERS

admin_page = Blueprint(
    "admin_page",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/admin/static",
)
DEFAULT_LANGUAGE = "id"
#: The section scripts, in the order of the navigation (each registers itself).
SECTION_SCRIPTS = (
    "admin-dashboard.js",
    "admin-reports.js",
    "admin-devices.js",
    "admin-users.js",
    "admin-tokens.js",
    "admin-audit.js",
    "admin-services.js",
    "admin-counters.js",
    "admin-calendars.js",
    "admin-policies.js",
    "admin-content.js",
    "admin-bookings.js",
    "admin-passports.js",
    "admin-office-file.js",
    "admin-notifications.js",
    "admin-registrations.js",
)


@admin_page.get("/admin/")
def show() -> Response:
    """The admin console's shell; the scripts draw sign-in, office choice and sections."""
    language = _language()
    page = render_template(
        "admin.html",
        language=language,
        other=next(code for code in SUPPORTED if code != language),
        texts=client_texts(language),
        sections=SECTION_SCRIPTS,
        t=lambda msgid, **params: translate(msgid, language, **params),
    )
    response = Response(page, status=200, mimetype="text/html")
    response.headers.update(PAGE_HEADERS)
    return response


def client_texts(language: str) -> str:
    """Every text the admin console's scripts show, in ``language``, as JSON for the page."""

    def words(table: dict[str, str]) -> dict[str, str]:
        return {key: translate(msgid, language) for key, msgid in table.items()}

    texts: dict[str, Any] = words(TEXTS)
    texts["stations"] = words(STATION_NAMES)
    texts["statuses"] = words(STATUS_WORDS)
    texts["kinds"] = words(REPORT_KINDS)
    texts["columns"] = words(REPORT_COLUMNS)
    texts["devices"] = words(DEVICE_WORDS)
    texts["roles"] = words(ROLE_WORDS)
    texts["priority_labels"] = {
        code: {"id": name_id, "en": name_en}
        for code, (name_id, name_en) in SOP_PRIORITY_LABELS.items()
    }
    texts.update(preview_texts(language))  # the Content form's kiosk preview
    texts["kiosk_preview"] = kiosk_texts()
    texts.update(words(ADMIN_TEXTS))  # the Notifications section
    texts["ntf_statuses"] = words(NOTIFY_STATUS_WORDS)
    texts["ntf_templates"] = words(TEMPLATE_WORDS)
    texts.update(words(REGISTRATION_TEXTS))  # the Registrations section
    return script_json(texts)


def _language() -> str:
    chosen = request.args.get("lang", "")
    return chosen if chosen in SUPPORTED else DEFAULT_LANGUAGE
