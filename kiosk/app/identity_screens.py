"""The e-passport instead of the NIK: the photo page's details (MRZ) and the chip read.

:class:`MrzScreen` asks for the passport number on the letter keyboard, then the dates of
birth and of expiry on the numeric keypad, one at a time (a scanned photo page skips it);
:class:`ChipScreen` asks the applicant to lay the passport on the reader while the chip is
read, and offers "Try again" and the NIK when it cannot be.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from kiosk.app.choice_screens import ChoicesScreen
from kiosk.app.keypad import AlphaKeyboard, NumericKeypad, TextKeypad
from kiosk.app.screens import (
    INK,
    RED,
    ChoiceButton,
    KioskScreen,
    PrimaryButton,
    _button,
    _tr,
)
from kiosk.flow import FlowState, KioskFlow
from kiosk.passport_chip import MrzField, entry_problem

#: Each detail's title, hint and placeholder (msgids).
MRZ_TEXTS: dict[MrzField, tuple[str, str, str]] = {
    MrzField.NUMBER: (
        "Your passport number",
        "Step 1 of 3. As printed on the photo page of your passport (for example C1234567). "
        "Or scan the photo page.",
        "Passport number",
    ),
    MrzField.BIRTH: (
        "Your date of birth",
        "Step 2 of 3. Day, month and year: 8 digits (for example 17081990).",
        "DDMMYYYY",
    ),
    MrzField.EXPIRY: (
        "Your passport's expiry date",
        "Step 3 of 3. As printed on the photo page: day, month and year, 8 digits.",
        "DDMMYYYY",
    ),
}
CHIP_TITLE = "Place your passport on the reader"
CHIP_HINT = (
    "Open it at the photo page and lay it flat on the reader. Keep it there until the "
    "kiosk moves on."
)
READING = "Reading the chip. Please keep the passport on the reader."


class MrzScreen(KioskScreen):
    """One detail at a time; the keyboard is made afresh for each (nothing typed stays)."""

    def on_kv_post(self, _base_widget: Any) -> None:
        self._field: MrzField | None = None
        self.entry: TextKeypad | None = None

    def show(self, state: FlowState, flow: KioskFlow) -> None:
        title, hint, placeholder = MRZ_TEXTS[state.mrz_field]
        self.ids.title.text = _tr(title, state)
        # A refusal (the chip said no, a birth date ahead) replaces the hint, in red: the
        # keyboard's own message column is too narrow for it on a 1024x600 screen.
        self.ids.body.text = state.text(state.message) or _tr(hint, state)
        self.ids.body.color = RED if state.message else INK
        if self.entry is None or self._field is not state.mrz_field:
            self._field = state.mrz_field
            self.entry = self._entry(state.mrz_field, placeholder)
            self.ids.entry_slot.clear_widgets()
            self.ids.entry_slot.add_widget(self.entry)

    def on_leave(self, *_args: Any) -> None:
        self._field = None  # a fresh, empty keyboard next time

    def _entry(self, mrz_field: MrzField, placeholder: str) -> TextKeypad:
        if mrz_field is MrzField.NUMBER:
            entry: TextKeypad = AlphaKeyboard(max_length=9, quiet_below=1, placeholder=placeholder)
        else:
            entry = NumericKeypad(max_length=8, quiet_below=8, placeholder=placeholder)
        entry.validator = partial(entry_problem, mrz_field)
        entry.bind(on_submit=lambda _widget, text: self._submit(text))
        return entry

    def _submit(self, text: str) -> None:
        from kivy.app import App

        App.get_running_app().flow.submit_mrz_field(text)


class ChipScreen(ChoicesScreen):
    def show(self, state: FlowState, flow: KioskFlow) -> None:
        # After a failed try the message says what to do: the hint would only repeat it.
        body = "" if state.message else _tr(CHIP_HINT, state)
        primary = []
        if state.chip_busy:
            body = f"{body}\n\n{_tr(READING, state)}"
        else:
            primary.append(_button(_tr("Try again", state), flow.retry_chip, PrimaryButton))
        nik = _button(_tr("Type my NIK instead", state), flow.use_nik, ChoiceButton)
        self.fill(state, _tr(CHIP_TITLE, state), body, [nik], primary)
