"""The web lobby board and counter display in Debian's Chromium: they draw the stream's
messages without reloading, drop stale and repeated ones, stay readable from 10 m on the
usual TV sizes, and the counter's rating question records one touch."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from queue_server.domain.ids import TicketSource
from queue_server.mqtt.broker import hash_password
from queue_server.persistence.models import RatingRow
from queue_server.services.container import Services
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from tests.services.clock import FakeClock
from tests.web.conftest import BASE, OFFICE, PASSWORDS, FakeMonotonic
from tests.web.screens_support import (
    SCREENSHOTS,
    Messages,
    Stream,
    base_url,
    browser,
    needs_chromium,
    playwright_api,
    signed_in_page,
)
from tests.web.test_push_waitress import Server, Session

__all__ = ["base_url", "browser"]  # fixtures
pytestmark = needs_chromium
expect = playwright_api.expect
OFFICER = Actor(name="officer-1")
SIZES = [(1920, 1080), (1080, 1920), (1280, 720)]


def issue(services: Services, count: int, service: str = "walkin") -> None:
    for _ in range(count):
        request = IssueRequest(office=OFFICE, service=service, source=TicketSource.KIOSK)
        services.issuing.issue(request, actor=Actor(name="kiosk-1"))


def busy_office(services: Services) -> None:
    """Three CS counters with a called ticket each, tickets waiting in two services."""
    issue(services, 9)
    issue(services, 2, "lost")
    for counter in ("cs-1", "cs-2", "cs-3"):
        services.officer.open_counter(OFFICE, counter, actor=OFFICER)
        services.officer.call_next(OFFICE, counter, actor=OFFICER)


def number_fits(page: Any, height: int) -> None:
    """The called number is at least 12 % of the screen's height and is not cut."""
    font_px = page.evaluate(
        "parseFloat(getComputedStyle(document.getElementById('number')).fontSize)"
    )
    assert font_px >= 0.12 * height, f"number font {font_px}px on a {height}px screen"
    cut = page.evaluate(
        "(() => { const n = document.getElementById('number');"
        " return n.scrollWidth - n.clientWidth; })()"
    )
    assert cut <= 0, "the called number does not fit its panel"
    overflow = page.evaluate(
        "document.documentElement.scrollHeight - document.documentElement.clientHeight"
    )
    assert overflow <= 0, "the board is taller than the screen"
    number, counter, serving = (
        page.locator(selector).bounding_box() for selector in ("#number", "#counter", "#serving")
    )
    assert number["y"] + number["height"] <= counter["y"] + 1, "the counter overlaps the number"
    assert counter["y"] + counter["height"] <= serving["y"] + 1, "the list overlaps the counter"
    calls = page.locator("#recent li").all()
    panel = page.locator(".calls").bounding_box()
    for call in calls:  # every recent call is inside its panel, at a readable size
        box = call.bounding_box()
        assert box["y"] + box["height"] <= panel["y"] + panel["height"] + 1
        assert box["height"] >= 0.035 * height


def test_the_board_draws_calls_without_reload_and_drops_stale_ones(
    services: Services, base_url: str, browser: Any
) -> None:
    busy_office(services)
    messages, stream = Messages(services), Stream()
    messages.snapshot(stream)
    page = signed_in_page(browser, base_url, 1920, 1080)
    stream.serve(page)
    page.goto(f"{base_url}/screens/board/{OFFICE}")
    expect(page.locator("#office")).to_have_text("Kantor Imigrasi Uji")
    expect(page.locator("#serving li")).to_have_count(3)
    expect(page.locator("#services li")).to_have_count(4)
    walkin = page.locator('#services li[data-service="walkin"]')
    expect(walkin.locator(".waiting")).to_have_text("6 menunggu · 6 waiting")
    expect(page.locator("#lost")).to_be_hidden()
    assert page.locator("#recent li:not(.empty)").count() == 0  # calls are not retained

    first = messages.call("B-003", "cs-3", "CS 3")
    stream.add("event/called", first, retained=False)
    expect(page.locator("#number")).to_have_text("B-003", timeout=10_000)
    expect(page.locator("#counter")).to_have_text("CS 3")
    expect(page.locator("#recent li.newest .where")).to_have_text("CS 3")

    again = first.model_copy(update={"seq": messages.next_seq()})  # redelivered: same id
    stale = messages.board().model_copy(update={"seq": 5, "serving": []})  # older than kept
    second = messages.call("B-001", "cs-1", "CS 1", recall=True)
    for topic, message in (("event/called", again), ("board", stale), ("event/called", second)):
        stream.add(topic, message, retained=False)
    expect(page.locator("#number")).to_have_text("B-001", timeout=10_000)
    expect(page.locator("#recent li:not(.empty)")).to_have_count(2)
    expect(page.locator("#recent li.newest .recall")).to_have_text("Panggilan ulang · Recall")
    expect(page.locator("#serving li")).to_have_count(3)
    assert page.errors == []


def test_the_board_keeps_its_last_state_and_marks_a_lost_connection(
    services: Services, base_url: str, browser: Any
) -> None:
    busy_office(services)
    messages, stream = Messages(services), Stream()
    messages.snapshot(stream)
    stream.add("event/called", messages.call("B-002", "cs-2", "CS 2"), retained=False)
    page = signed_in_page(browser, base_url, 1280, 720)
    stream.serve(page)
    page.goto(f"{base_url}/screens/board/{OFFICE}")
    expect(page.locator("#number")).to_have_text("B-002")
    stream.refuse = True
    expect(page.locator("#lost")).to_be_visible(timeout=10_000)
    expect(page.locator("#lost")).to_have_text("Koneksi terputus · Connection lost")
    expect(page.locator("#number")).to_have_text("B-002")
    expect(page.locator("#serving li")).to_have_count(3)
    expect(page.locator("#number.flash")).to_have_count(0, timeout=10_000)
    page.screenshot(path=str(SCREENSHOTS / "web-board-1280x720-lost.png"))
    assert page.errors == []


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_board_is_readable_on_every_tv_size(
    services: Services, base_url: str, browser: Any, width: int, height: int
) -> None:
    busy_office(services)
    messages, stream = Messages(services), Stream()
    messages.snapshot(stream)
    calls = [
        ("B-004", "cs-1", "CS 1"),
        ("C-001", "cs-2", "CS 2"),
        ("B-005", "cs-3", "CS 3"),
        ("B-006", "cs-1", "CS 1"),
        ("B-007", "bio-1", "Booth 1"),
        ("C-002", "cs-2", "CS 2"),
    ]
    for ticket, counter, name in calls:
        stream.add("event/called", messages.call(ticket, counter, name), retained=False)
    page = signed_in_page(browser, base_url, width, height)
    stream.serve(page)
    page.goto(f"{base_url}/screens/board/{OFFICE}")
    expect(page.locator("#number")).to_have_text("C-002")
    expect(page.locator("#recent li:not(.empty)")).to_have_count(6)
    number_fits(page, height)
    expect(page.locator("#number.flash")).to_have_count(0, timeout=10_000)  # flash over
    page.screenshot(path=str(SCREENSHOTS / f"web-board-{width}x{height}.png"))
    assert page.errors == []


def finish_at_bio(services: Services) -> str:
    """One walk-in ticket through CS and BIO (a step that asks for a rating); its label."""
    issue(services, 1)
    for counter in ("cs-1", "bio-1"):
        services.officer.open_counter(OFFICE, counter, actor=OFFICER)
        services.officer.call_next(OFFICE, counter, actor=OFFICER)
        services.officer.start(OFFICE, counter, actor=OFFICER)
        label = services.officer.finish(OFFICE, counter, actor=OFFICER)[0].label
    return label


def test_the_counter_display_shows_its_number_and_status(
    services: Services, base_url: str, browser: Any
) -> None:
    busy_office(services)
    messages, stream = Messages(services), Stream()
    stream.add("counter/cs-2/state", messages.counter("cs-2"))
    stream.add("counter/cs-1/state", messages.counter("cs-1"))
    page = signed_in_page(browser, base_url, 1280, 720)
    stream.serve(page)
    page.goto(f"{base_url}/screens/counter/{OFFICE}/cs-2")
    expect(page.locator("#counter-name")).to_have_text("CS 2")
    expect(page.locator("#number")).to_have_text("B-002")
    status = page.locator("#status")
    expect(status).to_have_text("Silakan menuju loket ini · Please come to this counter")
    expect(page.locator("#rating")).to_be_hidden()
    font_px = page.evaluate(
        "parseFloat(getComputedStyle(document.getElementById('number')).fontSize)"
    )
    assert font_px >= 0.25 * 720
    page.screenshot(path=str(SCREENSHOTS / "web-counter-display.png"))

    services.officer.start(OFFICE, "cs-2", actor=OFFICER)
    stream.add("counter/cs-2/state", messages.counter("cs-2"))
    expect(status).to_have_text("Sedang dilayani · Being served", timeout=10_000)
    services.officer.finish(OFFICE, "cs-2", actor=OFFICER)  # CS asks for no rating
    services.officer.close_counter(OFFICE, "cs-2", actor=OFFICER)
    stream.add("counter/cs-2/state", messages.counter("cs-2"))
    expect(status).to_have_text("Loket tutup · Counter closed", timeout=10_000)
    expect(page.locator("#number")).to_have_text("–")
    expect(page.locator("#rating")).to_be_hidden()
    assert page.errors == []


def test_the_rating_question_records_one_touch(
    services: Services, base_url: str, browser: Any
) -> None:
    label = finish_at_bio(services)
    messages, stream = Messages(services), Stream()
    stream.add("counter/bio-1/state", messages.counter("bio-1"))
    page = signed_in_page(browser, base_url, 1280, 800)
    stream.serve(page)
    page.goto(f"{base_url}/screens/counter/{OFFICE}/bio-1")
    rating = page.locator("#rating")
    expect(rating).to_be_visible()
    expect(page.locator("#rating-question")).to_have_text("Bagaimana pelayanan kami?")
    expect(page.locator("#rating-ticket")).to_have_text(f"Tiket {label}")
    words = page.locator(".face-word")
    expect(words).to_have_text(["Sangat tidak puas", "Tidak puas", "Puas", "Sangat puas"])
    page.screenshot(path=str(SCREENSHOTS / "web-rating-id.png"))
    page.get_by_role("button", name="English").click()
    expect(page.locator("#rating-question")).to_have_text("How was our service?")
    expect(words).to_have_text(["Very dissatisfied", "Dissatisfied", "Satisfied", "Very satisfied"])
    page.screenshot(path=str(SCREENSHOTS / "web-rating-en.png"))

    page.locator('.face[data-score="4"]').click()
    expect(page.locator("#rating-note")).to_have_text("Thank you for your rating!")
    with services.database.reader() as session:
        stored = session.scalars(select(RatingRow)).all()
    assert [(row.score, row.station) for row in stored] == [(4, "BIO")]
    expect(page.locator(".face")).to_have_count(0)  # one touch only
    expect(rating).to_be_hidden(timeout=10_000)
    stream.add("counter/bio-1/state", messages.counter("bio-1"))  # the question is gone
    expect(page.locator("#number")).to_have_text("–")
    assert page.errors == []


def test_a_late_touch_is_refused_with_a_clear_message(
    services: Services, base_url: str, browser: Any, clock: FakeClock
) -> None:
    finish_at_bio(services)
    messages, stream = Messages(services), Stream()
    stream.add("counter/bio-1/state", messages.counter("bio-1"))
    page = signed_in_page(browser, base_url, 1280, 800)
    stream.serve(page)
    page.goto(f"{base_url}/screens/counter/{OFFICE}/bio-1")
    expect(page.locator("#rating")).to_be_visible()
    clock.advance(seconds=31)  # the server's time is up; the page has not hidden yet
    page.locator('.face[data-score="2"]').click()
    note = page.locator("#rating-note")
    expect(note).to_have_text("Waktu untuk menilai layanan ini sudah habis.")
    with services.database.reader() as session:
        assert session.scalars(select(RatingRow)).all() == []
    assert page.errors == []


def test_a_paired_tv_shows_an_officers_call_without_reload(
    services: Services, monotonic: FakeMonotonic, browser: Any
) -> None:
    """End to end: the officer's HTTP call reaches the board through the real push stream."""
    server = Server(services, monotonic)
    try:
        base = f"http://127.0.0.1:{server.port}"
        services.devices.add(
            OFFICE, "lobby-1", "display", hash_password("lobby-1-password"), actor=OFFICER
        )
        issue(services, 2)
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        page.goto(f"{base}/screens/board/{OFFICE}")
        expect(page).to_have_url(re.compile(r"/screens/pair\?next="))
        page.locator("#device").fill("lobby-1")
        page.locator("#password").fill("wrong")
        page.locator("#pair-submit").click()
        expect(page.locator("#pair-result")).to_contain_text("Wrong device id or password.")
        page.locator("#password").fill("lobby-1-password")
        page.locator("#pair-submit").click()
        expect(page).to_have_url(f"{base}/screens/board/{OFFICE}")
        expect(page.locator("#services li")).to_have_count(4)
        expect(page.locator("#lost")).to_be_hidden()

        officer = Session(server, "petugas", PASSWORDS["petugas"])
        officer.post(f"{BASE}/counters/cs-2/open")
        officer.post(f"{BASE}/counters/cs-2/call-next")
        expect(page.locator("#number")).to_have_text("B-001", timeout=10_000)
        expect(page.locator("#counter")).to_have_text("CS 2")
        expect(page.locator("#recent li.newest .ticket")).to_have_text("B-001")
        officer.post(f"{BASE}/counters/cs-2/recall")
        expect(page.locator("#recent li:not(.empty)")).to_have_count(2, timeout=10_000)
        expect(page.locator("#recent li.newest .recall")).to_be_visible()
        context.close()
    finally:
        server.stop()


@pytest.mark.parametrize(("width", "height"), [(800, 1280), (1024, 600)])
def test_the_four_faces_fit_a_tablet(
    services: Services, base_url: str, browser: Any, width: int, height: int
) -> None:
    finish_at_bio(services)
    messages, stream = Messages(services), Stream()
    stream.add("counter/bio-1/state", messages.counter("bio-1"))
    page = signed_in_page(browser, base_url, width, height)
    stream.serve(page)
    page.goto(f"{base_url}/screens/counter/{OFFICE}/bio-1")
    expect(page.locator(".face")).to_have_count(4)
    boxes = [face.bounding_box() for face in page.locator(".face").all()]
    for index, one in enumerate(boxes):
        assert one["x"] >= 0 and one["x"] + one["width"] <= width
        assert one["y"] >= 0 and one["y"] + one["height"] <= height
        for other in boxes[index + 1 :]:
            apart_x = (
                one["x"] + one["width"] <= other["x"] or other["x"] + other["width"] <= one["x"]
            )
            apart_y = (
                one["y"] + one["height"] <= other["y"] or other["y"] + other["height"] <= one["y"]
            )
            assert apart_x or apart_y, "two faces overlap"
    assert min(box["width"] for box in boxes) >= 0.15 * width  # big enough to touch
    page.screenshot(path=f"/tmp/antre-rating-{width}x{height}.png")


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1080, 1920)])
def test_a_board_with_twelve_services_keeps_the_call_readable(
    services: Services, base_url: str, browser: Any, width: int, height: int
) -> None:
    """Regression: the demo office's 12 services took three rows of tiles, and on a
    1280x720 TV the called number was cut, its counter hidden and the last calls clipped
    (in portrait the tiles covered the number)."""
    busy_office(services)
    messages, stream = Messages(services), Stream()
    messages.snapshot(stream)
    queues = [queue for _topic, queue in messages.queues()]
    for index in range(12 - len(queues)):
        extra = queues[index % len(queues)].model_copy(
            update={
                "service": f"extra-{index}",
                "name": queues[0].name.model_copy(
                    update={"id": f"Layanan tambahan nomor {index}", "en": f"Extra {index}"}
                ),
                "seq": messages.next_seq(),
            }
        )
        stream.add(f"queue/extra-{index}/state", extra)
    calls = [("B-004", "cs-1", "CS 1"), ("C-001", "cs-2", "CS 2"), ("B-005", "cs-3", "CS 3")]
    for ticket, counter, name in calls:
        stream.add("event/called", messages.call(ticket, counter, name), retained=False)
    page = signed_in_page(browser, base_url, width, height)
    stream.serve(page)
    page.goto(f"{base_url}/screens/board/{OFFICE}")
    expect(page.locator("#services li")).to_have_count(12)
    expect(page.locator("#number")).to_have_text("B-005")
    number_fits(page, height)
    assert page.errors == []
