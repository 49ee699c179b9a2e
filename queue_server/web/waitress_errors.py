"""What waitress answers before a request reaches the app, as the API's JSON errors.

waitress refuses a request it cannot parse (bytes that are not ASCII in the path, a
control character in a header, a broken start line, headers over its limit) with a
plain English text. Served through :func:`use_json_errors`, the answer has the shape
of every other error: ``{"error": {"code", "message", "messages": {"id", "en"}}}``.
"""

from __future__ import annotations

import json
from typing import Any

from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from queue_server.i18n import both

#: Kept short and the same for every parse error; ``detail`` is waitress's own reason.
MALFORMED_HTTP = "The request is not valid HTTP ({detail}); it was not carried out."
CODES = {400: "bad_request", 413: "too_large", 431: "headers_too_large", 501: "not_implemented"}


def error_body(status: int, detail: str) -> bytes:
    """The JSON error body for a request waitress refused with ``status``."""
    messages = both(MALFORMED_HTTP, detail=detail[:80])
    code = CODES.get(status, "bad_request" if status < 500 else "internal")
    return json.dumps(
        {"error": {"code": code, "message": messages["id"], "messages": messages}},
        ensure_ascii=False,
    ).encode()


class JsonErrorTask(ErrorTask):  # type: ignore[misc]
    """waitress's error answer, written as the API's JSON error."""

    def execute(self) -> None:
        error = self.request.error
        body = error_body(error.code, str(error.body))
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json; charset=utf-8"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class JsonErrorChannel(HTTPChannel):  # type: ignore[misc]
    """An HTTP connection whose parse errors are answered by :class:`JsonErrorTask`."""

    error_task_class = JsonErrorTask


def use_json_errors(server: Any) -> None:
    """Serve every new connection of the waitress ``server`` with :class:`JsonErrorChannel`."""
    server.channel_class = JsonErrorChannel
