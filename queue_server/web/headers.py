"""Security headers on every answer, whatever view made it.

Each page sets :data:`~queue_server.web.ticket_page.PAGE_HEADERS` itself; this hook is the
net under them: any HTML answer that lacks one of those headers (an error page, a page
added later) gets the default, and every answer says ``X-Content-Type-Options: nosniff``
(static scripts and styles included). A header a view set is never replaced.
"""

from __future__ import annotations

from flask import Flask, Response

from queue_server.web.ticket_page import PAGE_HEADERS


def init_app(app: Flask) -> None:
    app.after_request(_defaults)


def _defaults(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        for name, value in PAGE_HEADERS.items():
            response.headers.setdefault(name, value)
    return response
