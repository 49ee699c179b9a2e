"""A day's remote registrations for the admin console (Admin and Laporan read; Admin
cancels): ``GET /offices/<office>/registrations?day=YYYY-MM-DD`` (default: today, office
time) and ``POST /offices/<office>/registrations/<id>/cancel``. No phone number is shown:
there is none, only its keyed hash, which is not shown either."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, request
from pydantic import BaseModel, ConfigDict, Field

from queue_server.services.registration_admin import (
    BadRegistrationDay,
    RegistrationAlreadyCancelled,
    RegistrationDayPast,
    RegistrationNotCancellable,
    RegistrationNotFound,
    parse_day,
)
from queue_server.services.unit import Actor
from queue_server.web.auth import services
from queue_server.web.roles import ADMIN_ONLY, SUPERVISORS
from queue_server.web.routing import ROW_ID, endpoint

registrations_api = Blueprint("registrations_api", __name__)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WindowDayOut(_Model):
    window: str
    names: dict[str, str] = Field(description="The window's name (id, en)")
    quota: int | None = Field(description="Its places that day (a session's quota), if limited")
    places_taken: int | None = Field(
        description="Places its quota counter holds (a session's counts its walk-ins too)"
    )
    checked_in: int
    not_come: int = Field(description="Confirmed, not checked in (yet)")
    cancelled: int


class RegistrationOut(_Model):
    id: int
    window: str
    window_names: dict[str, str]
    service: str
    service_names: dict[str, str]
    code: str = Field(description="The short code the applicant types at the kiosk")
    channel: str = Field(description="web or whatsapp")
    status: str = Field(description="confirmed, checked_in or cancelled")
    created_at: datetime
    checked_in_at: datetime | None


class RegistrationDayOut(_Model):
    day: date
    today: date = Field(description="The office's day now")
    windows: list[WindowDayOut]
    items: list[RegistrationOut] = Field(description="In the order they were made")


class CancelledOut(RegistrationOut):
    place_returned: bool = Field(description="Whether its quota place was given back")


@endpoint(
    registrations_api,
    "/offices/<office>/registrations",
    summary="A day's remote registrations (`day` YYYY-MM-DD, default today): per window the "
    "quota, places taken, checked in, not come and cancelled, then the list (no phone)",
    roles=SUPERVISORS,
    response=RegistrationDayOut,
    errors=(BadRegistrationDay,),
)
def registration_day(office: str, actor: Actor) -> dict[str, Any]:
    day = parse_day(request.args.get("day"))
    return services().registration_admin.day(office, day)


@endpoint(
    registrations_api,
    f"/offices/<office>/registrations/<{ROW_ID}:registration_id>/cancel",
    method="POST",
    summary="Cancel a registration not checked in yet (audited): its quota place is given "
    "back and the kiosk refuses its code",
    roles=ADMIN_ONLY,
    response=CancelledOut,
    errors=(
        RegistrationNotFound,
        RegistrationNotCancellable,
        RegistrationAlreadyCancelled,
        RegistrationDayPast,
    ),
)
def cancel_registration(office: str, registration_id: int, actor: Actor) -> dict[str, Any]:
    return services().registration_admin.cancel(office, registration_id, actor=actor)
