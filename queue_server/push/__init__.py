"""Live updates pushed to browsers over server-sent events (see :mod:`.hub`)."""
