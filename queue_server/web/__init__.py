"""Flask adapter: app factory, JSON API v1, auth, OpenAPI."""
