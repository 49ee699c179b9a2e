"""The Flask app factory: config -> services -> blueprints. No module globals."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix

from queue_server.config import ServerConfig, load_config, session_key
from queue_server.notify.inbound import settings_from_environment as whatsapp_settings
from queue_server.push.hub import PushHub
from queue_server.services.container import Services, build_services
from queue_server.web import errors, headers
from queue_server.web.admin_page import admin_page
from queue_server.web.api import api
from queue_server.web.api_public import PUBLIC_LIMIT
from queue_server.web.api_push import PUSH_EXTENSION, ticket_status_json
from queue_server.web.auth import SESSION_LIFETIME
from queue_server.web.console_page import console_page
from queue_server.web.health import HEALTH_EXTENSION, MqttHealth, health, mqtt_disabled
from queue_server.web.ratelimit import LoginLimiter, Monotonic, SlidingWindowLimiter
from queue_server.web.recap_page import recap_page
from queue_server.web.registration_page import REGISTRATION_LIMIT, registration_page
from queue_server.web.routing import AsciiIntegerConverter
from queue_server.web.screens import screens
from queue_server.web.ticket_page import ticket_page
from queue_server.web.token_cache import TokenCache
from queue_server.web.whatsapp_webhook import WHATSAPP_EXTENSION, whatsapp_webhook

#: Public ticket-status look-ups per address and minute (a phone polls every ~15 s).
PUBLIC_REQUESTS_PER_MINUTE = 120
MAX_BODY_BYTES = 64 * 1024


def create_app(
    config: ServerConfig | None = None,
    *,
    services: Services | None = None,
    mqtt_health: MqttHealth = mqtt_disabled,
    monotonic: Monotonic = time.monotonic,
    push: PushHub | None = None,
) -> Flask:
    """Build the WSGI app.

    Args:
        config: the server configuration; defaults to ``services.config``, else
            :func:`~queue_server.config.load_config`.
        services: the use cases ``antre serve`` built once (and shares with the MQTT side);
            built from ``config`` if None (tests, ``wsgi.py``).
        mqtt_health: reports the MQTT broker and link for ``/healthz`` (default: disabled).
        monotonic: the rate limiters' and the token cache's clock (tests advance a fake one).
        push: the hub the publisher feeds (``antre serve``); None: a hub of this app's
            own, fed by nothing until something publishes to it (tests).
    """
    config = config or (services.config if services else load_config())
    app = Flask("queue_server")
    app.config.update(
        SECRET_KEY=session_key(config),
        SESSION_COOKIE_NAME="antre_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.secure_cookies,
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        ANTRE_SESSION_IDLE=timedelta(minutes=config.session_idle_minutes),
    )
    app.session_interface = CookieSessions()
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.url_map.converters["int"] = AsciiIntegerConverter  # before any route is added
    built = services or build_services(config)
    app.extensions["antre"] = built
    app.extensions["antre_login_limit"] = LoginLimiter(
        per_user=config.login_attempts_per_minute,
        per_address=config.login_attempts_per_address_per_minute,
        clock=monotonic,
    )
    app.extensions["antre_limits"] = {
        PUBLIC_LIMIT: SlidingWindowLimiter(
            limit=PUBLIC_REQUESTS_PER_MINUTE, window_s=60, clock=monotonic
        ),
        REGISTRATION_LIMIT: SlidingWindowLimiter(
            limit=config.registrations_per_address_per_hour, window_s=3600, clock=monotonic
        ),
    }
    tokens = TokenCache(clock=monotonic)
    built.accounts.on_revocation(tokens.clear)  # a revoked token stops here at once
    app.extensions["antre_tokens"] = tokens
    app.extensions[HEALTH_EXTENSION] = mqtt_health
    app.extensions[PUSH_EXTENSION] = push or PushHub(ticket_status=ticket_status_json(built))
    if config.proxy_hops:  # the client's address, as the trusted proxies saw it
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.proxy_hops)  # type: ignore[method-assign]
    errors.init_app(app)
    headers.init_app(app)
    app.register_blueprint(health)
    app.register_blueprint(api)
    app.register_blueprint(ticket_page)
    app.register_blueprint(console_page)
    app.register_blueprint(screens)
    app.register_blueprint(recap_page)
    app.register_blueprint(admin_page)
    app.register_blueprint(registration_page)
    app.register_blueprint(whatsapp_webhook)
    app.extensions[WHATSAPP_EXTENSION] = whatsapp_settings()
    return app


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, with the signing serializer built once per key
    instead of on every request (most requests, a kiosk's or an officer's with a bearer
    token, carry no session cookie at all)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[object, ...], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if serializer is None:
                return None
            self._serializers = {keys: serializer}  # a changed key replaces the old one
        return serializer
