"""The Flask app factory: config -> services -> blueprints. No module globals."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, Response, jsonify
from sqlalchemy import text

from queue_server import __version__
from queue_server.config import ServerConfig, load_config
from queue_server.services.container import Services, build_services
from queue_server.web import errors
from queue_server.web.api import api
from queue_server.web.auth import RateLimiter, services
from queue_server.web.registry import api_route

health = Blueprint("health", __name__)
PUBLIC_REQUESTS_PER_MINUTE = 120


@api_route(health, "/healthz", summary="Liveness and database check", roles=None, tag="meta")
def healthz() -> Response:
    with services().database.reader() as session:
        session.execute(text("SELECT 1"))
    return jsonify({"status": "ok", "version": __version__})


def create_app(config: ServerConfig | None = None, *, services: Services | None = None) -> Flask:
    config = config or (services.config if services else load_config())
    app = Flask("queue_server")
    app.config.update(
        SECRET_KEY=config.secret_key,
        SESSION_COOKIE_NAME="antre_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.extensions["antre"] = services or build_services(config)
    app.extensions["antre_limits"] = {
        "login": RateLimiter(limit=config.login_attempts_per_minute, window_s=60),
        "public": RateLimiter(limit=PUBLIC_REQUESTS_PER_MINUTE, window_s=60),
    }
    errors.init_app(app)
    app.register_blueprint(health)
    app.register_blueprint(api)
    return app
