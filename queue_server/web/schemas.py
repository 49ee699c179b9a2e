"""Request and response bodies of API v1 (pydantic; unknown fields are refused)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from queue_server.domain.ids import Role, StationType


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginBody(Body):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class IssueBody(Body):
    service: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$")
    priority_category: str | None = Field(default=None, max_length=40)
    language: Literal["id", "en"] = "id"
    booking_ref: str | None = Field(default=None, max_length=64)
    appointment_at: AwareDatetime | None = None
    nik: str | None = Field(default=None, pattern=r"^\d{16}$")
    phone: str | None = Field(default=None, pattern=r"^\+?\d{8,15}$")
    by_proxy: bool = False


class FinishBody(Body):
    end_visit: bool = False


class ParkBody(Body):
    note: str | None = Field(default=None, max_length=200)


class TransferBody(Body):
    service: str | None = Field(default=None, max_length=40, pattern=r"^[a-z0-9-]+$")
    step: int | None = Field(default=None, ge=0, le=50)
    station: StationType | None = None


class CallSpecificBody(Body):
    ticket_id: int = Field(ge=1)


class UserBody(Body):
    username: str
    display_name: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=1, max_length=200)
    role: Literal[Role.ADMIN, Role.PETUGAS, Role.LAPORAN]


class TokenBody(Body):
    name: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9._-]+$")
    role: Role = Role.KIOSK


class IssuedTicketOut(BaseModel):
    ticket_id: int
    visit_id: int
    label: str
    token: str
    office: str
    service: str
    station: StationType
    office_day: date
    issued_at: datetime
    session_code: str
    people_ahead: int
    estimated_wait_minutes: float | None
    priority: bool
    status_url: str


class TicketOut(BaseModel):
    id: int
    label: str
    service: str
    station: str
    status: str
    priority: bool
    counter: str | None
    recall_count: int


class MovedOut(BaseModel):
    ticket: TicketOut
    next: TicketOut | None


class Listing(BaseModel):
    items: list[dict[str, Any]]


class Document(BaseModel):
    model_config = ConfigDict(extra="allow")


class TokenOut(BaseModel):
    token: str
    name: str
    role: Role
