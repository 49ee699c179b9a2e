"""A ScreenManager that builds each screen the first time it is needed.

The kiosk has a screen per step (and two for the officer's maintenance), but a walk-in
journey shows six of them and most days never show the rest. Building every screen at the
start cost memory (each screen's widgets, their text textures) and start-up time for
screens that may never be drawn; here a screen is registered by name with its class and
built on the first :meth:`get_screen` (which Kivy's ``current`` also goes through).
A screen once built stays (going back to it is as quick as before).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.uix.screenmanager import Screen, ScreenManager, ScreenManagerException


class LazyScreens(ScreenManager):  # type: ignore[misc]
    """:class:`ScreenManager` with screens registered by name and built on first use."""

    def __init__(self, **kwargs: Any) -> None:
        self._factories: dict[str, Callable[..., Screen]] = {}
        super().__init__(**kwargs)

    def add_lazy(self, name: str, factory: Callable[..., Screen]) -> None:
        """Register ``factory`` (called with ``name=name``) as the screen ``name``."""
        if super().has_screen(name) or name in self._factories:
            raise ScreenManagerException(f"screen {name!r} is already registered")
        self._factories[name] = factory

    def get_screen(self, name: str) -> Screen:
        factory = self._factories.pop(name, None)
        if factory is not None:
            self.add_widget(factory(name=name))
        return super().get_screen(name)

    def has_screen(self, name: str) -> bool:
        return name in self._factories or bool(super().has_screen(name))

    @property
    def built(self) -> list[str]:
        """The names of the screens built so far."""
        return [screen.name for screen in self.screens]
