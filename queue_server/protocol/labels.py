"""The printed ticket label ("A-001"): part of the wire contract, standard library only.

The server makes labels when it issues or calls a ticket; a kiosk makes the same labels
for tickets it issues offline from a leased number block. Both use these two functions.
"""

from __future__ import annotations


def format_number(prefix: str, number: int) -> str:
    """The printed form of a ticket number: prefix, dash, at least three digits."""
    if number < 1:
        raise ValueError("ticket numbers start at 1")
    return f"{prefix}-{number:03d}"


def parse_number(text: str) -> tuple[str, int]:
    """Split ``"A-001"`` into ``("A", 1)``; raises ``ValueError`` on anything else."""
    prefix, sep, digits = text.strip().upper().partition("-")
    if not sep or not prefix.isalpha() or not digits.isdigit() or len(prefix) > 2:
        raise ValueError(f"not a ticket number: {text!r}")
    return prefix, int(digits)
