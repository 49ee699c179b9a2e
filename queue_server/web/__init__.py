"""Flask adapter: app factory, JSON API v1, auth, OpenAPI."""

from queue_server.web.app import create_app

__all__ = ["create_app"]
