"""``/admin/recap/<office>/<YYYY-MM-DD>``: the printable daily recap (Admin and Laporan).

It replaces the recap the SOPs keep by hand at handover ("direkapitulasi secara manual"):
per service the tickets issued and served, no-shows, transfers, cancellations and quota;
waiting and service times against the SOP standard per step; the services per counter
and per officer; the ratings with the IKM. Plain HTML for paper: no script but the
print button's, Indonesian by default (``?lang=en``), strict CSP like every page.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, render_template, request

from queue_server.i18n import SUPPORTED, translate
from queue_server.i18n.stations import STATION_NAMES
from queue_server.services.reports.service import parse_day
from queue_server.web.auth import require_office, require_role, services
from queue_server.web.roles import SUPERVISORS
from queue_server.web.ticket_page import PAGE_HEADERS

recap_page = Blueprint("recap_page", __name__, template_folder="templates")
DEFAULT_LANGUAGE = "id"
RATING_NOTE = (
    "The quick rating is one question, about the officers' conduct (element 7 of "
    "PermenPANRB 14/2017): this IKM is a single-element indicator, not the full survey."
)


@recap_page.get("/admin/recap/<office>/<day>")
def show(office: str, day: str) -> Response:
    actor = require_role(SUPERVISORS)
    require_office(actor, office)
    language = _language()
    recap = services().reports.recap(office, parse_day(day))
    zone = ZoneInfo(recap.timezone)
    page = render_template(
        "recap.html",
        language=language,
        other=next(code for code in SUPPORTED if code != language),
        recap=recap,
        day=recap.day.strftime("%d-%m-%Y"),
        printed=services().clock().astimezone(zone).strftime("%d-%m-%Y %H:%M"),
        tables=recap.tables,
        service_name=lambda code: recap.service_names.get(code, {}).get(language, code),
        station_name=lambda code: _station_name(str(code), language),
        number=lambda value, decimals=1: _number(value, decimals, language),
        percent=_percent,
        rating_note=translate(RATING_NOTE, language),
        t=lambda msgid, **params: translate(msgid, language, **params),
    )
    response = Response(page, status=200, mimetype="text/html")
    response.headers.update(PAGE_HEADERS)
    return response


def _station_name(code: str, language: str) -> str:
    return translate(STATION_NAMES.get(code, code), language)


def _number(value: Any, decimals: int = 1, language: str = "en") -> str:
    """A number as the page's language writes it (Indonesian: a decimal comma)."""
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:.{decimals}f}"
        return text.replace(".", ",") if language == "id" else text
    return str(value)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _language() -> str:
    chosen = request.args.get("lang", "")
    return chosen if chosen in SUPPORTED else DEFAULT_LANGUAGE
