from __future__ import annotations

import contextlib
import secrets

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.codes import CodeError, CodeErrorReason, TicketLink, parse_ticket_link

TOKEN = "q3Zx_9-abcdEFGHijklMNOP"


@pytest.mark.parametrize(
    "text",
    [
        f"https://antre.kanim-jaksel.example/t/{TOKEN}",
        f"http://192.168.1.10:8080/t/{TOKEN}/",
        f"https://antre.example/queue/t/{TOKEN}?lang=id#top",
        f"HTTPS://ANTRE.EXAMPLE/api/v1/public/tickets/{TOKEN}",
        f"/api/v1/public/tickets/{TOKEN}",
        f"  https://antre.example/t/{TOKEN}\r\n",
    ],
)
def test_status_links_give_the_ticket_token(text: str) -> None:
    assert parse_ticket_link(text) == TicketLink(TOKEN)


@pytest.mark.parametrize(
    "text",
    [
        "",
        TOKEN,
        f"/t/{TOKEN}",
        f"ftp://antre.example/t/{TOKEN}",
        f"https:///t/{TOKEN}",
        f"https://antre.example/x/{TOKEN}",
        f"https://antre.example/t/{TOKEN}/extra",
        "https://antre.example/t/short",
        f"https://antre.example/t/{TOKEN}%2F",
        f"https://antre.example:99999/t/{TOKEN}",
        f"https://antre.example/t/{TOKEN}é",
        f"//antre.example/api/v1/public/tickets/{TOKEN}",
        "https://antre.example/t/" + "a" * 600,
    ],
)
def test_other_text_is_not_a_ticket_link(text: str) -> None:
    with pytest.raises(CodeError) as refused:
        parse_ticket_link(text)
    assert refused.value.reason is CodeErrorReason.NOT_A_TICKET_LINK


@given(
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z0-9]{1,20}(\.[a-z0-9]{1,10}){0,3}", fullmatch=True),
    st.sampled_from(["/t/", "/api/v1/public/tickets/", "/antre/t/"]),
    st.integers(12, 48),
)
def test_generated_links_round_trip(scheme: str, host: str, path: str, token_bytes: int) -> None:
    token = secrets.token_urlsafe(token_bytes)
    assert parse_ticket_link(f"{scheme}://{host}{path}{token}").token == token


@given(st.text(max_size=120))
def test_any_text_is_a_link_or_a_code_error(text: str) -> None:
    try:
        link = parse_ticket_link(text)
    except CodeError:
        return
    assert link.token in text


@given(st.text(max_size=60).map(lambda tail: "https://" + tail))
def test_any_url_shaped_text_is_a_link_or_a_code_error(text: str) -> None:
    with contextlib.suppress(CodeError):
        parse_ticket_link(text)
