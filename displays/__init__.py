"""Antre displays (later issues)."""
