"""``/daftar/<office>``: the public remote-registration page (no sign-in, no script).

A server-rendered form in Indonesian or English: the office's registration windows with
the day each is open for, a choice of window and service and an optional phone number
for the WhatsApp/SMS confirmation. The answer comes at once: the short code and its QR
(inline SVG) for the kiosk, or why not ("full", "not open yet", a closed day). The form
carries a signed, time-limited token instead of a session's CSRF token (no cookie is
ever set); requests share the public rate limit.
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from queue_server.domain.errors import DomainError, NotFound
from queue_server.domain.registration import RegistrationWindow
from queue_server.i18n import SUPPORTED, both, negotiate, translate
from queue_server.notify.messages import InvalidMessage
from queue_server.services.offices import OfficeSnapshot
from queue_server.services.registration_rules import runs_on
from queue_server.services.registrations import Registered
from queue_server.web.api_public import PUBLIC_LIMIT
from queue_server.web.auth import limiter, services
from queue_server.web.ticket_page import PAGE_HEADERS

#: The limiter of registrations per client address and hour (a script cannot take a day's
#: quota; ``ANTRE_REGISTRATIONS_PER_ADDRESS_PER_HOUR``, default 10).
REGISTRATION_LIMIT = "registrations"
TOO_MANY_REGISTRATIONS = (
    "Too many registrations from this connection; try again in {minutes} minutes."
)

registration_page = Blueprint("registration_page", __name__, template_folder="templates")
FORM_SALT = "antre-registration-form"
FORM_MAX_AGE_S = 2 * 3600
OFFICE_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
CHOICE_RE = re.compile(r"([a-z0-9-]{1,40})/([a-z0-9-]{1,40})")
FORM_EXPIRED = "The form has expired. Please open the page again."
NO_CHOICE = "Choose a registration window and a service."


@registration_page.get("/daftar/<office>")
def show(office: str) -> Response:
    """The form (or a bilingual "unknown office" page)."""
    busy = _busy()
    if busy is not None:
        return busy
    return _form(office, _language(), problem=None, status=200)


@registration_page.post("/daftar/<office>")
def register(office: str) -> Response:
    """Register; the answer page shows the code and QR, or the form with the reason."""
    busy = _busy()
    if busy is not None:
        return busy
    language = _language()
    if not _token_ok(office, request.form.get("token", "")):
        return _form(office, language, problem=FORM_EXPIRED, status=400)
    choice = CHOICE_RE.fullmatch(request.form.get("choice", ""))
    if choice is None:
        return _form(office, language, problem=NO_CHOICE, status=422)
    phone = request.form.get("phone", "").strip()[:40] or None
    address = str(request.remote_addr)
    wait_s = limiter(REGISTRATION_LIMIT).retry_after(address)
    if wait_s is not None:
        minutes = max(1, int(wait_s / 60 + 0.999))
        text = both(TOO_MANY_REGISTRATIONS, minutes=minutes)[language]
        answer = _form(office, language, problem=text, status=429, raw=True)
        answer.headers["Retry-After"] = str(int(wait_s + 0.999))
        return answer
    try:
        registered = services().registrations.register(
            office=office,
            window=choice.group(1),
            service=choice.group(2),
            phone=phone,
            language=language,
        )
    except InvalidMessage as bad:
        return _form(office, language, problem=bad.text[language], status=422, raw=True)
    except DomainError as refused:  # also an unknown window (an unknown office: its page)
        text = both(refused.template, **refused.params)[language]
        return _form(office, language, problem=text, status=refused.http_status, raw=True)
    limiter(REGISTRATION_LIMIT).record(address)  # only places taken count
    return _done(office, language, registered)


def _form(
    office: str, language: str, *, problem: str | None, status: int, raw: bool = False
) -> Response:
    try:
        snapshot, windows = _windows(office)
    except NotFound:
        page = render_template(
            "ticket_unknown.html",
            title=both("Office not found"),
            body=both("This registration page is unknown. Check the address."),
        )
        return _respond(page, 404)
    page = render_template(
        "registration.html",
        language=language,
        office=office,
        office_name=snapshot.public_name,
        windows=[_window_view(snapshot, window, language) for window in windows],
        token=_serializer().dumps(office),
        problem=problem if raw or problem is None else translate(problem, language),
        t=lambda msgid, **params: translate(msgid, language, **params),
    )
    return _respond(page, status)


def _windows(office: str) -> tuple[OfficeSnapshot, list[RegistrationWindow]]:
    if not OFFICE_RE.fullmatch(office):
        raise NotFound(what="office")
    return services().registrations.windows(office)


def _window_view(
    snapshot: OfficeSnapshot, window: RegistrationWindow, language: str
) -> dict[str, Any]:
    zone, runs = snapshot.office.zone, runs_on(snapshot, window)
    now = services().clock()
    day = window.open_day(now, zone, runs)
    if day is not None:
        when = translate("Open now for {date}", language, date=_day(day))
    else:
        upcoming = window.next_opening(now, zone, runs)
        when = (
            translate(
                "Opens on {date} at {time}",
                language,
                date=_day(upcoming.date()),
                time=f"{upcoming:%H:%M}",
            )
            if upcoming
            else translate("Closed", language)
        )
    choices = [
        {"value": f"{window.code}/{code}", "name": _service_name(snapshot, code, language)}
        for code in window.services
    ]
    name = window.name_id if language == "id" else window.name_en
    return {
        "code": window.code,
        "name": name,
        "when": when,
        "open": day is not None,
        "choices": choices,
    }


def _service_name(snapshot: OfficeSnapshot, code: str, language: str) -> str:
    service = snapshot.services.get(code)  # type: ignore[call-overload]
    if service is None:
        return code
    return str(service.name_id if language == "id" else service.name_en)


def _done(office: str, language: str, registered: Registered) -> Response:
    snapshot, _ = _windows(office)
    page = render_template(
        "registration_done.html",
        language=language,
        office=office,
        office_name=snapshot.public_name,
        registered=registered,
        day=_day(registered.service_day),
        window=registered.window[language],
        service=registered.service[language],
        qr_svg=_qr_svg(registered.qr_text),
        t=lambda msgid, **params: translate(msgid, language, **params),
    )
    return _respond(page, 201)


def _day(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def _qr_svg(text: str) -> str:
    """The QR as inline SVG (no script, no image request); empty without qrcode."""
    try:
        import qrcode
        from qrcode.image.svg import SvgPathImage
    except ImportError:  # the short code is enough at the kiosk
        return ""
    image = qrcode.make(text, image_factory=SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    return svg[svg.index("<svg") :]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=FORM_SALT)


def _token_ok(office: str, token: str) -> bool:
    try:
        return bool(_serializer().loads(token, max_age=FORM_MAX_AGE_S) == office)
    except BadSignature:
        return False


def _busy() -> Response | None:
    wait_s = limiter(PUBLIC_LIMIT).hit(str(request.remote_addr))
    if wait_s is None:
        return None
    seconds = max(1, int(wait_s + 0.999))
    texts = both("Too many attempts; try again in {seconds} seconds.", seconds=seconds)
    page = render_template("ticket_busy.html", seconds=seconds, texts=texts)
    response = _respond(page, 429)
    response.headers["Retry-After"] = str(seconds)
    return response


def _language() -> str:
    chosen = request.values.get("lang", "")
    if chosen in SUPPORTED:
        return chosen
    return negotiate(request.headers.get("Accept-Language"))


def _respond(page: str, status: int) -> Response:
    response = Response(page, status=status, mimetype="text/html")
    response.headers.update(PAGE_HEADERS)
    return response
