"""On-screen keyboards for a touch-only kiosk: :class:`NumericKeypad`, :class:`AlphaKeyboard`
and :class:`CodeKeyboard` (a registration's short code).

Both show the typed value large above the keys and the validator's message under it; OK
stays disabled until the validator accepts the value. Use::

    keypad = NumericKeypad(max_length=16)
    keypad.validator = nik_problem          # text -> None or {"id": ..., "en": ...}
    keypad.bind(on_submit=lambda widget, text: flow.submit_nik(text))

Labels follow ``app.language``; the style is in kv/keypad.kv (loaded by the app's
``load_kv``). The value is cleared when the screen that holds the keyboard is left, so
nothing typed stays on screen for the next applicant. Wide areas (a landscape screen) get
the value and OK beside the keys, tall ones above and below them; ``quiet_below`` holds
the validator's message back while a value is too short to be complete.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from kivy.clock import Clock
from kivy.metrics import dp
from kivy.properties import (
    BooleanProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.app.navbar import enclosing_screen
from queue_server.i18n import translate

DELETE, CLEAR = "<delete>", "<clear>"
KEY_LABELS = {DELETE: "Delete", CLEAR: "Clear all"}
MIN_KEY_PX = 64.0
MAX_KEY_PX = 120.0
#: A wider than tall area (width / height above this) puts the value beside the keys.
LANDSCAPE_RATIO = 1.5
#: Returns None when the text is acceptable, else a message {"id": ..., "en": ...}.
Validator = Callable[[str], dict[str, str] | None]


class KeyButton(Button):  # type: ignore[misc]
    """One key; ``key`` is the character it types, or :data:`DELETE` / :data:`CLEAR`."""

    key = StringProperty("")
    kind = StringProperty("char")  # char, control or ok


class KeypadValue(Label):  # type: ignore[misc]
    """The typed value, large (style in keypad.kv)."""

    empty = BooleanProperty(True)


class KeypadMessage(Label):  # type: ignore[misc]
    """The validator's message under the value."""


class TextKeypad(BoxLayout):  # type: ignore[misc]
    """The keyboard's behaviour; subclasses give :attr:`ROWS` and :attr:`CONTROLS`.

    Events:
        on_submit(text): OK was pressed on a valid value.
    """

    ROWS: ClassVar[Sequence[Sequence[str]]] = ()
    CONTROLS: ClassVar[Sequence[str]] = ()

    text = StringProperty("")
    max_length = NumericProperty(24)
    validator = ObjectProperty(None, allownone=True)
    language = StringProperty("id")
    #: Shown in the value box while nothing is typed (a msgid, translated).
    placeholder = StringProperty("")
    #: Show dots instead of the typed characters (a PIN).
    masked = BooleanProperty(False)
    #: The validator's message waits until the value is this long (shorter values only
    #: keep OK disabled): no complaint while a code is still being typed.
    quiet_below = NumericProperty(0)
    message = StringProperty("")
    #: A message from outside (a refused scan), shown until the next key press: a text, or
    #: ``{"id": ..., "en": ...}`` to follow the language.
    notice = ObjectProperty("", allownone=True)
    valid = BooleanProperty(False)
    key_height = NumericProperty(MIN_KEY_PX)
    key_width = NumericProperty(MIN_KEY_PX)

    __events__ = ("on_submit",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._keys: list[KeyButton] = []
        self._value = KeypadValue()
        self._message = KeypadMessage()
        self._ok = KeyButton(kind="ok")
        self._ok.bind(on_release=lambda _button: self.submit())
        self._controls = [self._key(token) for token in self.CONTROLS]
        self._rows = [[self._key(token) for token in row] for row in self.ROWS]
        self._screen: Any = None
        self._arrange_trigger = Clock.create_trigger(lambda _dt: self._arrange(), -1)
        self.bind(size=lambda *_args: self._arrange_trigger())
        self.bind(parent=lambda *_args: Clock.schedule_once(lambda _dt: self._follow_screen()))
        self._refresh()
        self._arrange_trigger()

    # Public API ----------------------------------------------------------------------

    def type(self, key: str) -> None:
        """What a key press does (also for tests and a physical keyboard)."""
        self.notice = ""
        if key == DELETE:
            self.text = self.text[:-1]
        elif key == CLEAR:
            self.text = ""
        elif len(key) == 1 and len(self.text) < self.max_length:
            self.text += key

    def clear(self) -> None:
        self.text = self.notice = ""

    def submit(self) -> None:
        """Dispatch ``on_submit`` when the value is valid (OK is disabled otherwise)."""
        if self.valid:
            self.dispatch("on_submit", self.text)

    def on_submit(self, text: str) -> None:
        """Default handler (Kivy needs one)."""

    def key_buttons(self) -> list[KeyButton]:
        """Every key, the controls and OK (for tests and size checks)."""
        return [*(key for row in self._rows for key in row), *self._controls, self._ok]

    # Properties ----------------------------------------------------------------------

    def on_text(self, _widget: Any, _text: str) -> None:
        self._refresh()

    def on_validator(self, _widget: Any, _validator: Any) -> None:
        self._refresh()

    def on_language(self, _widget: Any, _language: str) -> None:
        self._refresh()

    def on_quiet_below(self, _widget: Any, _length: float) -> None:
        self._refresh()

    def on_placeholder(self, _widget: Any, _placeholder: str) -> None:
        self._refresh()

    def on_notice(self, _widget: Any, _notice: object) -> None:
        self._refresh()

    def on_max_length(self, _widget: Any, length: float) -> None:
        self.text = self.text[: int(length)]

    def _refresh(self) -> None:
        if getattr(self, "_ok", None) is None:
            return  # a property given to the constructor: refreshed once the keys exist
        validator: Validator | None = self.validator
        problem = validator(self.text) if validator is not None and self.text else None
        self.valid = bool(self.text) and problem is None
        quiet = len(self.text) < self.quiet_below
        self.message = (
            "" if problem is None or quiet else problem.get(self.language, problem.get("en", ""))
        )
        shown = "\u2022" * len(self.text) if self.masked else self.text
        self._value.empty = not shown
        self._value.text = shown or translate(self.placeholder, self.language)
        notice = self.notice or ""
        if isinstance(notice, dict):
            notice = notice.get(self.language, notice.get("en", ""))
        self._message.text = self.message or notice
        self._ok.disabled = not self.valid
        self._ok.text = translate("OK", self.language)
        for button in self._controls + [key for row in self._rows for key in row]:
            if button.key in KEY_LABELS:
                button.text = translate(KEY_LABELS[button.key], self.language)

    # Building and arranging ----------------------------------------------------------

    def _key(self, token: str) -> KeyButton:
        control = token in KEY_LABELS
        button = KeyButton(key=token, kind="control" if control else "char")
        if not control:
            button.text = token
        button.bind(on_release=lambda pressed: self.type(pressed.key))
        return button

    def _follow_screen(self) -> None:
        """Clear the value whenever the screen holding this keyboard is left."""
        widget = enclosing_screen(self.parent)
        if widget is self._screen:
            return
        if self._screen is not None:
            self._screen.unbind(on_leave=self._left)
        self._screen = widget
        if widget is not None:
            widget.bind(on_leave=self._left)

    def _left(self, *_args: Any) -> None:
        self.clear()

    def _columns(self) -> int:
        return max((len(row) for row in self.ROWS), default=1)

    def _arrange(self) -> None:
        placed: list[Any] = [self._value, self._message, *self.key_buttons()]
        for widget in placed:
            if widget.parent is not None:
                widget.parent.remove_widget(widget)
        self.clear_widgets()
        if self.width > self.height * LANDSCAPE_RATIO:
            self._arrange_wide()
        else:
            self._arrange_tall()

    def _key_rows(self, width: float, row_height: float) -> BoxLayout:
        gap = self.spacing
        columns = self._columns()
        widest = dp(170) if columns > 5 else dp(240)
        self.key_width = min(widest, max(MIN_KEY_PX, (width - gap * (columns - 1)) / columns))
        self.key_height = row_height
        rows = BoxLayout(orientation="vertical", spacing=gap, size_hint=(None, None))
        rows.width, rows.height = width, row_height * len(self._rows) + gap * (len(self._rows) - 1)
        for keys in self._rows:
            line = BoxLayout(spacing=gap, size_hint=(None, None), height=row_height)
            line.width = self.key_width * len(keys) + gap * (len(keys) - 1)
            for key in keys:
                key.size_hint = (None, None)
                key.size = (self.key_width, row_height)
                line.add_widget(key)
            holder = AnchorLayout(size_hint_y=None, height=row_height)
            holder.add_widget(line)
            rows.add_widget(holder)
        return rows

    def _arrange_wide(self) -> None:
        gap = self.spacing
        row_count = max(len(self._rows), 1)
        row_height = (self.height - gap * (row_count - 1)) / row_count
        row_height = min(MAX_KEY_PX, max(MIN_KEY_PX, row_height))
        columns = self._columns()
        needed = MIN_KEY_PX * columns + gap * (columns - 1)
        keys_width = max(needed, self.width * (0.66 if columns > 5 else 0.5))
        side = BoxLayout(orientation="vertical", spacing=gap, size_hint=(None, 1))
        side.width = self.width - keys_width - gap
        self._value.size_hint_y, self._value.height = None, max(dp(72), row_height)
        self._message.size_hint_y = 1
        side.add_widget(self._value)
        side.add_widget(self._message)
        if self._controls:
            controls = BoxLayout(spacing=gap, size_hint_y=None, height=row_height)
            for button in self._controls:
                button.size_hint = (1, 1)
                controls.add_widget(button)
            side.add_widget(controls)
        self._ok.size_hint, self._ok.height = (1, None), max(row_height, dp(80))
        side.add_widget(self._ok)
        self.orientation = "horizontal"
        self.add_widget(side)
        keys = AnchorLayout(anchor_y="top")
        keys.add_widget(self._key_rows(keys_width, row_height))
        self.add_widget(keys)

    def _arrange_tall(self) -> None:
        gap = self.spacing
        columns = self._columns()
        key_width = (self.width - gap * (columns - 1)) / columns
        row_height = min(MAX_KEY_PX, max(MIN_KEY_PX, key_width * 1.2))
        self.orientation = "vertical"
        self._value.size_hint_y, self._value.height = None, max(dp(120), row_height)
        self._message.size_hint_y, self._message.height = None, dp(72)
        self.add_widget(Widget())  # the keys sit low, within reach from a wheelchair
        self.add_widget(self._value)
        self.add_widget(self._message)
        keys = AnchorLayout(size_hint_y=None)
        rows = self._key_rows(self.width, row_height)
        keys.height = rows.height
        keys.add_widget(rows)
        self.add_widget(keys)
        bottom = BoxLayout(spacing=gap, size_hint_y=None, height=max(row_height, dp(110)))
        for button in self._controls:
            button.size_hint = (0.6, 1)
            bottom.add_widget(button)
        self._ok.size_hint = (1, 1)
        bottom.add_widget(self._ok)
        self.add_widget(bottom)


class NumericKeypad(TextKeypad):
    """Digits 0-9 with Delete and Clear; for a NIK (16 digits), an application number, a PIN."""

    ROWS = ("123", "456", "789", (CLEAR, "0", DELETE))
    CONTROLS = ()

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 16)
        super().__init__(**kwargs)


class AlphaKeyboard(TextKeypad):
    """Letters A-Z and digits 0-9 with Delete and Clear; for M-Paspor booking codes."""

    ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
    CONTROLS = (DELETE, CLEAR)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 24)
        super().__init__(**kwargs)


class CodeKeyboard(TextKeypad):
    """The registration short code's own alphabet (no letter or digit that is misread),
    with Delete and Clear: only keys that can be part of a code are offered."""

    ROWS = ("ACDEFGHJ", "KMNPRTUV", "WXY34679")
    CONTROLS = (DELETE, CLEAR)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 6)
        super().__init__(**kwargs)
