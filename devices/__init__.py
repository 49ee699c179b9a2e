"""Antre devices (later issues)."""
