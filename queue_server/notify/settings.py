"""Which provider sends notifications, from ``ANTRE_NOTIFY_*`` environment variables.

``ANTRE_NOTIFY_PROVIDER`` is ``none`` (the default: nothing is sent), ``webhook``,
``whatsapp`` or ``sms``; see docs/operations.md, "Notifications".
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from queue_server.notify.gateways import (
    Gateway,
    LogGateway,
    SmsGateway,
    WebhookGateway,
    WhatsAppGateway,
)

PREFIX = "ANTRE_NOTIFY_"
WHATSAPP_DEFAULT_URL = "https://graph.facebook.com/v21.0"


class NotifySettingsError(ValueError):
    """A missing or unusable setting; the message names the variable, never its value."""


def _url(env: Mapping[str, str], name: str, default: str = "") -> str:
    value = env.get(PREFIX + name, default).strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise NotifySettingsError(f"{PREFIX}{name} must be an http(s) URL")
    return value


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(PREFIX + name, "").strip()
    if not value:
        raise NotifySettingsError(f"{PREFIX}{name} is required for this provider")
    return value


def gateway_from_environment(env: Mapping[str, str] | None = None) -> Gateway | None:
    """The configured gateway, or None when notifications are off."""
    env = os.environ if env is None else env
    provider = env.get(PREFIX + "PROVIDER", "none").strip().lower()
    try:
        timeout = float(env.get(PREFIX + "TIMEOUT_S", "10"))
    except ValueError:
        raise NotifySettingsError(f"{PREFIX}TIMEOUT_S must be a number of seconds") from None
    if not 0.1 <= timeout <= 60:
        raise NotifySettingsError(f"{PREFIX}TIMEOUT_S must be between 0.1 and 60")
    if provider == "none":
        return None
    if provider == "log":  # demos and trials: the messages in the server's output
        return LogGateway()
    if provider == "webhook":
        secret = _required(env, "SECRET").encode()
        return WebhookGateway(_url(env, "URL"), secret, timeout=timeout)
    if provider == "whatsapp":
        return WhatsAppGateway(
            _url(env, "URL", WHATSAPP_DEFAULT_URL),
            _required(env, "WHATSAPP_PHONE_NUMBER_ID"),
            _required(env, "TOKEN"),
            template_prefix=env.get(PREFIX + "WHATSAPP_TEMPLATE_PREFIX", "antre_"),
            timeout=timeout,
        )
    if provider == "sms":
        return SmsGateway(
            _url(env, "URL"),
            token=env.get(PREFIX + "TOKEN", ""),
            sender=env.get(PREFIX + "SMS_SENDER", ""),
            timeout=timeout,
        )
    raise NotifySettingsError(f"{PREFIX}PROVIDER must be none, log, webhook, whatsapp or sms")
