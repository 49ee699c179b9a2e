"""One Screen class per step; each ``show`` copies the flow state into its widgets.

Static texts are bound in the .kv files (``app.tr(msgid, app.language)``); what depends
on the applicant (service lists, the ticket, messages) is set here. Back and Home are in
the top bar of every screen (common.kv), never in a screen's own buttons. The screens that
are only a title, a text and choices are in :mod:`kiosk.app.choice_screens`; every step's
screen is listed in :mod:`kiosk.app.steps`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import partial
from typing import Any

from kivy.core.image import Image as CoreImage
from kivy.properties import BooleanProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.screenmanager import Screen

from devices.codes import CodeError, parse_booking_code, parse_nik
from kiosk.app.keypad import CodeKeyboard, NumericKeypad
from kiosk.content import GROUP_TITLES, ServiceChoice
from kiosk.flow import FlowState, KioskFlow
from kiosk.guide import BapReason, documents_for, office_documents, station_name
from kiosk.issuing import ShownTicket
from kiosk.scan_routes import typed_application, typed_registration
from queue_server.i18n import translate

PRINTED = "Your ticket has been printed. Please take it."
NOT_PRINTED = "The ticket on this screen is valid: please note your number."
OFFLINE = "Issued while the kiosk is offline: your place is kept, the wait is not known yet."
NOT_OFFLINE = "not available while offline"
#: The services screen's way to a registration's short code.
REGISTERED_AHEAD = "I registered ahead (code)"
GREEN = (0.0, 0.42, 0.16, 1)
RED = (0.62, 0.05, 0.05, 1)
#: The text colour of common.kv's INK.
INK = (0.05, 0.05, 0.08, 1)


class BigButton(Button):  # type: ignore[misc]
    """A large touch target (style in common.kv)."""


class PrimaryButton(BigButton):
    """The most common answer of a screen: green, full width (common.kv)."""


class ChoiceButton(BigButton):
    """A less common choice: light, so the primary answer stands out (common.kv)."""


class LanguageButton(Button):  # type: ignore[misc]
    selected = BooleanProperty(False)


class TopBar(BoxLayout):  # type: ignore[misc]
    """The office name and the language switch (Back and Home: the NavBar at the bottom)."""


class KioskScreen(Screen):  # type: ignore[misc]
    def show(self, state: FlowState, flow: KioskFlow) -> None:
        """Copy what this screen shows from ``state``."""


def _tr(msgid: str, state: FlowState, **params: object) -> str:
    return translate(msgid, state.language, **params)


def _button(text: str, action: Callable[[], None], kind: type[BigButton] = BigButton) -> BigButton:
    button = kind(text=text)
    button.bind(on_release=lambda _button: action())
    return button


def _bullets(items: tuple[str, ...], state: FlowState) -> str:
    return "\n".join(f"•  {_tr(item, state)}" for item in items)


def bring_text(
    service: ServiceChoice,
    state: FlowState,
    *,
    bap_reason: BapReason | None = None,
    proxy: bool = False,
) -> str:
    """What to bring, one bullet per line: the office's own list in the applicant's language
    when it wrote one (admin console, Content), else the SOP's list (gettext msgids)."""
    own = office_documents(service, state.language, proxy=proxy)
    if own:
        return "\n".join(f"•  {line}" for line in own)
    return _bullets(documents_for(service, bap_reason=bap_reason, proxy=proxy), state)


def _columns(count: int) -> int:
    """Two columns, three when that saves a row (1024x600 has room for two rows); one column
    on a portrait screen, two there when the list would not fit."""
    if portrait():
        return 1 if count <= PORTRAIT_ONE_COLUMN else 2
    return 3 if count > 4 else 2


#: A portrait screen lists up to this many choices in one column.
PORTRAIT_ONE_COLUMN = 6


def portrait() -> bool:
    """The window is taller than wide (a 1080x1920 kiosk): larger type, one column."""
    from kivy.core.window import Window  # the window exists by the time a screen shows

    return bool(Window.height > Window.width)


class WelcomeScreen(KioskScreen):
    """Bilingual: no language is chosen yet, so a message is shown in both."""

    def show(self, state: FlowState, flow: KioskFlow) -> None:
        self.ids.message.text = welcome_message(state.message)
        day = state.pickup_only
        self.ids.banner.text = welcome_message(day.banner()) if day else ""


def welcome_message(message: dict[str, str] | None) -> str:
    """``message`` in Indonesian, then in English (once when both are the same)."""
    if not message:
        return ""
    lines = [message.get(language, "") for language in ("id", "en")]
    return "\n".join(dict.fromkeys(line for line in lines if line))


class ServicesScreen(KioskScreen):
    def show(self, state: FlowState, flow: KioskFlow) -> None:
        choices = self.ids.choices
        choices.clear_widgets()
        self.ids.message.text = state.text(state.message)
        self.ids.banner.text = state.text(state.pickup_only.banner() if state.pickup_only else None)
        from kiosk.app.icons import IconButton, IconChoiceButton

        if state.group is None:
            self.ids.title.text = _tr("What do you need today?", state)
            for group in flow.offered_groups():
                title = _tr(GROUP_TITLES[group], state)
                button = _button(title, partial(flow.choose_group, group), IconButton)
                button.icon = group.value
                choices.add_widget(button)
            documents = _button(
                _tr("Documents to bring", state), flow.show_documents, IconChoiceButton
            )
            documents.icon = "documents"
            choices.add_widget(documents)
            # (a pickup-only day offers pickup alone)
            if state.pickup_only is None and flow.content.registration:
                registered = _button(
                    _tr(REGISTERED_AHEAD, state), flow.type_registration, IconChoiceButton
                )
                registered.icon = "registration"
                choices.add_widget(registered)
        else:
            self.ids.title.text = _tr(GROUP_TITLES[state.group], state)
            for service in flow.offered(state.group):
                button = _service_button(service, state, flow)
                button.icon = state.group.value
                choices.add_widget(button)
        choices.cols = _columns(len(choices.children))


def _service_button(service: ServiceChoice, state: FlowState, flow: KioskFlow) -> Any:
    from kiosk.app.icons import IconButton

    name = state.text(service.name)
    if not state.unavailable(service):
        return _button(name, lambda: flow.choose_service(service.id), IconButton)
    # Still a button: a touch says why (the flow's message), in plain words.
    button = _button(
        f"{name}\n({_tr(NOT_OFFLINE, state)})",
        lambda: flow.choose_service(service.id),
        IconButton,
    )
    button.background_color = (0.45, 0.45, 0.48, 1)
    return button


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
        service = state.service
        self.ids.service.text = state.text(service.name if service else None)
        self.ids.message.text = state.text(state.message)
        self.ids.bring.text = (
            bring_text(service, state, bap_reason=state.bap_reason) if service else ""
        )
        self.ids.scroll.to_top()


class RequirementsScreen(KioskScreen):
    def show(self, state: FlowState, flow: KioskFlow) -> None:
        service = state.service
        self.ids.service.text = state.text(service.name if service else None)
        description = state.text(service.description if service else None)
        bring = ""
        if service is not None:
            bring = bring_text(service, state, bap_reason=state.bap_reason, proxy=state.by_proxy)
        lines = [description] if description and not state.by_proxy else []
        self.ids.requirements.text = "\n".join([*lines, bring]).strip()
        self.ids.scroll.to_top()


class RegistrationScreen(KioskScreen):
    """A remote registration's short code, typed on its own keyboard (6 characters)."""

    def on_kv_post(self, _base_widget: Any) -> None:
        keyboard = CodeKeyboard(max_length=6, quiet_below=6, placeholder="Registration code")
        keyboard.validator = registration_problem
        keyboard.bind(on_submit=lambda _widget, text: self._submit(text))
        self.entry = keyboard
        self.ids.entry_slot.add_widget(keyboard)

    def _submit(self, text: str) -> None:
        from kivy.app import App

        App.get_running_app().flow.submit_registration(text)

    def show(self, state: FlowState, flow: KioskFlow) -> None:
        self.entry.notice = state.message


def registration_problem(text: str) -> dict[str, str] | None:
    """The code keyboard's validator: None for a code of the right form, else why not."""
    found = typed_registration(text)
    return found if isinstance(found, dict) else None


class ApplicationScreen(KioskScreen):
    """The pickup's application number, typed on the numeric keypad (10 to 20 digits)."""

    def on_kv_post(self, _base_widget: Any) -> None:
        keypad = NumericKeypad(max_length=20, quiet_below=10, placeholder="Application number")
        keypad.validator = application_problem
        keypad.bind(on_submit=lambda _widget, text: self._submit(text))
        self.entry = keypad
        self.ids.entry_slot.add_widget(keypad)

    def _submit(self, text: str) -> None:
        from kivy.app import App

        App.get_running_app().flow.submit_application(text)

    def show(self, state: FlowState, flow: KioskFlow) -> None:
        self.entry.notice = state.message


def application_problem(text: str) -> dict[str, str] | None:
    """The application keypad's validator: None for an application number, else why not
    (16 digits: a NIK typed by mistake)."""
    found = typed_application(text)
    return found if isinstance(found, dict) else None


class NikScreen(KioskScreen):
    """The NIK, typed on the numeric keypad. The entry is made in ONE place: :meth:`nik_entry`."""

    def on_kv_post(self, base_widget: Any) -> None:
        self.entry = self.nik_entry(self._submit)
        self.ids.entry_slot.add_widget(self.entry)

    def nik_entry(self, on_submit: Callable[[str], None]) -> NumericKeypad:
        """The NIK keypad: 16 digits, OK only for a NIK that :func:`parse_nik` accepts."""
        keypad = NumericKeypad(max_length=16, quiet_below=16, placeholder="NIK")
        keypad.validator = nik_problem
        keypad.bind(on_submit=lambda _widget, text: on_submit(text))
        return keypad

    def _submit(self, text: str) -> None:
        from kivy.app import App

        App.get_running_app().flow.submit_nik(text)

    def show(self, state: FlowState, flow: KioskFlow) -> None:
        self.entry.notice = state.message
        self._offer_passport(state, flow)

    def _offer_passport(self, state: FlowState, flow: KioskFlow) -> None:
        """ "Use my e-passport instead" where the kiosk has a passport reader: beside the
        title on a landscape screen, under the keypad on a portrait one."""
        from kivy.metrics import dp

        side, below = self.ids.side_slot, self.ids.below_slot
        for slot in (side, below):
            slot.clear_widgets()
        side.width = side.height = below.height = 0
        if not flow.chip_offered:
            return
        button = _button(_tr(USE_PASSPORT, state), flow.use_passport, ChoiceButton)
        if portrait():
            below.add_widget(button)
            below.height = dp(176)
        else:
            side.add_widget(button)
            side.width, side.height = dp(400), dp(124)


USE_PASSPORT = "Use my e-passport instead"


def nik_problem(text: str) -> dict[str, str] | None:
    """The NIK keypad's validator: None for a NIK, else why it is not one (the flow checks
    again with its own clock when it is submitted)."""
    try:
        parse_nik(text)
    except CodeError as err:
        return err.messages
    return None


class PriorityScreen(KioskScreen):
    def show(self, state: FlowState, flow: KioskFlow) -> None:
        self.ids.message.text = state.text(state.message)
        choices = self.ids.choices
        choices.clear_widgets()
        categories = flow.content.priority_categories
        for category in categories:
            choices.add_widget(
                _button(
                    state.text(category.name),
                    partial(flow.choose_priority, category.code),
                    ChoiceButton,
                )
            )
        # Two a row on a portrait screen: larger, and still smaller than the regular answer.
        choices.cols = 2 if portrait() else max(1, min(len(categories), 4))
        self.ids.regular.text = _tr("No, regular queue", state)


class IssuingScreen(KioskScreen):
    pass


class TicketScreen(KioskScreen):
    unprinted = BooleanProperty(False)

    def show(self, state: FlowState, flow: KioskFlow) -> None:
        ticket = state.outcome.ticket if state.outcome else None
        self.ids.message.text = state.text(state.message)
        if ticket is None:
            return
        self.ids.number.text = ticket.label
        self.ids.service.text = state.text(ticket.service_name)
        self.ids.priority.text = "PRIORITAS / PRIORITY" if ticket.priority else ""
        station = station_name(ticket.station)
        self.ids.station.text = (
            _tr("Go to: {station}", state, station=_tr(station, state)) if station else ""
        )
        self.ids.waiting.text = _waiting(ticket, state)
        if ticket.printed:
            self.ids.printed.text = _tr(PRINTED, state)
            self.ids.printed.color = GREEN
        else:
            problem = state.text(ticket.print_problem)
            self.ids.printed.text = f"{problem}\n{_tr(NOT_PRINTED, state)}".strip()
            self.ids.printed.color = RED
        self.unprinted = not ticket.printed
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
