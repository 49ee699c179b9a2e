"""Antre queue server.

Kept import-light on purpose: kiosks and displays import ``queue_server.protocol``
without pulling in Flask or SQLAlchemy.
"""

__version__ = "0.1.0"
