"""The pickup counter end to end through the API: the kiosk's application number and proxy
choice reach the console's current ticket, the handover is recorded, finishing the PICKUP
ticket puts the rating question on the counter display (PICKUP asks: ``rating: true``), and
the applicant's answer is taken."""

from __future__ import annotations

from queue_server.domain.ids import TicketSource
from queue_server.domain.passports import ReadySource
from queue_server.services.container import Services
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from tests.web.conftest import BASE, OFFICE, AuthActions
from tests.web.test_counter_rating import counter, rate

NUMBER = "1234567890"
PICKUP = f"{BASE}/counters/pickup-1"


def test_a_handover_at_the_console_asks_the_rating_on_the_counter_display(
    services: Services, auth: AuthActions
) -> None:
    kiosk = Actor(name="kiosk:kiosk-1")
    services.passports.mark_ready(OFFICE, [NUMBER], source=ReadySource.API, actor=kiosk)
    issued = services.issuing.issue(
        IssueRequest(
            office=OFFICE,
            service="pickup",
            source=TicketSource.KIOSK,
            application_no=NUMBER,
            by_proxy=True,
        ),
        actor=kiosk,
    )
    auth.login("petugas")
    auth.post(f"{PICKUP}/open")
    assert auth.post(f"{PICKUP}/call-next").get_json()["ticket"]["label"] == issued.label
    current = auth.get(f"{PICKUP}/console").get_json()["current"]
    assert (current["application_no"], current["by_proxy"]) == (NUMBER, True)
    assert "rating" not in counter(auth, "pickup-1")

    handed = auth.post(f"{BASE}/passports/{NUMBER}/handover", {"proxy": True})
    assert handed.status_code == 200, handed.get_json()
    finished = auth.post(f"{PICKUP}/finish", {"end_visit": True})  # what the console sends
    assert finished.status_code == 200, finished.get_json()

    prompt = counter(auth, "pickup-1")["rating"]
    assert prompt["ticket_label"] == issued.label and prompt["until"] > prompt["asked_at"]
    answer = rate(auth, PICKUP, issued.label, 4)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"label": issued.label, "station": "PICKUP", "score": 4}
