"""Every route x every kind of caller x own/other office: who gets in, who is refused.

The routes come from the app's URL map, so a new route is in the matrix the day it is
added. A route declared with :func:`~queue_server.web.routing.endpoint` is expected to
behave as its declared roles say (and, under ``<office>``, to refuse an office outside
the caller's); a declared public route must let everyone in. A route that is not
declared that way (the HTML pages, static files) or that checks its callers itself
must have an entry in ``WRITTEN_OUT`` below; a route with neither fails the test.

"Let in" means the answer is not a refusal (401, 403, or the screens' redirect to the
pairing page) and not a 500: a 404 for an unknown id or a 422 for an empty body shows
the caller got past the door. Every unsafe request made with a session cookie but
without the CSRF header is refused, whatever the route and role.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from queue_server.domain.ids import Role
from queue_server.mqtt.broker import hash_password
from queue_server.push.hub import PushHub
from queue_server.services.container import Services
from queue_server.services.unit import Actor
from queue_server.web import create_app
from queue_server.web.api_push import PUSH_EXTENSION
from queue_server.web.roles import OFFICERS, SUPERVISORS
from queue_server.web.routing import OFFICE_PARAMETER, SPEC_ATTRIBUTE, Endpoint
from queue_server.web.screens import VIEWERS
from tests.web.conftest import OFFICE, PASSWORDS, FakeMonotonic
from tests.web.test_security import OTHER, load_second_office

SYSTEM = Actor(name="matrix")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
OK = "ok"
#: Refusals: sign in first, not allowed, or the screens' redirect to the pairing page.
REFUSED = (401, 403, 302)
#: What a refusal's JSON error code may be (anything else is not about access).
REFUSAL_CODES = {
    "unauthenticated",
    "forbidden",
    "office_forbidden",
    "not_paired",
    "csrf_failed",
    "screen_not_for_counter",
}
#: Requests that end the caller's sign-in or pairing run last for each caller.
ENDING = {"api.auth.logout", "api.push.unpair"}


@dataclass(frozen=True)
class Caller:
    """One kind of caller: how it authenticates, its role and offices."""

    name: str
    kind: str  # "anonymous", "session", "token", "display"
    role: Role | None = None
    offices: frozenset[str] | None = None
    headers: dict[str, str] = field(default_factory=dict, hash=False)
    #: A counter display's counter (a lobby display has none).
    counter: str | None = None

    def may_act_in(self, office: str) -> bool:
        return self.offices is None or office in self.offices


Expect = Callable[[Caller, str | None, str | None], object]


def declared(roles: frozenset[Role] | None, office_scoped: bool) -> Expect:
    """What a route declared with ``roles`` answers (signed-in callers only, no screens)."""

    def expect(caller: Caller, office: str | None, counter: str | None) -> object:
        if roles is None:
            return OK
        if caller.kind in ("anonymous", "display"):
            return 401
        if caller.role not in roles:
            return 403
        if office_scoped and office is not None and not caller.may_act_in(office):
            return 403
        return OK

    return expect


def public(caller: Caller, office: str | None, counter: str | None) -> object:
    return OK


def sessions_or_displays(roles: frozenset[Role], counter_bound: bool) -> Expect:
    """A signed-in browser of ``roles`` in the office, or a display paired in the office
    (for ``counter_bound``, the counter display of that counter); machines: 403."""

    def expect(caller: Caller, office: str | None, counter: str | None) -> object:
        assert office is not None
        if caller.kind == "token":
            return 403
        if caller.kind == "anonymous":
            return 401
        if caller.kind == "display":
            if not caller.may_act_in(office):
                return 403
            return OK if not counter_bound or caller.counter == counter else 403
        return declared(roles, True)(caller, office, counter)

    return expect


def screen(counter_bound: bool) -> Expect:
    """The lobby and counter screens: as above, but a caller that is neither a session
    nor a paired display is sent to the pairing page (302), and a counter display shows
    its own counter's screen only, not the lobby board (a lobby display shows both)."""

    inner = sessions_or_displays(VIEWERS, counter_bound=False)

    def expect(caller: Caller, office: str | None, counter: str | None) -> object:
        if caller.kind in ("anonymous", "token"):
            return 302
        if caller.kind == "display" and caller.counter not in (None, counter):
            return 403
        return inner(caller, office, counter)

    return expect


def paired_only(caller: Caller, office: str | None, counter: str | None) -> object:
    return OK if caller.kind == "display" else 401


#: Routes not declared with ``endpoint``, or declared public but checking callers
#: themselves (the streams, the counter rating, the pairing cookie's routes).
WRITTEN_OUT: dict[str, Expect] = {
    "static": public,
    "console_page.static": public,
    "screens.static": public,
    "ticket_page.static": public,
    "ticket_page.show": public,
    # The ticket page's "tell me when my number is near" forms: the token is the key.
    "ticket_page.ask_alert": public,
    "ticket_page.stop_alert": public,
    "console_page.show": public,
    "console_page.drive_thru": public,  # the drive-thru lane page's shell (its script signs in)
    # The admin console's shell: its scripts sign in and draw only what the role may see.
    "admin_page.static": public,
    "admin_page.show": public,
    "screens.pair": public,
    # Remote registration: a public form (signed form token, no session) and the
    # WhatsApp webhook (signed by the provider; 404 while not configured).
    "registration_page.show": public,
    "registration_page.register": public,
    "whatsapp_webhook.verify": public,
    "whatsapp_webhook.deliver": public,
    "console_page.print_ticket": declared(frozenset(OFFICERS), False),
    "recap_page.show": declared(frozenset(SUPERVISORS), True),
    "screens.board": screen(counter_bound=False),
    "screens.counter": screen(counter_bound=True),
    "api.push.office_stream": sessions_or_displays(VIEWERS, counter_bound=False),
    "api.screens_api.rate_at_counter": sessions_or_displays(
        frozenset(OFFICERS), counter_bound=True
    ),
    "api.push.paired_me": paired_only,
    "api.push.unpair": paired_only,
}
#: Bodies for routes whose check runs after the body is validated (an empty body would
#: be refused with 422 before the check is reached).
BODIES: dict[str, Any] = {
    "api.screens_api.rate_at_counter": {"ticket": "A001", "score": 4},
}
DISPLAY_COUNTER = "cs-1"
#: Another counter, in both offices: a counter display may not act for it.
OTHER_COUNTER = "cs-2"
#: The HTML pages; the matrix must see each of them answer.
HTML_PAGES = {
    "admin_page.show",
    "console_page.show",
    "console_page.drive_thru",
    "console_page.print_ticket",
    "recap_page.show",
    "screens.board",
    "screens.counter",
    "screens.pair",
    "ticket_page.show",
    "registration_page.show",
}
STATIC_FILES = {
    "static": "ticket.js",
    "console_page.static": "console.js",
    "admin_page.static": "admin-core.js",
    "ticket_page.static": "ticket.js",
    "screens.static": "board.js",
}


def expectation(app: Flask, rule: Rule) -> Expect:
    if rule.endpoint in WRITTEN_OUT:
        return WRITTEN_OUT[rule.endpoint]
    spec: Endpoint | None = getattr(app.view_functions[rule.endpoint], SPEC_ATTRIBUTE, None)
    if spec is None:
        pytest.fail(
            f"{rule.rule} ({rule.endpoint}) declares no roles: use routing.endpoint, "
            "or write its access out in WRITTEN_OUT"
        )
    return declared(spec.roles, OFFICE_PARAMETER in rule.arguments)


@pytest.fixture
def matrix_app(services: Services, monotonic: FakeMonotonic) -> Iterator[Flask]:
    load_second_office(services)
    app = create_app(services=services, monotonic=monotonic)
    yield app
    hub: PushHub = app.extensions[PUSH_EXTENSION]
    hub.stop()


def make_callers(app: Flask, services: Services) -> dict[str, tuple[Caller, FlaskClient]]:
    """Each caller with its own test client (its own cookies)."""
    own = frozenset({OFFICE})
    scoped = {
        "petugas-own": (Role.PETUGAS, own),
        "laporan-own": (Role.LAPORAN, own),
        "admin-own": (Role.ADMIN, own),
        "admin-other": (Role.ADMIN, frozenset({OTHER})),
    }
    callers: dict[str, tuple[Caller, FlaskClient]] = {}
    anonymous = Caller("anonymous", "anonymous")
    callers[anonymous.name] = (anonymous, app.test_client())
    for name, (role, offices) in scoped.items():
        password = f"{name}-Pw-9x4k"
        services.accounts.create_user(
            name, name, password, role, actor=SYSTEM, offices=sorted(offices)
        )
        callers[name] = (Caller(name, "session", role, offices), signed_in(app, name, password))
    admin = Caller("admin-all", "session", Role.ADMIN, None)
    callers[admin.name] = (admin, signed_in(app, "admin", PASSWORDS["admin"]))
    for name, role in (("kiosk-token", Role.KIOSK), ("petugas-token", Role.PETUGAS)):
        token = services.accounts.create_token(name, role, actor=SYSTEM, offices=sorted(own))
        headers = {"Authorization": f"Bearer {token}"}
        callers[name] = (Caller(name, "token", role, own, headers), app.test_client())
    for device, kind, counter in (
        ("counter-screen", "counter-display", DISPLAY_COUNTER),
        ("lobby-screen", "display", None),
    ):
        password = f"{device}-password"
        services.devices.add(
            OFFICE, device, kind, hash_password(password), actor=SYSTEM, counter=counter
        )
        display_client = app.test_client()
        paired = display_client.post(
            "/api/v1/devices/pair", json={"device": device, "password": password}
        )
        assert paired.status_code == 200, paired.get_json()
        display = Caller(device, "display", None, own, counter=counter)
        callers[display.name] = (display, display_client)
    return callers


def signed_in(app: Flask, username: str, password: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    client.environ_base["HTTP_X_CSRF_TOKEN"] = response.get_json()["csrf_token"]
    return client


def path_values(services: Services, token: str) -> dict[str, str]:
    """A value for every path parameter the routes use (an unknown one fails the test)."""
    return {
        "ticket_id": "2147483647",  # no such ticket: an allowed caller gets a 404
        "token_id": "2147483647",
        "token": token,
        "username": "nobody-here",
        "kind": "volumes",
        "day": "2026-11-23",
        "service": "walkin",
        "section": "counters",  # the configuration API (a body-less change is 422/428)
        "item": "cs-9",
        "device": "no-such-display",
        "application_no": "1234567890",  # no record: an allowed caller gets "not ready"
        "notification_id": "2147483647",  # no such message: an allowed caller gets a 404
        "recipient_hash": "0" * 64,  # not on the opt-out list: 404
        "lane": "lajur-1",  # the test office has no drive-thru: an allowed caller gets a 404
        "arrival_id": "2147483647",
        "registration_id": "2147483647",  # no such registration: a 404
    }


@dataclass
class Case:
    rule: Rule
    method: str
    office: str | None
    counter: str | None
    path: str
    expect: Expect


def cases(app: Flask, values: dict[str, str]) -> list[Case]:
    found: list[Case] = []
    for rule in app.url_map.iter_rules():
        expect = expectation(app, rule)
        offices: tuple[str | None, ...] = (
            (OFFICE, OTHER) if OFFICE_PARAMETER in rule.arguments else (None,)
        )
        counters: tuple[str | None, ...] = (
            (DISPLAY_COUNTER, OTHER_COUNTER) if "counter" in rule.arguments else (None,)
        )
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for office, counter in itertools.product(offices, counters):
                arguments: dict[str, str] = {}
                for name in rule.arguments:
                    if name == OFFICE_PARAMETER:
                        arguments[name] = str(office)
                    elif name == "counter":
                        arguments[name] = str(counter)
                    elif name == "filename":
                        arguments[name] = STATIC_FILES[rule.endpoint]
                    elif name in values:
                        arguments[name] = values[name]
                    else:
                        pytest.fail(f"{rule.rule}: give the matrix a value for <{name}>")
                path = rule.build(arguments, append_unknown=False)
                assert path is not None
                found.append(Case(rule, method, office, counter, path[1], expect))
    # The requests that end a sign-in or a pairing go last.
    found.sort(key=lambda case: case.rule.endpoint in ENDING)
    return found


def outcome(response: Any) -> object:
    """The class of an answer: OK, or the refusal's status (302 only to the pairing page)."""
    status = response.status_code
    if status == 302 and "/screens/pair" in response.headers.get("Location", ""):
        return 302
    if status in (401, 403):
        if response.mimetype == "application/json":
            code = response.get_json()["error"]["code"]
            assert code in REFUSAL_CODES, f"{status} {code} is not about access"
        return status
    return OK


def call(client: FlaskClient, method: str, path: str, body: Any, **kwargs: Any) -> Any:
    response = client.open(path, method=method, json=body, buffered=False, **kwargs)
    if response.mimetype != "text/event-stream":
        response.get_data()
    response.close()
    return response


def test_every_route_for_every_caller_and_office(
    matrix_app: Flask, services: Services, monotonic: FakeMonotonic
) -> None:
    app = matrix_app
    callers = make_callers(app, services)
    petugas = callers["petugas-own"][1]
    issued = petugas.post(f"/api/v1/offices/{OFFICE}/tickets", json={"service": "walkin"})
    assert issued.status_code == 200, issued.get_json()
    all_cases = cases(app, path_values(services, issued.get_json()["token"]))
    wrong: list[str] = []
    checked = 0
    pages: set[str] = set()
    for caller, client in callers.values():
        for case in all_cases:
            monotonic.advance(1)  # the public limiter's window slides; no 429 here
            body = BODIES.get(case.rule.endpoint, {}) if case.method in UNSAFE else None
            response = call(client, case.method, case.path, body, headers=caller.headers)
            where = f"{caller.name} {case.method} {case.path}"
            assert response.status_code < 500, f"{where}: {response.status_code}"
            assert response.headers.get("X-Content-Type-Options") == "nosniff", where
            if response.mimetype == "text/html":
                check_page_headers(response, where)
                pages.add(case.rule.endpoint)
            expected = case.expect(caller, case.office, case.counter)
            got = outcome(response)
            checked += 1
            if got != expected:
                wrong.append(f"{where}: expected {expected}, got {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert pages >= HTML_PAGES  # each page was seen (and its headers checked) at least once
    rules = {(case.rule.rule, case.method) for case in all_cases}
    assert len(rules) >= 50  # the whole map was walked, not a slice of it
    assert checked == len(all_cases) * len(callers)


def check_page_headers(response: Any, where: str) -> None:
    """A page's security headers: a strict CSP (no inline code, no framing), no sniffing,
    no referrer, no framing for old browsers either."""
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives.get("default-src") == ["'none'"], where
    assert directives.get("script-src") == ["'self'"], where
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert directives.get("base-uri") == ["'none'"], where
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
    assert response.headers.get("Referrer-Policy") == "no-referrer", where
    assert response.headers.get("X-Frame-Options") == "DENY", where
    assert response.headers.get("Cache-Control") == "no-store", where


def test_unsafe_requests_with_a_session_need_the_csrf_header(
    matrix_app: Flask, services: Services, monotonic: FakeMonotonic
) -> None:
    """Every unsafe route that honours a session, for every signed-in role: a request
    carrying the cookie but not the header is refused (403 csrf_failed) and changes nothing."""
    app = matrix_app
    callers = make_callers(app, services)
    all_cases = cases(app, path_values(services, "no-such-ticket"))
    session_routes = [
        case
        for case in all_cases
        if case.method in UNSAFE and session_aware(app, case.rule) and case.office != OTHER
    ]
    assert len(session_routes) >= 15
    for caller, client in callers.values():
        if caller.kind != "session":
            continue
        csrf = client.environ_base.pop("HTTP_X_CSRF_TOKEN")
        for case in session_routes:
            monotonic.advance(1)
            body = BODIES.get(case.rule.endpoint, {})
            response = call(client, case.method, case.path, body)
            where = f"{caller.name} {case.method} {case.path}"
            assert response.status_code == 403, f"{where}: {response.status_code}"
            assert response.get_json()["error"]["code"] == "csrf_failed", where
        client.environ_base["HTTP_X_CSRF_TOKEN"] = csrf
        assert client.get("/api/v1/auth/me").status_code == 200  # the session still holds


def session_aware(app: Flask, rule: Rule) -> bool:
    """Routes whose callers may be a signed-in browser (declared roles, or written out
    as checking a session themselves)."""
    if rule.endpoint == "api.screens_api.rate_at_counter":
        return True
    spec: Endpoint | None = getattr(app.view_functions[rule.endpoint], SPEC_ATTRIBUTE, None)
    return spec is not None and spec.roles is not None
