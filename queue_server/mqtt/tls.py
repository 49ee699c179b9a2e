"""The certificate of the managed broker's TLS listener: given, or self-signed on first start.

The self-signed certificate is its own CA: copy ``tls/broker.crt`` to the kiosks and displays
and let them trust it (paho: ``tls_set(ca_certs=...)``, Mosquitto clients: ``--cafile``).
It names this machine (host name, ``localhost``, 127.0.0.1 and the listener's address);
for other names, bring a certificate with ``--mqtt-tls-cert``/``--mqtt-tls-key``.
"""

from __future__ import annotations

import ipaddress
import logging
import shutil
import socket
import subprocess
from pathlib import Path

from queue_server.mqtt.broker import BrokerError, TlsListener

log = logging.getLogger(__name__)
CERT_DAYS = 3650


def self_signed_listener(folder: Path, *, port: int, host: str) -> TlsListener:
    """A TLS listener with ``folder/tls/broker.crt`` and ``.key``, made with openssl if missing."""
    tls_folder = folder / "tls"
    cert_file, key_file = tls_folder / "broker.crt", tls_folder / "broker.key"
    if not (cert_file.exists() and key_file.exists()):
        make_self_signed(cert_file, key_file, names=subject_names(host))
        log.info("made a self-signed broker certificate: %s", cert_file)
    return TlsListener(port=port, cert_file=cert_file, key_file=key_file, host=host)


def given_listener(
    folder: Path, *, cert_file: Path, key_file: Path, port: int, host: str
) -> TlsListener:
    """A TLS listener with the operator's certificate, copied beside the broker's files.

    The copy (made at every start, so a renewed certificate is picked up by a restart) lets
    the broker read it after dropping its privileges.
    """
    tls_folder = folder / "tls"
    tls_folder.mkdir(parents=True, exist_ok=True)
    copied_cert, copied_key = tls_folder / "broker.crt", tls_folder / "broker.key"
    try:
        shutil.copyfile(cert_file, copied_cert)
        shutil.copyfile(key_file, copied_key)
    except OSError as error:
        raise BrokerError(f"cannot read the TLS certificate or key: {error}") from error
    copied_key.chmod(0o600)
    return TlsListener(port=port, cert_file=copied_cert, key_file=copied_key, host=host)


def subject_names(host: str) -> list[str]:
    """``subjectAltName`` entries for this machine (DNS and IP)."""
    names = {"DNS:localhost", "IP:127.0.0.1"}
    hostname = socket.gethostname()
    if hostname:
        names |= {f"DNS:{hostname}", f"DNS:{hostname}.local"}
    if host not in {"", "0.0.0.0", "::"}:
        names.add(f"IP:{host}" if _is_ip(host) else f"DNS:{host}")
    return sorted(names)


def make_self_signed(cert_file: Path, key_file: Path, *, names: list[str]) -> None:
    """Write a self-signed certificate and its unencrypted key (mode 600)."""
    if shutil.which("openssl") is None:
        raise BrokerError("openssl is needed to make a certificate (apt-get install openssl)")
    cert_file.parent.mkdir(parents=True, exist_ok=True)
    command = [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", str(key_file), "-out", str(cert_file), "-days", str(CERT_DAYS),
        "-subj", "/CN=antre-broker", "-addext", f"subjectAltName={','.join(names)}",
    ]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as error:
        raise BrokerError(f"openssl could not make the broker certificate: {error}") from error
    key_file.chmod(0o600)


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
