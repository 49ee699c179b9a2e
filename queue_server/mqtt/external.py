"""An external broker given as a URL: ``mqtt://user:pass@host:port`` or ``mqtts://…``.

With an external broker, Antre starts no Mosquitto: accounts and ACLs are the operator's
job (``antre mqtt acl`` writes the files they need).
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from queue_server.mqtt.client import BrokerAddress

DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}


class BrokerUrlError(ValueError):
    """The broker URL cannot be used."""


def parse_mqtt_url(url: str, *, ca_file: str | None = None) -> BrokerAddress:
    """The address in ``url``; ``ca_file`` is the CA to trust for ``mqtts`` (else the system's).

    Raises:
        BrokerUrlError: unknown scheme, no host, a path, or a bad port.
    """
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise BrokerUrlError("the broker URL must start with mqtt:// or mqtts://")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as error:
        raise BrokerUrlError("the broker URL has an invalid port") from error
    if not parts.hostname:
        raise BrokerUrlError("the broker URL has no host")
    if parts.path not in {"", "/"} or parts.query:
        raise BrokerUrlError("the broker URL takes no path or query")
    return BrokerAddress(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        tls=parts.scheme == "mqtts",
        ca_file=ca_file or None,
    )


def redacted(url: str) -> str:
    """``url`` without its password, for logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    return f"{parts.scheme}://{unquote(parts.username or '')}:***@{netloc}"
