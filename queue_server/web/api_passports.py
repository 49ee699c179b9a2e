"""Passport-ready records (admins and petugas of the office): mark ready, import, look up.

Marking is idempotent (a number already ready keeps its first record and is reported as
``already_ready``); refused entries are reported by position or CSV line with reasons in
both languages and are never echoed back. Every mark or import is audited (counts only).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, request
from pydantic import BaseModel, ConfigDict, Field

from queue_server.domain.passports import ReadySource
from queue_server.services.passports import (
    MAX_CSV_BYTES,
    MAX_LIST,
    ApplicationInvalid,
    PassportCsvRefused,
    PassportHandedOver,
    PassportNotReady,
    ReadyEntry,
)
from queue_server.services.unit import Actor
from queue_server.web.auth import BEARER, services
from queue_server.web.roles import OFFICERS
from queue_server.web.routing import endpoint

passports_api = Blueprint("passports_api", __name__)
MAX_WAITING_PAGE = 500


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReadyEntryIn(_Model):
    application: str = Field(max_length=100, description="The application number")
    phone: str | None = Field(
        default=None,
        max_length=30,
        description='The applicant\'s mobile number: a "passport ready" message is queued '
        "(once per application)",
    )
    language: str | None = Field(default=None, max_length=5, description="id (default) or en")


class ReadyBody(_Model):
    applications: list[str | ReadyEntryIn] = Field(
        min_length=1,
        max_length=MAX_LIST,
        description=f"Application numbers (10-20 digits, not 16), at most {MAX_LIST}; an "
        "entry may be an object with the applicant's phone and language",
    )


class ReadyItem(_Model):
    index: int = Field(description="The entry's position in the list, from 0")
    result: str = Field(description="marked, already_ready or refused")
    application_no: str | None = Field(default=None, description="The number (not if refused)")
    ready_at: datetime | None = Field(default=None, description="When first marked (already)")
    reasons: dict[str, str] | None = Field(
        default=None, description="Why refused, or that nothing changed (id, en)"
    )


class ReadyOut(_Model):
    marked: int
    already_ready: int
    refused: int
    messages_queued: int = Field(default=0, description='New "passport ready" messages')
    items: list[ReadyItem]


class RowRejected(_Model):
    line: int = Field(description="The CSV line (the header is line 1)")
    reasons: dict[str, str] = Field(description="Why, in Indonesian (id) and English (en)")


class ReadyImportOut(_Model):
    rows: int
    marked: int
    already_ready: int
    messages_queued: int = Field(default=0, description='New "passport ready" messages')
    rejected: list[RowRejected]


class ReadyMessage(_Model):
    status: str = Field(description="pending, sending, sent or failed")
    queued_at: datetime
    settled_at: datetime | None = Field(description="When it was sent (or failed for good)")


class PassportStatusOut(_Model):
    application_no: str
    ready: bool
    ready_at: datetime | None = Field(description="When it was marked ready")
    source: str | None = Field(description="csv, api or console")
    expected_on: date | None = Field(
        description="Not ready: the expected day (working days after biometrics), if known"
    )
    handed_over_at: datetime | None = Field(
        default=None, description="When it was handed over at the pickup counter"
    )
    message: dict[str, str] = Field(description="The answer in Indonesian (id) and English (en)")
    ready_message: ReadyMessage | None = Field(
        default=None, description='The "passport ready" message, if one was queued'
    )


class WaitingItem(_Model):
    application_no: str
    ready_at: datetime
    days_waiting: int = Field(description="Calendar days since it was marked ready")


class WaitingOut(_Model):
    total: int = Field(description="Ready passports not collected yet")
    handed_over_today: int
    items: list[WaitingItem] = Field(description="The longest waiting first")


class HandoverBody(_Model):
    proxy: bool = Field(
        default=False, description="Collected by someone else with a surat kuasa (checked)"
    )


class HandoverOut(_Model):
    application_no: str
    handed_over_at: datetime
    proxy: bool


def _source() -> ReadySource:
    """A machine token's call is the printing system's; a browser session is the console."""
    if request.headers.get("Authorization", "").startswith(BEARER):
        return ReadySource.API
    return ReadySource.CONSOLE


@endpoint(
    passports_api,
    "/offices/<office>/passports/ready",
    method="POST",
    summary="Mark passports ready for pickup (audited): each number checked, the good ones "
    "kept, refused ones reported by position; one already ready is left as it is",
    roles=OFFICERS,
    body=ReadyBody,
    response=ReadyOut,
)
def mark_ready(office: str, body: ReadyBody, actor: Actor) -> dict[str, Any]:
    entries = [
        item if isinstance(item, str) else ReadyEntry(item.application, item.phone, item.language)
        for item in body.applications
    ]
    return services().passports.mark_list(office, entries, source=_source(), actor=actor)


@endpoint(
    passports_api,
    "/offices/<office>/passports/ready/import",
    method="POST",
    summary="Import a list of ready passports (CSV with an `application` column, optional "
    "`phone` and `language` columns; , or ;): good rows kept, refused rows (also a bad phone) "
    "reported by line; the same file twice changes nothing and sends no second message",
    roles=OFFICERS,
    response=ReadyImportOut,
    errors=(PassportCsvRefused,),
)
def import_ready(office: str, actor: Actor) -> dict[str, Any]:
    request.max_content_length = MAX_CSV_BYTES + 1
    raw = request.get_data(cache=False)
    return services().passports.import_csv(office, raw, actor=actor)


@endpoint(
    passports_api,
    "/offices/<office>/passports/<application_no>",
    summary="Whether an application's passport is ready: since when, or the expected day "
    "(working days after biometrics, holidays and cuti bersama skipped)",
    roles=OFFICERS,
    response=PassportStatusOut,
    errors=(ApplicationInvalid,),
)
def passport_status(office: str, application_no: str, actor: Actor) -> dict[str, Any]:
    return services().passports.status(office, application_no)


@endpoint(
    passports_api,
    "/offices/<office>/passports/<application_no>/handover",
    method="POST",
    summary="Record that a ready passport was handed over at the pickup counter (audited; "
    "to a proxy with a surat kuasa if `proxy`): once only, and only when marked ready",
    roles=OFFICERS,
    body=HandoverBody,
    response=HandoverOut,
    errors=(ApplicationInvalid, PassportNotReady, PassportHandedOver),
)
def hand_over(office: str, application_no: str, body: HandoverBody, actor: Actor) -> dict[str, Any]:
    return services().passports.hand_over(office, application_no, proxy=body.proxy, actor=actor)


@endpoint(
    passports_api,
    "/offices/<office>/passports",
    summary="Ready passports not collected yet, the longest waiting first "
    f"(`limit` 1-{MAX_WAITING_PAGE}, default 100; `offset`), with counts",
    roles=OFFICERS,
    response=WaitingOut,
)
def waiting_passports(office: str, actor: Actor) -> dict[str, Any]:
    limit = min(max(request.args.get("limit", 100, type=int) or 100, 1), MAX_WAITING_PAGE)
    offset = min(max(request.args.get("offset", 0, type=int) or 0, 0), 10**9)
    return services().passports.waiting(office, limit=limit, offset=offset)
