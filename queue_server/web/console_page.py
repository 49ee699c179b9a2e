"""``/console/``: the officer console, a page and a plain script served by the queue server.

The page is a shell in Indonesian (default) or English (``?lang=en``); every text the
script draws comes from the gettext catalogs as JSON in the page (``_client_texts``), so
the script holds no wording. The script signs in with ``POST /api/v1/auth/login`` (the
server-side session cookie plus the CSRF token), reads the console API and acts through
the officer endpoints; it redraws when the office's event stream says that the counter
or a queue changed (no polling). ``/console/print/<token>`` is a printable ticket with
the QR of its status page, for a ticket issued at the desk.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, render_template, request

from queue_server.domain.errors import DomainError, NotFound
from queue_server.i18n import SUPPORTED, translate
from queue_server.i18n.stations import STATION_NAMES
from queue_server.web.auth import require_role, services
from queue_server.web.console_drive_thru_texts import DRIVE_THRU_TEXTS
from queue_server.web.console_pickup_texts import PICKUP_TEXTS
from queue_server.web.console_texts import TEXTS
from queue_server.web.notify_texts import CONSOLE_TEXTS
from queue_server.web.page_json import script_json
from queue_server.web.roles import OFFICERS
from queue_server.web.ticket_page import PAGE_HEADERS, TOKEN_RE

console_page = Blueprint(
    "console_page",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/console/static",
)
DEFAULT_LANGUAGE = "id"
#: Priority categories of the office files, as the console names them.
CATEGORY_TEXTS = {
    "disabled": "Person with a disability",
    "elderly": "Elderly (60+)",
    "child_under_five": "With a child under five",
    "pregnant": "Pregnant",
}
STATUS_WORDS = {
    "waiting": "Waiting",
    "called": "Called",
    "serving": "Serving",
    "done": "Done",
    "no_show": "Not present",
    "parked": "Parked",
    "cancelled": "Cancelled",
    "transferred": "Transferred",
}
ACTION_WORDS = {
    "issue": "Ticket issued",
    "queue": "Queued for the next step",
    "call": "Called",
    "call_specific": "Called by number",
    "recall": "Called again",
    "start": "Service started",
    "finish": "Finished",
    "no_show": "Not present",
    "reactivate": "Back in the queue",
    "park": "Parked",
    "cancel": "Cancelled",
    "transfer": "Transferred",
}


@console_page.get("/console/")
def show() -> Response:
    """The console's shell; the script draws sign-in, counter choice and counter screen."""
    language = _language()
    page = render_template(
        "console.html",
        language=language,
        other=next(code for code in SUPPORTED if code != language),
        texts=client_texts(language),
        t=lambda msgid, **params: translate(msgid, language, **params),
    )
    return _respond(page, 200)


@console_page.get("/console/drive-thru/")
def drive_thru() -> Response:
    """The drive-thru lane page: the lane's cars in arrival order, scan, check, hand over."""
    language = _language()
    texts: dict[str, Any] = {key: translate(msgid, language) for key, msgid in TEXTS.items()}
    for table in (PICKUP_TEXTS, DRIVE_THRU_TEXTS):
        texts.update({key: translate(msgid, language) for key, msgid in table.items()})
    page = render_template(
        "console_drive_thru.html",
        language=language,
        other=next(code for code in SUPPORTED if code != language),
        texts=script_json(texts),
        t=lambda msgid, **params: translate(msgid, language, **params),
    )
    return _respond(page, 200)


@console_page.get("/console/print/<token>")
def print_ticket(token: str) -> Response:
    """A printable ticket (number, service, time, QR of its status page) for the desk."""
    language = _language()
    require_role(OFFICERS)  # 401/403 as JSON errors: only a signed-in officer prints here
    try:
        if not TOKEN_RE.fullmatch(token):
            raise NotFound(what="ticket")
        status = services().views.ticket_status(token).model_dump(mode="json")
    except DomainError:
        return _respond(translate("The ticket was not found.", language), 404)
    link = request.host_url.rstrip("/") + f"/t/{token}"
    issued = _office_time(status["office"], status["issued_at"])
    page = render_template(
        "console_print.html",
        language=language,
        status=status,
        service=status["service"][language],
        station=translate(STATION_NAMES.get(status["station"], status["station"]), language),
        issued=issued,
        qr_svg=_qr_svg(link),
        link=link,
        t=lambda msgid, **params: translate(msgid, language, **params),
    )
    return _respond(page, 200)


def client_texts(language: str) -> str:
    """Every text the console's script shows, in ``language``, as JSON for the page."""
    texts: dict[str, Any] = {key: translate(msgid, language) for key, msgid in TEXTS.items()}
    texts.update({key: translate(msgid, language) for key, msgid in PICKUP_TEXTS.items()})
    texts.update({key: translate(msgid, language) for key, msgid in CONSOLE_TEXTS.items()})
    texts["stations"] = {key: translate(msgid, language) for key, msgid in STATION_NAMES.items()}
    texts["categories"] = {key: translate(msgid, language) for key, msgid in CATEGORY_TEXTS.items()}
    texts["statuses"] = {key: translate(msgid, language) for key, msgid in STATUS_WORDS.items()}
    texts["actions"] = {key: translate(msgid, language) for key, msgid in ACTION_WORDS.items()}
    return script_json(texts)


def _office_time(office_name: str, moment: str) -> str:
    """``moment`` (ISO, UTC) as the office's local date and time, as on the kiosk's tickets."""
    zones = [office["timezone"] for office in services().views.offices()
             if office["name"] == office_name]  # fmt: skip
    local = datetime.fromisoformat(moment)
    if zones:
        local = local.astimezone(ZoneInfo(zones[0]))
    return local.strftime("%d-%m-%Y %H:%M")


def _qr_svg(link: str) -> str:
    """The QR of ``link`` as inline SVG (no script, no image request); empty without qrcode."""
    try:
        import qrcode
        from qrcode.image.svg import SvgPathImage
    except ImportError:  # the printed link is enough to find the ticket's page
        return ""
    image = qrcode.make(link, image_factory=SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    return svg[svg.index("<svg") :]  # without the XML declaration


def _language() -> str:
    chosen = request.args.get("lang", "")
    return chosen if chosen in SUPPORTED else DEFAULT_LANGUAGE


def _respond(page: str, status: int) -> Response:
    response = Response(page, status=status, mimetype="text/html")
    response.headers.update(PAGE_HEADERS)
    return response
