"""The screens that are a title, a text and a few choices (``<ChoicesScreen>``, choices.kv).

The lost/damaged passport route (BAP), who collects a passport, what a proxy brings, the
information pages and a scanned ticket's status with its rating.
"""

from __future__ import annotations

from functools import partial

from kiosk.app.screens import (
    PORTRAIT_ONE_COLUMN,
    BigButton,
    ChoiceButton,
    KioskScreen,
    PrimaryButton,
    _bullets,
    _button,
    _tr,
    bring_text,
    portrait,
)
from kiosk.enquiry import RATING_SCALE
from kiosk.flow import FlowState, KioskFlow
from kiosk.guide import BAP_REASON_TITLES, documents_for

STATUS_WORDS = {
    "waiting": "Waiting",
    "called": "Called: please go to the counter now",
    "serving": "Being served",
    "done": "Finished. Thank you.",
    "no_show": "Missed: you were called but not there. Ask at the information desk.",
    "parked": "On hold: please wait to be called again",
    "cancelled": "Cancelled",
    "transferred": "Moved to another service",
}


class ChoicesScreen(KioskScreen):
    """A title, a text, a message, choices and the primary answer (choices.kv)."""

    def fill(
        self,
        state: FlowState,
        title: str,
        body: str = "",
        choices: list[BigButton] | None = None,
        primary: list[BigButton] | None = None,
    ) -> None:
        self.ids.title.text = title
        self.ids.body.text = body
        self.ids.scroll.to_top()  # a new text is read from its top
        # A list reads from the left; a line or two (a service name, a status) is centred.
        self.ids.body.halign = "left" if "\u2022" in body else "center"
        self.ids.message.text = state.text(state.message)
        for box, buttons in ((self.ids.choices, choices or []), (self.ids.primary, primary or [])):
            box.clear_widgets()
            for button in buttons:
                box.add_widget(button)
        count = len(choices or [])
        if portrait():
            self.ids.choices.cols = 1 if count <= PORTRAIT_ONE_COLUMN else 2
        else:
            self.ids.choices.cols = count if 0 < count <= 4 else 3


class BapScreen(ChoicesScreen):
    def show(self, state: FlowState, flow: KioskFlow) -> None:
        reasons = [
            _button(_tr(title, state), partial(flow.choose_bap_reason, reason))
            for reason, title in BAP_REASON_TITLES.items()
        ]
        body = state.text(state.service.name if state.service else None)
        self.fill(state, _tr("What happened to your passport?", state), body, reasons)


class PickupScreen(ChoicesScreen):
    def show(self, state: FlowState, flow: KioskFlow) -> None:
        own = _button(
            _tr("I collect my own", state), lambda: flow.choose_pickup(False), PrimaryButton
        )
        other = _button(
            _tr("For someone else (with a surat kuasa)", state),
            lambda: flow.choose_pickup(True),
            ChoiceButton,
        )
        typed = _button(_tr(TYPE_APPLICATION, state), flow.type_application, ChoiceButton)
        lines = [state.text(state.service.name if state.service else None)]
        number = flow.application_no
        if number:
            lines.append(_tr("Application number: {number}", state, number=number))
        else:
            lines.append(_tr(SCAN_APPLICATION, state))
        self.fill(state, _tr("Who is collecting?", state), "\n".join(lines), [other, typed], [own])


TYPE_APPLICATION = "Type the application number"
SCAN_APPLICATION = "Scan the QR code of your application receipt, or type its number."


class ProxyScreen(ChoicesScreen):
    def show(self, state: FlowState, flow: KioskFlow) -> None:
        bring = documents_for(state.service, proxy=True) if state.service else ()
        answers = [
            _button(_tr("No, not yet", state), lambda: flow.answer_documents(False), ChoiceButton),
            _button(
                _tr("Yes, I have them", state), lambda: flow.answer_documents(True), PrimaryButton
            ),
        ]
        title = _tr("Collecting for someone else: bring these", state)
        self.fill(state, title, _bullets(bring, state), [], answers)


class InfoListScreen(ChoicesScreen):
    def show(self, state: FlowState, flow: KioskFlow) -> None:
        services = [
            _button(state.text(s.name), partial(flow.choose_info, s.id), ChoiceButton)
            for s in flow.content.services
        ]
        for button in services:
            button.font_size = _small_text()
        title = _tr("Documents to bring", state)
        self.fill(state, title, _tr("Touch a service to see what to bring.", state), services)
        if portrait():
            self.ids.choices.cols = 1 if len(services) <= PORTRAIT_ONE_COLUMN else 2
        else:
            self.ids.choices.cols = 4 if len(services) > 6 else (3 if len(services) > 4 else 2)


class InfoScreen(ChoicesScreen):
    def show(self, state: FlowState, flow: KioskFlow) -> None:
        service = state.service
        if service is None:
            return
        description = state.text(service.description)
        text = "\n".join(filter(None, [description, bring_text(service, state)]))
        take = _button(
            _tr("Take a number for this service", state),
            lambda: flow.choose_service(service.id),
            PrimaryButton,
        )
        self.fill(state, state.text(service.name), text, [], [take])
        self.ids.body.font_size = _small_text()


class StatusScreen(ChoicesScreen):
    """A scanned ticket: its status, and the rating when its finished step asks for it."""

    def show(self, state: FlowState, flow: KioskFlow) -> None:
        lookup = state.lookup
        if lookup is None:
            self.fill(state, _tr("Looking up your ticket…", state))
            return
        ticket = lookup.ticket
        if ticket is None:
            self.fill(state, _tr("Your ticket", state))
            return
        lines = [state.text(ticket.service.model_dump())]
        lines.append(_tr(STATUS_WORDS.get(ticket.status.value, ticket.status.value), state))
        if ticket.people_ahead is not None:
            lines.append(_tr("People ahead of you: {count}", state, count=ticket.people_ahead))
        if ticket.counter:
            lines.append(_tr("Counter: {counter}", state, counter=ticket.counter))
        rating = state.rating
        buttons: list[BigButton] = []
        if rating is not None:
            lines.append(state.text(rating.message))
        if lookup.ratable and not state.rating_busy and not (rating and rating.accepted):
            lines.append(_tr("How was our service?", state))
            buttons = [
                _button(_tr(word, state), partial(flow.rate, score), ChoiceButton)
                for score, word in RATING_SCALE.items()
            ]
        title = f"{_tr('Your ticket', state)}: {ticket.label}"
        self.fill(state, title, "\n".join(lines), buttons)


def _small_text() -> str:
    """Lists' type: smaller on a short landscape screen, which holds both bars too."""
    from kivy.core.window import Window  # the window exists by the time a screen shows
    from kivy.metrics import dp

    if Window.height > Window.width:
        return "34sp"
    return "22sp" if Window.height >= dp(700) else "18sp"
