"""Configuring an office (admins of that office): its definition, sections, file, bookings.

Every change names the ``config_version`` it was made on (the ``version`` field or an
``If-Match: "N"`` header; ``GET`` answers carry ``ETag: "N"``); a stale one is refused
with 409 and nothing changes. Changes are validated like ``antre office load`` (422 with
every problem, field path first, in both languages), audited, and reach kiosks and
displays at once (the retained ``config/*`` topics are published again).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, json, request
from pydantic import BaseModel, ConfigDict, Field
from werkzeug.exceptions import NotFound

from queue_server.domain.errors import CounterNotFound, DomainError
from queue_server.office_config.schema import MAX_FILE_BYTES
from queue_server.services import booking_csv
from queue_server.services.office_admin import (
    CONTENT,
    ITEM_SECTIONS,
    MAX_YEAR,
    MIN_YEAR,
    SECTIONS,
    BadYear,
    ConfigRefused,
    CounterDisplayNotFound,
    ItemNotFound,
    OtherOfficeFile,
    StaleConfig,
    VersionRequired,
    messages,
)
from queue_server.services.unit import Actor
from queue_server.web.auth import services
from queue_server.web.errors import error_response
from queue_server.web.roles import ADMIN_ONLY
from queue_server.web.routing import endpoint, reply

office_config = Blueprint("office_config", __name__)
YAML_TYPE = "application/yaml"
CHANGE_ERRORS: tuple[type[DomainError], ...] = (
    ConfigRefused,
    StaleConfig,
    VersionRequired,
)
EDITABLE = (*SECTIONS, CONTENT)
MAX_VERSION = 2**31 - 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SectionBody(_Model):
    version: int | None = Field(
        default=None,
        strict=True,  # a JSON integer: true, "1" or 1.0 is not a version
        ge=0,
        le=MAX_VERSION,
        description="The config_version edited (or If-Match)",
    )
    value: Any = Field(description="The section's new content, as in the office file")


class PatchBody(_Model):
    version: int | None = Field(
        default=None,
        strict=True,  # a JSON integer: true, "1" or 1.0 is not a version
        ge=0,
        le=MAX_VERSION,
        description="The config_version edited (or If-Match)",
    )
    patch: dict[str, Any] = Field(description="A JSON merge patch (RFC 7386) of the office file")


class ConfigOut(_Model):
    office: str
    version: int = Field(description="config_version")
    settings: dict[str, Any] = Field(description="The office file's content")
    warnings: list[str] = Field(description="Each warning in English: path: message")
    warning_messages: list[dict[str, str]] = Field(
        default_factory=list, description="The warnings in Indonesian (id) and English (en)"
    )
    changed: list[str] = Field(default_factory=list, description="Paths changed by this request")


class ClosedDayOut(_Model):
    date: str = Field(description="YYYY-MM-DD")
    name: str = Field(description="What applicants are told, e.g. Hari Raya Idul Fitri")
    source: str = Field(description="national (the built-in list) or office (the admin's)")


class ClosedDaysOut(_Model):
    office: str
    year: int
    days: list[ClosedDayOut]


class SectionOut(_Model):
    office: str
    version: int
    section: str
    value: Any


class ContentVersion(_Model):
    version: int | None
    at: str
    actor: str
    content: dict[str, Any] | None


class ContentHistoryOut(_Model):
    office: str
    config_version: int
    version: int = Field(description="The content's own version number")
    content: dict[str, Any] | None
    previous: list[ContentVersion]


class RowRejected(_Model):
    line: int
    reasons: dict[str, str] = Field(description="Why, in Indonesian (id) and English (en)")


class BookingImportOut(_Model):
    rows: int
    added: int
    updated: int
    unchanged: int
    rejected: list[RowRejected]


def _version(body_version: int | None) -> int | None:
    """The version the client edited: the body's field, else the ``If-Match`` header."""
    if body_version is not None:
        return body_version
    tag = (request.headers.get("If-Match") or "").strip().removeprefix("W/").strip('"')
    if tag.isascii() and tag.isdigit() and len(tag) <= 10:
        return int(tag)
    if "version" in request.args:
        given = request.args.get("version", "")
        if given.isascii() and given.isdigit() and len(given) <= 10:
            return int(given)
    return None


def _tagged(response: Any, version: int) -> Response:
    answer = reply(None, response)
    answer.headers["ETag"] = f'"{version}"'
    return answer


@office_config.errorhandler(ConfigRefused)
def _refused(error: ConfigRefused) -> Response:
    """The usual error body, plus ``problems``: one ``path: message`` per problem (English),
    and ``problem_messages``: each in Indonesian (id) and English (en)."""
    response = error_response(error.code, error.template, error.http_status, error.params)
    body = response.get_json()
    problems = list(getattr(error, "problems", []))
    body["error"]["problems"] = problems
    body["error"]["problem_messages"] = messages(problems)
    response.set_data(json.dumps(body))
    return response


@endpoint(
    office_config,
    "/offices/<office>/config",
    summary="The office definition (the office file's content), its version (ETag) and warnings",
    roles=ADMIN_ONLY,
    response=ConfigOut,
)
def get_config(office: str, actor: Actor) -> Response:
    current = services().office_admin.definition(office)
    return _tagged(ConfigOut.model_validate(current).model_dump(mode="json"), current["version"])


@endpoint(
    office_config,
    "/offices/<office>/config",
    method="PATCH",
    summary="Change the office definition with a JSON merge patch (validated, audited, live)",
    roles=ADMIN_ONLY,
    body=PatchBody,
    response=ConfigOut,
    errors=CHANGE_ERRORS,
)
def patch_config(office: str, body: PatchBody, actor: Actor) -> Response:
    changed = services().office_admin.patch(
        office, body.patch, version=_version(body.version), actor=actor
    )
    return _tagged(ConfigOut.model_validate(changed).model_dump(mode="json"), changed["version"])


@endpoint(
    office_config,
    "/offices/<office>/config/<section>",
    summary=f"One section of the office definition ({', '.join(EDITABLE)})",
    roles=ADMIN_ONLY,
    response=SectionOut,
)
def get_section(office: str, section: str, actor: Actor) -> Response:
    _known(section)
    current = services().office_admin.definition(office)
    value = current["settings"].get(section)
    answer = {"office": office, "version": current["version"], "section": section, "value": value}
    return _tagged(answer, current["version"])


@endpoint(
    office_config,
    "/offices/<office>/closed-days",
    summary="The office's holidays of a year (?year=YYYY, default this year), named: the "
    "built-in national list when the office follows it and the admin's closed days",
    roles=ADMIN_ONLY,
    response=ClosedDaysOut,
    errors=(BadYear,),
)
def closed_days(office: str, actor: Actor) -> dict[str, Any]:
    raw = request.args.get("year", "")
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        raise BadYear(year=raw[:10], first=MIN_YEAR, last=MAX_YEAR)
    return services().office_admin.closed_days(office, int(raw) if raw else None)


@endpoint(
    office_config,
    "/offices/<office>/config/<section>",
    method="PUT",
    summary="Replace one section (services, counters, calendar, content, ...); validated, "
    "audited, live",
    roles=ADMIN_ONLY,
    body=SectionBody,
    response=ConfigOut,
    errors=CHANGE_ERRORS,
)
def put_section(office: str, section: str, body: SectionBody, actor: Actor) -> Response:
    _known(section)
    changed = services().office_admin.replace_section(
        office, section, body.value, version=_version(body.version), actor=actor
    )
    return _tagged(ConfigOut.model_validate(changed).model_dump(mode="json"), changed["version"])


class ItemBody(_Model):
    version: int | None = Field(
        default=None,
        strict=True,  # a JSON integer: true, "1" or 1.0 is not a version
        ge=0,
        le=MAX_VERSION,
        description="The config_version edited (or If-Match)",
    )
    value: dict[str, Any] = Field(description="The service or counter, as in the office file")


class VersionBody(_Model):
    version: int | None = Field(
        default=None,
        strict=True,  # a JSON integer: true, "1" or 1.0 is not a version
        ge=0,
        le=MAX_VERSION,
        description="The config_version edited (or If-Match)",
    )


@endpoint(
    office_config,
    "/offices/<office>/config/<section>/<item>",
    method="PUT",
    summary="Add or replace one service or counter by its id; validated, audited, live",
    roles=ADMIN_ONLY,
    body=ItemBody,
    response=ConfigOut,
    errors=CHANGE_ERRORS,
)
def put_item(office: str, section: str, item: str, body: ItemBody, actor: Actor) -> Response:
    _item_section(section)
    changed = services().office_admin.put_item(
        office, section, item, body.value, version=_version(body.version), actor=actor
    )
    return _tagged(ConfigOut.model_validate(changed).model_dump(mode="json"), changed["version"])


@endpoint(
    office_config,
    "/offices/<office>/config/<section>/<item>",
    method="DELETE",
    summary="Remove one service or counter (refused if something still needs it)",
    roles=ADMIN_ONLY,
    body=VersionBody,
    response=ConfigOut,
    errors=(*CHANGE_ERRORS, ItemNotFound),
)
def delete_item(office: str, section: str, item: str, body: VersionBody, actor: Actor) -> Response:
    _item_section(section)
    changed = services().office_admin.put_item(
        office, section, item, None, version=_version(body.version), actor=actor
    )
    return _tagged(ConfigOut.model_validate(changed).model_dump(mode="json"), changed["version"])


@endpoint(
    office_config,
    "/offices/<office>/content/history",
    summary="The kiosk content (requirements, information pages): its version and earlier ones",
    roles=ADMIN_ONLY,
    response=ContentHistoryOut,
)
def content_history(office: str, actor: Actor) -> dict[str, Any]:
    return services().office_admin.content_history(office)


@endpoint(
    office_config,
    "/offices/<office>/office-file",
    summary="Export the office as the YAML file `antre office load` reads",
    roles=ADMIN_ONLY,
    media_type=YAML_TYPE,
)
def export_file(office: str, actor: Actor) -> Response:
    text, version = services().office_admin.export_yaml(office)
    response = Response(text, mimetype=YAML_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{office}.yaml"'
    response.headers["ETag"] = f'"{version}"'
    return response


@endpoint(
    office_config,
    "/offices/<office>/office-file",
    method="POST",
    summary="Import an office file (YAML body, at most 1 MB; If-Match or ?version=): the same "
    "result as `antre office load`",
    roles=ADMIN_ONLY,
    response=ConfigOut,
    errors=(*CHANGE_ERRORS, OtherOfficeFile),
)
def import_file(office: str, actor: Actor) -> Response:
    request.max_content_length = MAX_FILE_BYTES + 1
    raw = request.get_data(cache=False)
    changed = services().office_admin.import_yaml(office, raw, version=_version(None), actor=actor)
    return _tagged(ConfigOut.model_validate(changed).model_dump(mode="json"), changed["version"])


@endpoint(
    office_config,
    "/offices/<office>/bookings/import",
    method="POST",
    summary="Import an M-Paspor booking list (CSV code,service,date,slot; , or ;): good rows "
    "kept, refused rows reported by line; the same file twice adds nothing",
    roles=ADMIN_ONLY,
    response=BookingImportOut,
    errors=(booking_csv.BookingCsvRefused,),
)
def import_bookings(office: str, actor: Actor) -> dict[str, Any]:
    request.max_content_length = booking_csv.MAX_CSV_BYTES + 1
    raw = request.get_data(cache=False)
    return booking_csv.import_csv(services().bookings, office, raw, actor=actor)


class DisplayBody(_Model):
    counter: str | None = Field(
        max_length=40, pattern=r"^[a-z0-9-]+$", description="The counter's id; null: none"
    )


class CounterDisplay(_Model):
    device: str
    counter: str | None
    active: bool


class CounterDisplays(_Model):
    items: list[CounterDisplay]


@endpoint(
    office_config,
    "/offices/<office>/counter-displays",
    summary="The counter displays and the counter each is attached to",
    roles=ADMIN_ONLY,
    response=CounterDisplays,
)
def counter_displays(office: str, actor: Actor) -> dict[str, Any]:
    return {"items": services().office_admin.counter_displays(office)}


@endpoint(
    office_config,
    "/offices/<office>/counter-displays/<device>",
    method="PUT",
    summary="Attach a counter display to a counter (audited)",
    roles=ADMIN_ONLY,
    body=DisplayBody,
    response=CounterDisplay,
    errors=(CounterDisplayNotFound, CounterNotFound),
)
def attach_display(office: str, device: str, body: DisplayBody, actor: Actor) -> dict[str, Any]:
    return services().office_admin.attach_display(office, device, body.counter, actor=actor)


def _item_section(section: str) -> None:
    if section not in ITEM_SECTIONS:
        raise NotFound()


def _known(section: str) -> None:
    if section not in EDITABLE:
        raise NotFound()
