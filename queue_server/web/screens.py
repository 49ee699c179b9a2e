"""Screens served by the queue server: the lobby board and the counter display (with the
counter's rating question), for smart-TV browsers and tablets.

The pages are plain HTML with one script and one style sheet of their own (no CDN, no
build, strict CSP); their words come from the catalogs as JSON in the page, and their data
from the office's push stream (``/api/v1/offices/<office>/stream``): the retained
``board``, ``counter/+/state``, ``queue/+/state`` and ``config/display`` first, then every
change. A signed-in officer, administrator or supervisor of the office may open them (to
try a screen); a TV or tablet is paired as a display device.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, redirect, render_template, request, session, url_for

from queue_server.domain.errors import DomainError, NotFound
from queue_server.domain.ids import Role
from queue_server.i18n import SUPPORTED, translate
from queue_server.web.api_push import paired_device
from queue_server.web.api_screens import COUNTER_DISPLAY
from queue_server.web.auth import current_actor, services, session_csrf
from queue_server.web.page_json import script_json
from queue_server.web.ticket_page import PAGE_HEADERS

screens = Blueprint(
    "screens",
    __name__,
    template_folder="templates",
    static_folder="static/screens",
    static_url_path="/screens/static",
)
#: Who may look at a screen with a browser session (to try it or run it signed in).
VIEWERS = frozenset({Role.ADMIN, Role.PETUGAS, Role.LAPORAN})
#: Who may answer a counter's rating question with a browser session (as the API allows).
ANSWERING_ROLES = frozenset({Role.ADMIN, Role.PETUGAS})
SEPARATOR = " · "
#: Calls the board lists (as the Kivy board).
RECENT_CALLS = 6
BOARD_CAPTIONS = {
    "now_calling": "Now calling",
    "last_calls": "Last calls",
    "connection_lost": "Connection lost",
    "waiting_line": "Waiting and estimated wait",
    "recall": "Recall",
    "no_call_yet": "No call yet",
    "closed": "Closed",
    "no_counter_open": "No counter open",
    "no_wait": "No wait",
}
BOARD_TEMPLATES = {"waiting": "{count} waiting", "about": "About {minutes} min"}
COUNTER_CAPTIONS = {
    "called": "Please come to this counter",
    "serving": "Being served",
    "open": "Open",
    "closed": "Counter closed",
    "connection_lost": "Connection lost",
    "now_serving": "Number",
}
PAIR_TEXTS = {
    "title": "Pair this screen",
    "help": "Enter the device id and the password that antre device add printed for this "
    "display or counter display.",
    "device": "Device id",
    "password": "Password",
    "submit": "Pair",
    "paired": "Paired. Opening the screen…",
    "no_counter": "Paired. Open /screens/counter/<office>/<counter> on this screen.",
}
RATING_TEXTS = {
    "question": "How was our service?",
    "ticket": "Ticket {label}",
    "hint": "Touch one face",
    "thanks": "Thank you for your rating!",
    "sending": "Sending…",
    "failed": "Could not send; please try again.",
}
#: The four answers, score 1 to 4 (the words of the SKM's 1-4 satisfaction scale).
RATING_SCORES = ("Very dissatisfied", "Dissatisfied", "Satisfied", "Very satisfied")


@dataclass(frozen=True)
class OfficeView:
    """What a screen needs of the office before the stream's first message."""

    id: str
    name: str
    timezone: str
    ticker: str
    counters: dict[str, str]


@screens.get("/screens/board/<office>")
def board(office: str) -> Response:
    """The lobby board of ``office``."""
    refused = _refuse(office)
    if refused is not None:
        return refused
    try:
        view = _office(office)
    except NotFound:
        return _not_found()
    page = render_template(
        "screens/board.html",
        office=view,
        config=_json(_board_config(view)),
        texts=_json(_board_texts()),
        caption=_bilingual,
    )
    return _respond(page)


@screens.get("/screens/counter/<office>/<counter>")
def counter(office: str, counter: str) -> Response:
    """The display above (or tablet beside) one counter, with its rating question."""
    refused = _refuse(office, counter)
    if refused is not None:
        return refused
    try:
        view = _office(office)
    except NotFound:
        return _not_found()
    if counter not in view.counters:
        return _not_found()
    settings = _board_config(view) | {"counter": counter, "counter_name": view.counters[counter]}
    page = render_template(
        "screens/counter.html",
        office=view,
        counter=counter,
        counter_name=view.counters[counter],
        config=_json(
            settings
            | {
                "rating_url": _rating_url(office, counter),
                "can_rate": _may_answer(counter),
                "csrf": session_csrf() or "",
            }
        ),
        texts=_json(_counter_texts()),
        caption=_bilingual,
    )
    return _respond(page)


def _refuse(office: str, counter: str | None = None) -> Response | None:
    """None when this browser may show the office's screen (the counter's, if given): a
    signed-in officer, administrator or supervisor of the office, or a display paired in
    the office (a counter display bound to a counter shows only that counter). Otherwise
    a redirect to the pairing page, or a 403 page."""
    if isinstance(session.get("sid"), str):
        try:
            actor = current_actor()
        except DomainError:
            actor = None
        if actor is not None:
            if actor.role in VIEWERS and actor.may_act_in(office):
                return None
            return _forbidden(
                _bilingual(
                    "This account may not show the screens of office {office}.", office=office
                )
            )
    device = paired_device()
    if device is None:
        return redirect(url_for("screens.pair", next=request.path))  # type: ignore[return-value]
    bound = device.kind == COUNTER_DISPLAY and device.counter is not None
    if device.office != office or (bound and device.counter != counter):
        return _forbidden(_bilingual("This screen is paired with another office or counter."))
    return None


def _may_answer(counter: str) -> bool:
    """Whether this browser may answer the counter's rating question (else it never asks)."""
    if isinstance(session.get("sid"), str):
        return current_actor().role in ANSWERING_ROLES
    device = paired_device()
    return device is not None and device.kind == COUNTER_DISPLAY and device.counter == counter


def _forbidden(reason: str) -> Response:
    page = render_template("screens/message.html", title=_bilingual("Not allowed"), body=reason)
    return _respond(page, 403)


@screens.get("/screens/pair")
def pair() -> Response:
    """Pair this browser as a display device (its id and password), then open its screen."""
    follow = _safe_next(request.args.get("next", ""))
    device = paired_device()
    if device is not None and not request.args.get("again"):
        screen = follow or _screen_of(device.kind, device.office, device.counter)
        if screen:
            return redirect(screen)  # type: ignore[return-value]
    texts = {key: _bilingual(msgid) for key, msgid in PAIR_TEXTS.items()}
    page = render_template(
        "screens/pair.html",
        texts=texts,
        config=_json({"next": follow, "pair_url": "/api/v1/devices/pair"}),
    )
    return _respond(page)


def _safe_next(path: str) -> str:
    """``path`` if it is one of this server's screens, else "" (no open redirect)."""
    if path.startswith("/screens/") and "//" not in path and "\\" not in path:
        return path
    return ""


def _screen_of(kind: str, office: str, counter: str | None) -> str:
    """The screen a paired device shows: the board, or its counter's display."""
    if kind == COUNTER_DISPLAY:
        return url_for("screens.counter", office=office, counter=counter) if counter else ""
    return url_for("screens.board", office=office)


def _office(office: str) -> OfficeView:
    views = services().views
    with views.read() as session:
        snapshot = views.catalog.get(session, office)
    definition = snapshot.definition
    branding = definition.branding
    name = snapshot.public_name
    ticker = _ticker(branding.ticker.id, branding.ticker.en) if branding else ""
    if not ticker:
        ticker = _bilingual(
            "Welcome to {office}. Please wait until your number is called.", office=name
        )
    counters = {str(code): profile.name for code, profile in snapshot.counters.items()}
    return OfficeView(snapshot.office.id, name, snapshot.office.timezone, ticker, counters)


def _ticker(indonesian: str, english: str) -> str:
    parts = [text.strip() for text in (indonesian, english) if text.strip()]
    return "   ◆   ".join(dict.fromkeys(parts))


def _board_config(view: OfficeView) -> dict[str, Any]:
    return {
        "office": view.id,
        "office_name": view.name,
        "timezone": view.timezone,
        "stream": f"/api/v1/offices/{quote(view.id, safe='')}/stream",
        "recent_calls": RECENT_CALLS,
        # The server's clock: a TV whose own clock is off still shows the right time and
        # closes the rating question when the server stops accepting it.
        "server_now_ms": int(services().clock().timestamp() * 1000),
        "counters": view.counters,
    }


def _board_texts() -> dict[str, Any]:
    texts: dict[str, Any] = {key: _bilingual(msgid) for key, msgid in BOARD_CAPTIONS.items()}
    texts["templates"] = {
        key: {language: translate(msgid, language) for language in SUPPORTED}
        for key, msgid in BOARD_TEMPLATES.items()
    }
    texts["separator"] = SEPARATOR
    return texts


def _counter_texts() -> dict[str, Any]:
    texts: dict[str, Any] = {key: _bilingual(msgid) for key, msgid in COUNTER_CAPTIONS.items()}
    texts["rating"] = {
        language: {key: translate(msgid, language) for key, msgid in RATING_TEXTS.items()}
        | {"scores": [translate(word, language) for word in RATING_SCORES]}
        for language in SUPPORTED
    }
    texts["language_names"] = {"id": "Bahasa Indonesia", "en": "English"}
    return texts


def _rating_url(office: str, counter: str) -> str:
    return f"/api/v1/offices/{quote(office, safe='')}/counters/{quote(counter, safe='')}/rating"


def _bilingual(msgid: str, **params: object) -> str:
    """``msgid`` in Indonesian, then in English when it differs (a screen speaks to all)."""
    indonesian = translate(msgid, "id", **params)
    english = translate(msgid, "en", **params)
    return indonesian if indonesian == english else f"{indonesian}{SEPARATOR}{english}"


def _json(data: dict[str, Any]) -> str:
    return script_json(data)


def _not_found() -> Response:
    page = render_template(
        "screens/message.html",
        title=_bilingual("Screen not found"),
        body=_bilingual("This office or counter is unknown."),
    )
    return _respond(page, 404)


def _respond(page: str, status: int = 200) -> Response:
    response = Response(page, status=status, mimetype="text/html")
    response.headers.update(PAGE_HEADERS)
    return response
