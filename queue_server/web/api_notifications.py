"""Notifications: what the admin sees of the queue, the opt-out list, and the officer's
"BAP approved - please come back" message.

Phone numbers go in (a retry, an opt-out, a BAP message) but never come out: lists show
them masked (``+62 812-••••-7890``); the opt-out list only ever had the masked form.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from flask import Blueprint, request
from pydantic import BaseModel, ConfigDict, Field

from queue_server.notify import queue
from queue_server.services.notifications import (
    LanguageInvalid,
    NotificationNotRetryable,
    PhoneInvalid,
    PhoneMismatch,
)
from queue_server.services.unit import Actor
from queue_server.web.auth import services
from queue_server.web.roles import ADMIN_ONLY, OFFICERS
from queue_server.web.routing import ROW_ID, endpoint

notifications_api = Blueprint("notifications_api", __name__)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PhoneBody(_Model):
    phone: str = Field(min_length=1, max_length=30, description="A mobile number, e.g. 0812...")


class BapBody(PhoneBody):
    language: Literal["id", "en"] = Field(default="id", description="The message's language")


class QueuedOut(_Model):
    id: int
    created: bool = Field(description="False: this visit's message was queued before")
    status: str = Field(description="pending, sending, sent or failed")


class NotificationItem(_Model):
    id: int
    template: str
    language: str
    recipient: str | None = Field(description="Masked; none once the message is settled")
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    settled_at: datetime | None
    opted_out: bool = Field(description="The number is on the opt-out list")


class NotificationsOut(_Model):
    counts: dict[str, int] = Field(description="Today's messages by status")
    items: list[NotificationItem]


class RetryOut(_Model):
    id: int
    status: str


class OptOutItem(_Model):
    id: str = Field(description="The number's keyed hash (to remove it)")
    recipient: str = Field(description="The number, masked")
    created_at: datetime | None = None


class OptOutsOut(_Model):
    items: list[OptOutItem]


@endpoint(
    notifications_api,
    "/offices/<office>/notifications",
    summary="The office's notifications: today's counts by status and the latest messages "
    "(`?status=pending|sending|sent|failed`); recipients masked",
    roles=ADMIN_ONLY,
    response=NotificationsOut,
)
def overview(office: str, actor: Actor) -> dict[str, Any]:
    status = request.args.get("status") or None
    if status not in (None, *queue.STATUSES):
        status = None
    return services().notifications.overview(office, status=status)


@endpoint(
    notifications_api,
    f"/offices/<office>/notifications/<{ROW_ID}:notification_id>/retry",
    method="POST",
    summary="Send a failed message again (audited); a settled message keeps no number, so "
    "the number is given again and must be the one the message was for",
    roles=ADMIN_ONLY,
    body=PhoneBody,
    response=RetryOut,
    errors=(PhoneInvalid, PhoneMismatch, NotificationNotRetryable),
)
def retry(office: str, notification_id: int, body: PhoneBody, actor: Actor) -> dict[str, Any]:
    return services().notifications.retry(office, notification_id, body.phone, actor=actor)


@endpoint(
    notifications_api,
    "/notifications/opt-outs",
    summary="The numbers that receive no messages (masked)",
    roles=ADMIN_ONLY,
    response=OptOutsOut,
)
def opt_outs(actor: Actor) -> dict[str, Any]:
    return {"items": services().notifications.opt_outs()}


@endpoint(
    notifications_api,
    "/notifications/opt-outs",
    method="POST",
    summary="Put a number on the opt-out list (audited, without the number): its queued "
    "messages fail and nothing more is sent to it",
    roles=ADMIN_ONLY,
    body=PhoneBody,
    response=OptOutItem,
    errors=(PhoneInvalid,),
)
def add_opt_out(body: PhoneBody, actor: Actor) -> dict[str, Any]:
    return services().notifications.add_opt_out(body.phone, actor=actor)


@endpoint(
    notifications_api,
    "/notifications/opt-outs/<recipient_hash>",
    method="DELETE",
    summary="Take a number off the opt-out list (audited)",
    roles=ADMIN_ONLY,
)
def remove_opt_out(recipient_hash: str, actor: Actor) -> dict[str, Any]:
    services().notifications.remove_opt_out(recipient_hash, actor=actor)
    return {"removed": True}


@endpoint(
    notifications_api,
    f"/offices/<office>/tickets/<{ROW_ID}:ticket_id>/bap-approved",
    method="POST",
    summary="Tell the applicant of this ticket's visit that the BAP is approved and to come "
    "back (WhatsApp/SMS; once per visit; audited without the number)",
    roles=OFFICERS,
    body=BapBody,
    response=QueuedOut,
    errors=(PhoneInvalid, LanguageInvalid),
)
def bap_approved(office: str, ticket_id: int, body: BapBody, actor: Actor) -> dict[str, Any]:
    return services().notifications.bap_approved(
        office, ticket_id, body.phone, body.language, actor=actor
    )
