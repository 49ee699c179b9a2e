"""A Kivy app locked down like the kiosk (run by tests/devices/test_lockdown.py in its own
process): it tries Escape, a window close request and F1, says what happened, then waits
for SIGTERM. Prints one line per event."""

from __future__ import annotations

import sys

from devices.screen import lock_window, prepare_window, tell_systemd_alive


def main() -> int:
    prepare_window("400x300", fullscreen=False, touch=True)
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.uix.label import Label

    class Locked(App):  # type: ignore[misc]
        def build(self) -> Label:
            return Label(text="locked")

        def on_start(self) -> None:
            Clock.schedule_once(self.try_to_leave, 0.2)

        def try_to_leave(self, _dt: float) -> None:
            Window.dispatch("on_keyboard", 27, 9, None, [])  # Escape
            refused = Window.dispatch("on_request_close")  # Alt+F4 / the window manager
            Window.dispatch("on_keyboard", 282, 67, None, [])  # F1: Kivy's settings panel
            print(f"close refused: {bool(refused)}", flush=True)
            print(f"settings open: {self._app_settings is not None}", flush=True)
            print("still running", flush=True)

    app = Locked()
    lock_window(app)
    tell_systemd_alive(interval_s=0.2)
    app.run()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
