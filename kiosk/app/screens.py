"""One Screen class per step; each ``show`` copies the flow state into its widgets.

Static texts are bound in the .kv files (``app.tr(msgid, app.language)``); what depends
on the applicant (service lists, the ticket, messages) is set here.
"""

from __future__ import annotations

import io
from typing import Any

from kivy.core.image import Image as CoreImage
from kivy.properties import BooleanProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.screenmanager import Screen

from devices.codes import CodeError, parse_booking_code
from kiosk.content import GROUP_TITLES, KioskContent
from kiosk.flow import FlowState, KioskFlow
from kiosk.issuing import ShownTicket
from queue_server.i18n import translate

PRINTED = "Your ticket has been printed. Please take it."
NOT_PRINTED = "The ticket on this screen is valid: please note your number."
OFFLINE = "Issued while the kiosk is offline: your place is kept, the wait is not known yet."


class BigButton(Button):  # type: ignore[misc]
    """A large touch target (style in common.kv)."""


class LanguageButton(Button):  # type: ignore[misc]
    selected = BooleanProperty(False)


class TopBar(BoxLayout):  # type: ignore[misc]
    """Office name and the language switch, on every screen."""


class KioskScreen(Screen):  # type: ignore[misc]
    def show(self, state: FlowState, flow: KioskFlow) -> None:
        """Copy what this screen shows from ``state``."""


def _tr(msgid: str, state: FlowState, **params: object) -> str:
    return translate(msgid, state.language, **params)


def _button(text: str, action: Any, style: str = "") -> BigButton:
    button = BigButton(text=text)
    if style == "quiet":
        button.background_color = (0.30, 0.30, 0.34, 1)
    button.bind(on_release=lambda _button: action())
    return button


class WelcomeScreen(KioskScreen):
    pass


class ServicesScreen(KioskScreen):
    def show(self, state: FlowState, flow: KioskFlow) -> None:
        content: KioskContent = flow.content
        choices = self.ids.choices
        choices.clear_widgets()
        self.ids.message.text = state.text(state.message)
        if state.group is None:
            self.ids.title.text = _tr("What do you need today?", state)
            for group in content.groups():
                choices.add_widget(
                    _button(_tr(GROUP_TITLES[group], state), lambda g=group: flow.choose_group(g))
                )
        else:
            self.ids.title.text = _tr(GROUP_TITLES[state.group], state)
            for service in content.in_group(state.group):
                choices.add_widget(
                    _button(state.text(service.name), lambda s=service.id: flow.choose_service(s))
                )
        choices.cols = _columns(len(choices.children))


def _columns(count: int) -> int:
    """Two columns, three when that saves a row (1024x600 has room for two rows)."""
    return 3 if count > 4 else 2


class ScanScreen(KioskScreen):
    """A scanned M-Paspor QR, or the booking code typed on the on-screen keyboard."""

    def on_kv_post(self, _base_widget: Any) -> None:
        self.ids.keyboard.validator = booking_code_problem

    def show(self, state: FlowState, flow: KioskFlow) -> None:
        self.ids.keyboard.notice = state.message

    def submit(self, text: str) -> None:
        from kivy.app import App

        App.get_running_app().flow.submit_code(text)


def booking_code_problem(text: str) -> dict[str, str] | None:
    """The keyboard's validator: None for a booking code, else why it is not one."""
    try:
        parse_booking_code(text)
    except CodeError as err:
        return err.messages
    return None


class DocumentsScreen(KioskScreen):
    def show(self, state: FlowState, flow: KioskFlow) -> None:
        self.ids.service.text = state.text(state.service.name if state.service else None)


class RequirementsScreen(KioskScreen):
    def show(self, state: FlowState, flow: KioskFlow) -> None:
        service = state.service
        self.ids.service.text = state.text(service.name if service else None)
        description = service.description if service else None
        self.ids.requirements.text = state.text(description) or _tr(
            "Bring your KTP and the original documents for this service.", state
        )


class PriorityScreen(KioskScreen):
    def show(self, state: FlowState, flow: KioskFlow) -> None:
        self.ids.message.text = state.text(state.message)
        choices = self.ids.choices
        choices.clear_widgets()
        for category in flow.content.priority_categories:
            choices.add_widget(
                _button(state.text(category.name), lambda c=category.code: flow.choose_priority(c))
            )
        choices.add_widget(
            _button(_tr("No, regular queue", state), lambda: flow.choose_priority(None))
        )
        choices.cols = _columns(len(choices.children))


class IssuingScreen(KioskScreen):
    pass


class TicketScreen(KioskScreen):
    def show(self, state: FlowState, flow: KioskFlow) -> None:
        ticket = state.outcome.ticket if state.outcome else None
        if ticket is None:
            return
        self.ids.number.text = ticket.label
        self.ids.service.text = state.text(ticket.service_name)
        self.ids.waiting.text = _waiting(ticket, state)
        if ticket.printed:
            self.ids.printed.text = _tr(PRINTED, state)
            self.ids.printed.color = (0.0, 0.42, 0.16, 1)
        else:
            problem = state.text(ticket.print_problem)
            self.ids.printed.text = f"{problem}\n{_tr(NOT_PRINTED, state)}".strip()
            self.ids.printed.color = (0.62, 0.05, 0.05, 1)
        self.ids.qr.texture = qr_texture(ticket.qr_text)


def _waiting(ticket: ShownTicket, state: FlowState) -> str:
    if ticket.offline or ticket.people_ahead is None:
        return _tr(OFFLINE, state)
    text = _tr("People ahead of you: {count}", state, count=ticket.people_ahead)
    if ticket.wait_minutes is not None:
        text += "\n" + _tr(
            "Estimated wait: about {minutes} min", state, minutes=ticket.wait_minutes
        )
    return text


class ProblemScreen(KioskScreen):
    def show(self, state: FlowState, flow: KioskFlow) -> None:
        self.ids.service.text = state.text(state.service.name if state.service else None)
        self.ids.message.text = state.text(state.message)


def qr_texture(text: str) -> Any:
    """A Kivy texture of the QR code of ``text`` (black on white, sharp when scaled)."""
    import qrcode

    picture = qrcode.make(text, border=2, box_size=8)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    buffer.seek(0)
    texture = CoreImage(buffer, ext="png").texture
    texture.mag_filter = "nearest"
    return texture


SCREENS: dict[str, type[KioskScreen]] = {
    "welcome": WelcomeScreen,
    "services": ServicesScreen,
    "scan": ScanScreen,
    "documents": DocumentsScreen,
    "requirements": RequirementsScreen,
    "priority": PriorityScreen,
    "issuing": IssuingScreen,
    "ticket": TicketScreen,
    "problem": ProblemScreen,
}
