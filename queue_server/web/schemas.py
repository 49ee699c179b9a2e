"""Request bodies of API v1 (pydantic). Unknown fields are refused; text must be clean."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from queue_server.domain.ids import Role, StationType
from queue_server.i18n.notes import NoteError


def _clean_text(value: str) -> str:
    """Refuse lone surrogates and control characters (they break storage and displays)."""
    if any(0xD800 <= ord(char) <= 0xDFFF or (ord(char) < 32 and char != "\t") for char in value):
        raise NoteError("text contains characters that are not allowed")
    return value


#: What ``_clean_text`` lets through, said in the OpenAPI document too (a client generating
#: bodies from it would otherwise send control characters the server refuses).
CLEAN_TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000a-\\u001f]*$"
Text = Annotated[
    str,
    AfterValidator(_clean_text),
    Field(json_schema_extra={"pattern": CLEAN_TEXT_PATTERN}),
]
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$")]
OFFICES = (
    "offices the account may act in; omitted: every office for an administrator, "
    "the only office for others when the server has just one"
)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginBody(Body):
    username: Text = Field(min_length=1, max_length=80)
    password: Text = Field(min_length=1, max_length=200)


class PairBody(Body):
    """Pair a browser as a display device: its id and the password printed when it was added."""

    device: Code
    password: Text = Field(min_length=1, max_length=200)


class PasswordBody(Body):
    current_password: Text = Field(min_length=1, max_length=200)
    new_password: Text = Field(min_length=1, max_length=200)


class IssueBody(Body):
    service: Code
    priority_category: str | None = Field(
        default=None, max_length=40, pattern=r"^[a-z0-9_-]+$", examples=["elderly"]
    )
    language: Literal["id", "en"] = "id"
    booking_ref: str | None = Field(
        default=None,
        max_length=64,
        pattern=r"^[A-Za-z0-9/_-]+$",
        description="an imported M-Paspor booking of today for this service; the ticket is "
        "queued by its slot, and the booking cannot be used again",
    )
    documents_ready: bool = Field(
        default=False, description="with booking_ref: the applicant's documents are complete"
    )
    nik: str | None = Field(
        default=None, pattern=r"^\d{16}$", description="16 digits; stored as a keyed hash"
    )
    phone: str | None = Field(default=None, pattern=r"^\+?\d{8,15}$")
    by_proxy: bool = False


class FinishBody(Body):
    end_visit: bool = False
    #: Call the next ticket at this counter in the same transaction ("Finish & call next").
    call_next: bool = False


class ParkBody(Body):
    note: Text | None = Field(default=None, max_length=200)


class TransferBody(Body):
    service: Code | None = None
    step: int | None = Field(default=None, ge=0, le=50)
    station: StationType | None = None


class CallSpecificBody(Body):
    ticket_id: int = Field(ge=1, le=2**31 - 1)


class UserBody(Body):
    username: str = Field(max_length=40, description="3-40 of a-z 0-9 . _ -")
    display_name: Text = Field(min_length=1, max_length=120)
    password: Text = Field(min_length=1, max_length=200)
    role: Literal["admin", "petugas", "laporan"]  # strings: a refusal names them plainly
    offices: list[Code] | None = Field(
        default=None, min_length=1, max_length=50, description=OFFICES
    )


class TokenBody(Body):
    name: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9._-]+$")
    role: Role = Role.KIOSK
    offices: list[Code] | None = Field(
        default=None, min_length=1, max_length=50, description=OFFICES
    )
