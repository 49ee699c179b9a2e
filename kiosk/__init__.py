"""Antre kiosk (later issues)."""
