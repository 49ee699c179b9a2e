"""Random JSON bodies, hostile paths and bodies never make an endpoint fail with a 5xx."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.conftest import BASE, AuthActions, office_settings

FIELDS = [
    "service",
    "priority_category",
    "language",
    "booking_ref",
    "appointment_at",
    "nik",
    "phone",
    "by_proxy",
    "unknown",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(["walkin", "pickup", "mpaspor", "lost", "elderly", "6371010101900001"]),
    st.datetimes(timezones=st.just(None)).map(lambda moment: moment.isoformat() + "+08:00"),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
bodies = st.one_of(st.dictionaries(st.sampled_from(FIELDS), values, max_size=6), values)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies)
def test_random_issue_bodies_never_cause_a_server_error(
    client: FlaskClient, kiosk: dict[str, str], body: Any
) -> None:
    response = client.post(f"{BASE}/tickets", json=body, headers=kiosk)
    assert response.status_code < 500, response.get_json()
    assert response.is_json


SEGMENTS = ["kanim-test", "kanim-other", "cs-1", "walkin", "1", "-1", str(2**63), "9" * 400]
HOSTILE_BODIES = st.one_of(
    bodies.map(lambda body: json.dumps(body).encode()),
    st.integers(min_value=33, max_value=20_000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(min_value=41, max_value=5_000).map(lambda digits: b"[" + b"7" * digits + b"]"),
    st.binary(max_size=64),
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_no_route_answers_a_server_error(
    app: Flask, client: FlaskClient, auth: AuthActions, kiosk: dict[str, str], data: st.DataObject
) -> None:
    if not auth.csrf:
        auth.login("admin")
    rules = sorted(
        (rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")),
        key=lambda rule: rule.rule,
    )
    rule = data.draw(st.sampled_from(rules))
    path = rule.rule
    for argument in rule.arguments:
        path = re.sub(rf"<[^>]*{argument}>", data.draw(st.sampled_from(SEGMENTS)), path)
    method = data.draw(st.sampled_from(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})))
    headers = data.draw(st.sampled_from([kiosk, {"X-CSRF-Token": auth.csrf}, {}]))
    body = None if method == "GET" else data.draw(HOSTILE_BODIES)
    answer = client.open(
        path, method=method, data=body, headers={**headers, "Content-Type": "application/json"}
    )
    assert answer.status_code < 500, (method, path, answer.get_json())
    if "/auth/" in path or "/deactivate" in path:
        auth.csrf = ""  # the session may have ended: sign in again next time


# --- the configuration API: random merge patches ------------------------------------------

CONFIG_KEYS = [
    "office",
    "priority",
    "booking",
    "calendar",
    "services",
    "counters",
    "branding",
    "content",
    "hours",
    "sessions",
    "journey",
    "id",
    "prefix",
    "name_id",
    "stations",
    "minutes",
    "quota",
    "version",
    "requirements_id",
    "info_en",
    "mon",
    "sat",
    "walkin",
    "cuti_bersama",
    "date",
    "kind",
    "x",
]
config_values = st.recursive(
    scalars | st.sampled_from(["08:00", "24:00", "2026-12-24", "CS", "BIO", "sat", "walk_in"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(CONFIG_KEYS), inner, max_size=4)
    ),
    max_leaves=10,
)


SERVICE_FIELDS = [
    "id",
    "prefix",
    "name_id",
    "kind",
    "journey",
    "daily_quota",
    "active",
    "priority_stations",
    "description_en",
]
STEP_FIELDS = ["station", "minutes", "after_working_days", "after_days", "rating", "label"]


def _targeted(draw: st.DrawFn) -> dict[str, Any]:
    """A valid section with one field deep inside replaced by a random value."""
    settings = office_settings()
    where = draw(st.sampled_from(["service", "step", "counter", "hours", "session"]))
    value = draw(config_values)
    if where == "service":
        settings["services"][draw(st.integers(0, 3))][draw(st.sampled_from(SERVICE_FIELDS))] = value
        return {"services": settings["services"]}
    if where == "step":
        settings["services"][0]["journey"][draw(st.integers(0, 2))][
            draw(st.sampled_from(STEP_FIELDS))
        ] = value
        return {"services": settings["services"]}
    if where == "counter":
        settings["counters"][draw(st.integers(0, 6))][
            draw(st.sampled_from(["id", "name", "stations", "services"]))
        ] = value
        return {"counters": settings["counters"]}
    if where == "hours":
        return {"calendar": {"hours": {draw(st.sampled_from(["mon", "sat", "x"])): value}}}
    settings["calendar"]["sessions"][0][
        draw(st.sampled_from(["code", "opens", "closes", "weekdays", "dates", "quota"]))
    ] = value
    return {"calendar": {"sessions": settings["calendar"]["sessions"]}}


config_patches = st.one_of(
    st.dictionaries(st.sampled_from(CONFIG_KEYS[:8]), config_values, max_size=3),
    st.composite(_targeted)(),
)


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(patch=config_patches)
def test_random_config_patches_never_cause_a_server_error(
    client: FlaskClient, auth: AuthActions, patch: dict[str, Any]
) -> None:
    if not auth.csrf:
        auth.login("admin")
    version = client.get(f"{BASE}/config").get_json()["version"]
    response = client.patch(
        f"{BASE}/config",
        json={"version": version, "patch": patch},
        headers={"X-CSRF-Token": auth.csrf},
    )
    assert response.status_code in (200, 400, 422), response.get_json()  # 400: Infinity
    assert response.is_json


csv_cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["mpaspor", "walkin", "2026-11-24", "24/11/2026", "09:00", "MP-0001", '"', "\x00"]
    ),
)
csv_bodies = st.tuples(
    st.sampled_from([",", ";"]), st.lists(st.lists(csv_cells, max_size=5), max_size=6)
).map(lambda drawn: "\n".join(drawn[0].join(row) for row in drawn[1]))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=csv_bodies, header=st.booleans(), raw=st.binary(max_size=40))
def test_random_booking_files_never_cause_a_server_error(
    client: FlaskClient, auth: AuthActions, body: str, header: bool, raw: bytes
) -> None:
    if not auth.csrf:
        auth.login("admin")
    data = ("code,service,date,slot\n" + body).encode() if header else body.encode() + raw
    response = client.post(
        f"{BASE}/bookings/import",
        data=data,
        content_type="text/csv",
        headers={"X-CSRF-Token": auth.csrf},
    )
    assert response.status_code in (200, 422), response.get_json()
    assert response.is_json
