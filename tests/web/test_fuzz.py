"""Random JSON bodies never make the issue endpoint fail with a server error."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.conftest import BASE

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
