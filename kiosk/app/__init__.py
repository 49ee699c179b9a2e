"""The kiosk's touch UI (Kivy): ``python -m kiosk.app [--demo] [--config FILE]``.

Kivy is imported only by this package; :mod:`kiosk.flow` holds the journey itself.
"""
