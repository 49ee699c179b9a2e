"""``/t/<token>``: the ticket's status page on the applicant's phone (the ticket's QR).

A server-rendered page in Indonesian or English (Accept-Language, or ``?lang=`` from the
visible switch) with the ticket number, service, status, position and estimated wait. A
small script (``static/ticket.js``) polls the JSON status endpoint every 15 seconds;
without JavaScript a ``<meta refresh>`` reloads the page. No personal data is shown, the
token never leaves in a Referer, and look-ups share the public rate limit.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, render_template, request

from queue_server.domain.errors import DomainError, NotFound
from queue_server.i18n import SUPPORTED, both, negotiate, translate
from queue_server.i18n.stations import STATION_NAMES
from queue_server.web.api_public import PUBLIC_LIMIT
from queue_server.web.auth import limiter, services
from queue_server.web.page_json import script_json

ticket_page = Blueprint(
    "ticket_page",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/t-static",
)
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
POLL_SECONDS = 15
#: Reload period of the page when JavaScript is off.
REFRESH_SECONDS = 30
#: Statuses after which nothing changes any more: the page stops polling.
FINAL_STATUSES = ("done", "cancelled")
STATUS_TEXTS = {
    "waiting": "Waiting for your turn",
    "called": "Called: please go to {counter} now",
    "serving": "Being served at {counter}",
    "done": "Finished. Thank you.",
    "no_show": "Missed: you were called but not there. Ask at the information desk.",
    "parked": "On hold: please wait to be called again",
    "cancelled": "Cancelled",
    "transferred": "Moved to another service",
}
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    # Only the page's own script, style and status requests; never inside another site's frame.
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
}


@ticket_page.get("/t/<token>")
def show(token: str) -> Response:
    """The page of one ticket, or a bilingual "unknown ticket" page (404)."""
    language = _language()
    wait_s = limiter(PUBLIC_LIMIT).hit(str(request.remote_addr))
    if wait_s is not None:
        seconds = max(1, int(wait_s + 0.999))
        texts = both("Too many attempts; try again in {seconds} seconds.", seconds=seconds)
        page = render_template("ticket_busy.html", seconds=seconds, texts=texts)
        return _respond(page, 429, {"Retry-After": str(seconds)})
    try:
        if not TOKEN_RE.fullmatch(token):
            raise NotFound(what="ticket")
        status = services().views.ticket_status(token).model_dump(mode="json")
    except NotFound:
        page = render_template(
            "ticket_unknown.html",
            title=both("Ticket not found"),
            body=both(
                "This ticket link is unknown or has expired. Please take a new number at "
                "the kiosk or ask at the information desk."
            ),
        )
        return _respond(page, 404)
    alert = services().notifications.alert_state(token)
    page = render_template(
        "ticket.html",
        language=language,
        token=token,
        status=status,
        alert=alert,
        alert_result=ALERT_RESULTS.get(request.args.get("alert", "")),
        view=_view(status, language),
        texts=_client_texts(language),
        poll_seconds=POLL_SECONDS,
        refresh_seconds=REFRESH_SECONDS,
        final=status["status"] in FINAL_STATUSES,
        t=lambda msgid, **params: translate(msgid, language, **params),
    )
    return _respond(page, 200)


#: What the page says after the "near" form was sent (``?alert=``), and whether it is an error.
ALERT_RESULTS: dict[str, tuple[str, bool]] = {
    "on": ("Done: we will send you a message when your number is near.", False),
    "off": ("Done: no message will be sent.", False),
    "bad_phone": (
        "The phone number is not valid: 8-15 digits, optionally starting with +.",
        True,
    ),
    "ended": ("This ticket is no longer waiting; no message can be asked for.", True),
}


@ticket_page.post("/t/<token>/alert")
def ask_alert(token: str) -> Response:
    """The page's form: keep a phone for "your number is near" (waiting tickets only)."""
    return _alert(token, stop=False)


@ticket_page.post("/t/<token>/alert/stop")
def stop_alert(token: str) -> Response:
    """The page's form: forget the phone, send nothing."""
    return _alert(token, stop=True)


def _alert(token: str, *, stop: bool) -> Response:
    language = request.form.get("lang", "")
    language = (
        language if language in SUPPORTED else negotiate(request.headers.get("Accept-Language"))
    )
    wait_s = limiter(PUBLIC_LIMIT).hit(str(request.remote_addr))
    if wait_s is not None:
        seconds = max(1, int(wait_s + 0.999))
        texts = both("Too many attempts; try again in {seconds} seconds.", seconds=seconds)
        page = render_template("ticket_busy.html", seconds=seconds, texts=texts)
        return _respond(page, 429, {"Retry-After": str(seconds)})
    if not TOKEN_RE.fullmatch(token):
        return _respond("", 404)
    notifications = services().notifications
    try:
        if stop:
            notifications.cancel_alert(token)
            result = "off"
        else:
            notifications.ask_alert(token, request.form.get("phone", "")[:40], language)
            result = "on"
    except NotFound:
        return _respond("", 404)
    except DomainError as error:
        result = "ended" if error.code == "ticket_ended" else "bad_phone"
    response = Response(status=303)
    response.headers["Location"] = f"/t/{token}?lang={language}&alert={result}#alert"
    response.headers.update(PAGE_HEADERS)
    return response


def _language() -> str:
    chosen = request.args.get("lang", "")
    if chosen in SUPPORTED:
        return chosen
    return negotiate(request.headers.get("Accept-Language"))


def _view(status: dict[str, Any], language: str) -> dict[str, str]:
    """The texts the page shows for ``status`` (the script computes the same ones)."""
    counter = status.get("counter") or translate("the counter", language)
    ahead = status.get("people_ahead")
    return {
        "service": status["service"][language],
        "station": translate(STATION_NAMES.get(status["station"], status["station"]), language),
        "status": translate(
            STATUS_TEXTS.get(status["status"], status["status"]), language, counter=counter
        ),
        "ahead": "–" if ahead is None else str(ahead),
        "wait": _wait_text(status, language),
    }


def _wait_text(status: dict[str, Any], language: str) -> str:
    """The estimated wait, only while waiting ("not known yet" while no counter is open)."""
    if status["status"] != "waiting":
        return "–"
    wait = status.get("estimated_wait_minutes")
    if wait is None:
        return translate("not known yet", language)
    return translate("about {minutes} min", language, minutes=round(float(wait)))


def _client_texts(language: str) -> str:
    """Everything the polling script needs to redraw the page, as JSON."""
    texts = {
        "statuses": {key: translate(msgid, language) for key, msgid in STATUS_TEXTS.items()},
        "stations": {key: translate(msgid, language) for key, msgid in STATION_NAMES.items()},
        "counter": translate("the counter", language),
        "unknown_wait": translate("not known yet", language),
        "wait": translate("about {minutes} min", language),
        "offline": translate("No connection; trying again…", language),
        "updated": translate("Updated {time}", language),
        "final": list(FINAL_STATUSES),
    }
    return script_json(texts)


def _respond(page: str, status: int, extra: dict[str, str] | None = None) -> Response:
    response = Response(page, status=status, mimetype="text/html")
    response.headers.update(PAGE_HEADERS | (extra or {}))
    return response
