"""Clear command-line messages (Indonesian, then English) for expected failures."""

from __future__ import annotations

BROKER_PORT_BUSY = (
    "The MQTT broker's port {address} is in use by another program; nothing was started. "
    "Stop that program (on Debian, the system's own Mosquitto service: systemctl disable "
    "--now mosquitto) or choose another port with {option} (make run MQTT_PORT=...)."
)


def describe(error: Exception) -> str | None:
    """A message for an expected error, or None to let the traceback through."""
    from pydantic import ValidationError

    from queue_server.domain.errors import DomainError
    from queue_server.office_config import OfficeConfigError

    if isinstance(error, DomainError):
        from queue_server.i18n import both

        messages = both(error.template, **error.params)
        return f"{messages['id']}\n{messages['en']}"
    if isinstance(error, OfficeConfigError):
        from queue_server.i18n.notes import note_texts

        return "Berkas kantor tidak valid / the office file is not valid:\n" + "\n".join(
            _both_lines(note_texts(problem)) for problem in error.problems
        )
    if isinstance(error, ValidationError):
        return f"Konfigurasi tidak valid / invalid configuration:\n{error}"
    from queue_server.protocol.topics import TopicError

    if isinstance(error, TopicError):
        return f"Pengenal tidak valid / invalid id: {error}"
    from queue_server.services.bookings import BookingFileError

    if isinstance(error, BookingFileError):
        return f"Daftar booking tidak valid / the booking list is not valid: {error}"
    from queue_server.mqtt.broker import BrokerError, BrokerPortBusy
    from queue_server.mqtt.external import BrokerUrlError

    if isinstance(error, BrokerPortBusy):
        from queue_server.i18n import both

        messages = both(BROKER_PORT_BUSY, address=error.address, option=error.option)
        return f"{messages['id']}\n{messages['en']}"

    if isinstance(error, BrokerUrlError):
        return f"Alamat broker MQTT tidak valid / invalid MQTT broker URL: {error}"
    if isinstance(error, BrokerError):
        return f"Broker MQTT tidak dapat dijalankan / the MQTT broker could not start: {error}"
    from queue_server.bootstrap import NO_DATABASE, NoDatabase

    if isinstance(error, NoDatabase):
        from queue_server.i18n import both

        messages = both(NO_DATABASE, path=str(error.path))
        return f"{messages['id']}\n{messages['en']}"
    if isinstance(error, FileNotFoundError):
        return f"Berkas tidak ditemukan / file not found: {error.filename}"
    return None


def _both_lines(texts: dict[str, str]) -> str:
    """One problem: Indonesian, then English when it differs."""
    if texts["id"] == texts["en"]:
        return f"  - {texts['en']}"
    return f"  - {texts['id']}\n    {texts['en']}"
