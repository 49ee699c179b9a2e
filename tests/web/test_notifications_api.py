"""The notification endpoints through the Flask app: "BAP approved" from the console (once
per visit, bad numbers refused in both languages), the ready list with phones, the admin's
list (masked numbers), and the ticket page's plain-form "number near" request."""

from __future__ import annotations

from flask.testing import FlaskClient

from queue_server.domain.ids import TicketSource
from queue_server.services.container import Services
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from tests.web.conftest import BASE, AuthActions

PHONE = "0812-3456-7890"
MASKED = "+62 812-••••-7890"


def issue(services: Services) -> tuple[int, str]:
    request = IssueRequest(office="kanim-test", service="walkin", source=TicketSource.KIOSK)
    issued = services.issuing.issue(request, actor=Actor(name="kiosk-1"))
    return issued.ticket_id, issued.token


def test_bap_approved_ready_phones_and_the_admin_list(
    services: Services, auth: AuthActions
) -> None:
    ticket, _token = issue(services)
    auth.login("petugas")
    bad = auth.post(f"{BASE}/tickets/{ticket}/bap-approved", {"phone": "12"})
    assert bad.status_code == 422
    assert "telepon" in bad.get_json()["error"]["messages"]["id"]
    first = auth.post(f"{BASE}/tickets/{ticket}/bap-approved", {"phone": PHONE})
    again = auth.post(f"{BASE}/tickets/{ticket}/bap-approved", {"phone": PHONE, "language": "en"})
    assert (first.status_code, again.status_code) == (200, 200)
    assert (first.get_json()["created"], again.get_json()["created"]) == (True, False)
    assert auth.post(f"{BASE}/tickets/2147483647/bap-approved", {"phone": PHONE}).status_code == 404

    ready = auth.post(
        f"{BASE}/passports/ready",
        {"applications": ["1234567890", {"application": "1234567891", "phone": PHONE}]},
    )
    assert ready.get_json()["messages_queued"] == 1
    extra = auth.post(
        f"{BASE}/passports/ready", {"applications": [{"application": "1234567892", "nik": "x"}]}
    )
    assert extra.status_code == 422  # unknown fields are refused, nothing marked
    status = auth.get(f"{BASE}/passports/1234567891").get_json()
    assert status["ready_message"]["status"] == "pending"

    assert auth.get(f"{BASE}/notifications").status_code == 403  # administrators only
    auth.logout()
    auth.login("admin")
    listed = auth.get(f"{BASE}/notifications").get_json()
    assert listed["counts"]["pending"] == 2
    assert {item["template"] for item in listed["items"]} == {"bap_approved", "passport_ready"}
    assert {item["recipient"] for item in listed["items"]} == {MASKED}
    assert "3456" not in str(listed)
    failed = auth.get(f"{BASE}/notifications?status=failed").get_json()
    assert failed["items"] == []


def test_the_ticket_page_form_keeps_and_forgets_the_phone(
    services: Services, client: FlaskClient
) -> None:
    for _ in range(5):
        issue(services)
    _ticket, token = issue(services)
    bad = client.post(f"/t/{token}/alert", data={"phone": "12ab", "lang": "en"})
    assert bad.status_code == 303
    assert bad.headers["Location"] == f"/t/{token}?lang=en&alert=bad_phone#alert"
    assert "frame-ancestors 'none'" in bad.headers["Content-Security-Policy"]
    asked = client.post(f"/t/{token}/alert", data={"phone": PHONE, "lang": "id"})
    assert asked.headers["Location"] == f"/t/{token}?lang=id&alert=on#alert"
    page = client.get(f"/t/{token}?lang=id&alert=on").get_data(as_text=True)
    assert MASKED in page and "3456" not in page
    assert "<script>" not in page  # still no inline script
    stopped = client.post(f"/t/{token}/alert/stop", data={"lang": "en"})
    assert stopped.headers["Location"] == f"/t/{token}?lang=en&alert=off#alert"
    page = client.get(f"/t/{token}?lang=en").get_data(as_text=True)
    assert MASKED not in page and 'id="alert-form"' in page
    assert (
        client.post("/t/no-such-ticket-token-at-all/alert", data={"phone": PHONE}).status_code
        == 404
    )
