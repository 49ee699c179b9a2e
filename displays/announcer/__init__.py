"""Announcer: a chime, then each call spoken in Indonesian and English, one call at a time.

GUI-free. :mod:`.phrases` makes the texts from a :class:`~queue_server.protocol.states.CalledEvent`
(:mod:`.numbers` reads the numbers), :mod:`.speaker` turns a text into a WAV with espeak-ng,
:mod:`.chime` writes the chime, :mod:`.player` plays WAVs and :mod:`.queue` runs the single
worker that never lets two announcements overlap.
"""
