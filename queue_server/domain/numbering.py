"""Ticket number formatting ("A-001"), as the wire contract defines it."""

from __future__ import annotations

from queue_server.protocol.labels import format_number, parse_number

__all__ = ["format_number", "parse_number"]
