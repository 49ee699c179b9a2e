"""Configuring an office from the API: sections, the whole file, content versions.

Every change is the office file's content with a section replaced (or a merge patch
applied), validated by the same schema and rules as ``antre office load``, stored by
:func:`~queue_server.services.offices.store_office` (a new ``config_version``) and
announced with ``OfficeReloaded`` through the outbox, so every process reloads it and
the retained ``config/*`` topics are published again. A change names the version it was
made on; if the stored version moved meanwhile, nothing is written (two admins editing
at once never silently overwrite each other). Each change is one audit row naming the
changed paths (configuration only, never personal data).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import select

from queue_server.domain.errors import CounterNotFound, DomainError, NotFound, OfficeNotFound
from queue_server.i18n.notes import Note, note
from queue_server.office_config import (
    OfficeConfigError,
    dump_office_yaml,
    parse_office_config,
    read_office_yaml,
)
from queue_server.persistence.models import AuditLogRow, DeviceRow, OfficeRow
from queue_server.services.offices import store_office
from queue_server.services.unit import Actor, UseCases

#: The sections an admin may replace one by one (``office.id`` never changes).
SECTIONS = (
    "office",
    "priority",
    "booking",
    "calendar",
    "services",
    "counters",
    "branding",
    "drive_thru",
)
CONTENT = "content"
COUNTER_DISPLAY = "counter-display"
#: Sections that are lists of items with an ``id``, editable one item at a time.
ITEM_SECTIONS = ("services", "counters")
#: Changed paths named in one audit row at most.
MAX_AUDITED_PATHS = 40
#: Earlier content versions returned at most.
MAX_CONTENT_HISTORY = 50
ACTION_CONFIG = "office_config"
ACTION_CONTENT = "office_content"
NOT_A_MAPPING = note("(file)", "must be a mapping with office, calendar, services, counters")


class ConfigRefused(DomainError):
    code = "office_config_invalid"
    template = "The office configuration was not changed: {problems}"
    http_status = 422


class StaleConfig(DomainError):
    code = "config_version_stale"
    template = (
        "Someone else changed the office configuration meanwhile (it is now version "
        "{current}, you edited version {given}); nothing was changed. Reload it and apply "
        "your change again."
    )
    http_status = 409


class VersionRequired(DomainError):
    code = "config_version_required"
    template = (
        "Say which configuration version you edited (the If-Match header or the version "
        "field); nothing was changed."
    )
    http_status = 428


class CounterDisplayNotFound(NotFound):
    template = "There is no counter display {device} at this office."


class ItemNotFound(NotFound):
    template = "There is no {item} in {section}."


#: The years ``closed_days`` answers for.
MIN_YEAR, MAX_YEAR = 2000, 2100


class BadYear(DomainError):
    code = "bad_year"
    template = "The year must be from {first} to {last}, got {year}."
    http_status = 422


class OtherOfficeFile(DomainError):
    code = "office_file_other_office"
    template = "The file is for office {given}, not for {office}; nothing was changed."
    http_status = 422


#: Indonesian for the phrases of the schema's and pydantic's English messages; the field
#: path (``services[1].prefix``) stays as it is in both languages.
_INDONESIAN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"Field required", "wajib diisi"),
        (r"Extra inputs are not permitted", "kolom tidak dikenal, tidak boleh ada"),
        (r"is used twice", "dipakai dua kali"),
        (r"unknown service", "layanan tidak dikenal"),
        (r"no counter serves (\S+) for (\S+)", r"tidak ada loket yang melayani \1 untuk \2"),
        (
            r"opens \(([^)]*)\) must be before closes \(([^)]*)\)",
            r"buka (\1) harus sebelum tutup (\2)",
        ),
        (r"must be lower-case letters, digits and '-'", "harus huruf kecil, angka dan '-'"),
        (r"must be 1-2 capital letters", "harus 1-2 huruf kapital"),
        (r"is not a time HH:MM", "bukan jam HH:MM"),
        (r"is not an ISO date YYYY-MM-DD", "bukan tanggal YYYY-MM-DD"),
        (r"must be an ISO date YYYY-MM-DD", "harus tanggal YYYY-MM-DD"),
        (r"Input should be a valid integer", "harus bilangan bulat"),
        (r"Input should be a valid number", "harus angka"),
        (r"Input should be a valid string", "harus teks"),
        (r"Input should be a valid list", "harus daftar"),
        (r"Input should be a valid dictionary", "harus objek (pemetaan)"),
        (r"Input should be a valid boolean", "harus true atau false"),
        (r"Input should be greater than or equal to", "harus lebih besar atau sama dengan"),
        (r"Input should be less than or equal to", "harus lebih kecil atau sama dengan"),
        (r"Input should be", "harus"),
        (r"String should have at least (\d+) characters?", r"minimal \1 karakter"),
        (r"String should have at most (\d+) characters?", r"maksimal \1 karakter"),
        (r"List should have at least (\d+) items?", r"minimal \1 butir"),
        (r"List should have at most (\d+) items?", r"maksimal \1 butir"),
        (r"the first step must be on the day of issue", "langkah pertama harus di hari terbit"),
        (r"give weekdays or dates, or the session never runs", "isi weekdays atau dates"),
        (r"is also in calendar.cuti_bersama", "juga ada di calendar.cuti_bersama"),
        (r"not valid YAML", "bukan YAML yang sah"),
        (r"not UTF-8 text", "bukan teks UTF-8"),
        (r"larger than (\d+) bytes", r"lebih besar dari \1 byte"),
        (r"must be a mapping with", "harus pemetaan berisi"),
        (r", got ", ", diberikan "),
    )
)


def indonesian(problem: str) -> str:
    """``problem`` (``path: English message``) in Indonesian: through the catalogs for a
    :class:`~queue_server.i18n.notes.Note`, else its known phrases replaced."""
    if isinstance(problem, Note) and problem.translated:
        return problem.text("id")
    path, separator, message = problem.partition(": ")
    if not separator:
        path, message = "", problem
    for pattern, replacement in _INDONESIAN:
        message = pattern.sub(replacement, message)
    return f"{path}{separator}{message}"


def messages(problems: Iterable[str]) -> list[dict[str, str]]:
    """Each problem or warning in Indonesian (id) and English (en)."""
    return [{"id": indonesian(problem), "en": str(problem)} for problem in problems]


def refused(problems: list[str]) -> ConfigRefused:
    error = ConfigRefused(
        problems={
            "id": "; ".join(indonesian(problem) for problem in problems),
            "en": "; ".join(problems),
        }
    )
    error.problems = problems  # type: ignore[attr-defined]
    return error


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: objects merge, ``null`` deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def changed_paths(old: Any, new: Any, path: str = "") -> list[str]:
    """Where ``new`` differs from ``old``: ``services[walkin].journey``, ``calendar.hours.sat``."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        return [
            found
            for key in [*old, *(key for key in new if key not in old)]
            for found in changed_paths(old.get(key), new.get(key), f"{path}.{key}" if path else key)
        ]
    old_items, new_items = _keyed(old), _keyed(new)
    if old_items is not None and new_items is not None:
        return [
            found
            for key in [*old_items, *(key for key in new_items if key not in old_items)]
            for found in changed_paths(old_items.get(key), new_items.get(key), f"{path}[{key}]")
        ]
    return [path or "(file)"]


def _keyed(value: Any) -> dict[str, Any] | None:
    """A list of sections by their ``id`` or ``code`` (None: not such a list)."""
    if not isinstance(value, list) or not value:
        return None
    keyed: dict[str, Any] = {}
    for item in value:
        key = item.get("id", item.get("code")) if isinstance(item, dict) else None
        if not isinstance(key, str) or key in keyed:
            return None
        keyed[key] = item
    return keyed


class OfficeAdminService(UseCases):
    """The office definition as the API reads and changes it."""

    def definition(self, office: str) -> dict[str, Any]:
        """The stored office file's content, its version and the current warnings."""
        with self.read() as session:
            row = session.get(OfficeRow, office)
            if row is None:
                raise OfficeNotFound(office=office)
            settings, version = copy.deepcopy(row.settings), row.config_version
        warnings = list(parse_office_config(settings).warnings)
        return {
            "office": office,
            "version": version,
            "settings": settings,
            "warnings": warnings,
            "warning_messages": messages(warnings),
        }

    def closed_days(self, office: str, year: int | None) -> dict[str, Any]:
        """The office's holidays in ``year`` (default: this year at the office), named."""
        if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
            raise BadYear(year=year, first=MIN_YEAR, last=MAX_YEAR)
        with self.read() as session:
            snapshot = self.catalog.get(session, office)
        chosen = year or snapshot.office.office_day(self.clock()).year
        days = [
            {"date": day.isoformat(), "name": name, "source": source}
            for day, name, source in snapshot.calendar.closed_days(chosen)
        ]
        return {"office": office, "year": chosen, "days": days}

    def export_yaml(self, office: str) -> tuple[str, int]:
        """The office file as ``antre office load`` reads it, and its version."""
        current = self.definition(office)
        return dump_office_yaml(current["settings"]), int(current["version"])

    def replace_section(
        self, office: str, section: str, value: Any, *, version: int | None, actor: Actor
    ) -> dict[str, Any]:
        """Replace one section (``None`` removes an optional one)."""

        def change(settings: dict[str, Any]) -> dict[str, Any]:
            changed = dict(settings)
            if value is None:
                changed.pop(section, None)
            else:
                changed[section] = copy.deepcopy(value)
            return changed

        return self._change(office, change, version=version, actor=actor, how=f"put:{section}")

    def put_item(
        self,
        office: str,
        section: str,
        item: str,
        value: Any,
        *,
        version: int | None,
        actor: Actor,
    ) -> dict[str, Any]:
        """Add or replace one service or counter (by id; ``None`` removes it)."""
        if value is not None and (not isinstance(value, dict) or value.get("id", item) != item):
            raise refused([f"{section}[{item}].id: must be {item!r}, the id in the address"])

        def change(settings: dict[str, Any]) -> dict[str, Any]:
            items = settings.get(section)
            items = list(items) if isinstance(items, list) else []
            where = [
                i for i, old in enumerate(items) if isinstance(old, dict) and old.get("id") == item
            ]
            if value is None:
                if not where:
                    raise ItemNotFound(section=section, item=item)
                del items[where[0]]
            elif where:
                items[where[0]] = {"id": item, **value}
            else:
                items.append({"id": item, **value})
            return {**settings, section: items}

        return self._change(
            office,
            change,
            version=version,
            actor=actor,
            how=f"{'delete' if value is None else 'put'}:{section}/{item}",
        )

    def patch(
        self, office: str, patch: Mapping[str, Any], *, version: int | None, actor: Actor
    ) -> dict[str, Any]:
        """Apply a JSON merge patch to the office file's content."""
        return self._change(
            office,
            lambda settings: merge_patch(settings, dict(patch)),
            version=version,
            actor=actor,
            how="patch",
        )

    def import_yaml(
        self, office: str, raw: bytes, *, version: int | None, actor: Actor
    ) -> dict[str, Any]:
        """Make an uploaded office file the office's definition (as ``antre office load``)."""
        try:
            data = read_office_yaml(raw)
        except OfficeConfigError as error:
            raise refused(error.problems) from error
        if isinstance(data, dict) and isinstance(data.get("office"), dict):
            given = data["office"].get("id")
            if given != office:
                raise OtherOfficeFile(given=str(given)[:60], office=office)
        return self._change(
            office, lambda _settings: data, version=version, actor=actor, how="import"
        )

    def content_history(self, office: str) -> dict[str, Any]:
        """The current content section and the earlier versions (newest first)."""
        current = self.definition(office)
        query = (
            select(AuditLogRow)
            .where(AuditLogRow.office_id == office, AuditLogRow.action == ACTION_CONTENT)
            .order_by(AuditLogRow.id.desc())
            .limit(MAX_CONTENT_HISTORY + 1)
        )
        with self.read() as session:
            rows = list(session.scalars(query))
        versions = [
            {
                "version": row.details.get("version"),
                "at": row.at.isoformat(),
                "actor": row.actor,
                "content": row.details.get("content"),
            }
            for row in rows
        ]
        content = current["settings"].get(CONTENT)
        return {
            "office": office,
            "config_version": current["version"],
            "version": content.get("version", 1) if isinstance(content, dict) else 0,
            "content": content,
            # the newest audit row is the current content; earlier ones are the history
            "previous": [item for item in versions if item["content"] != content][
                :MAX_CONTENT_HISTORY
            ],
        }

    def counter_displays(self, office: str) -> list[dict[str, Any]]:
        """The office's counter displays and the counter each is attached to."""
        query = (
            select(DeviceRow)
            .where(DeviceRow.office_id == office, DeviceRow.kind == COUNTER_DISPLAY)
            .order_by(DeviceRow.id)
        )
        with self.read() as session:
            return [
                {"device": row.id, "counter": row.counter, "active": row.active}
                for row in session.scalars(query)
            ]

    def attach_display(
        self, office: str, device: str, counter: str | None, *, actor: Actor
    ) -> dict[str, Any]:
        """Attach a counter display to ``counter`` (None: to no counter)."""
        with self.unit() as work:
            snapshot = self.catalog.get(work.session, office)
            if counter is not None and counter not in snapshot.counters:
                raise CounterNotFound(counter=counter)
            row = work.session.get(DeviceRow, device)
            if row is None or row.office_id != office or row.kind != COUNTER_DISPLAY:
                raise CounterDisplayNotFound(device=device)
            if row.counter != counter:
                work.audit(
                    actor,
                    "device.counter",
                    office_id=office,
                    target=device,
                    before=row.counter,
                    after=counter,
                )
                row.counter = counter
            return {"device": row.id, "counter": row.counter, "active": row.active}

    def _change(
        self,
        office: str,
        change: Callable[[dict[str, Any]], Any],
        *,
        version: int | None,
        actor: Actor,
        how: str,
    ) -> dict[str, Any]:
        if version is None:
            raise VersionRequired()
        with self.unit() as work:
            row = work.session.get(OfficeRow, office, with_for_update=True)
            if row is None:
                raise OfficeNotFound(office=office)
            if row.config_version != version:
                raise StaleConfig(current=row.config_version, given=version)
            old: dict[str, Any] = copy.deepcopy(row.settings)
            new = change(copy.deepcopy(old))
            if not isinstance(new, dict):
                raise refused([NOT_A_MAPPING])
            if isinstance(new.get("office"), dict) and new["office"].get("id") != office:
                raise refused([note("office.id", "must stay {office}", office=repr(office))])
            new = _bump_content(old.get(CONTENT), new)
            try:
                definition = parse_office_config(new)
            except OfficeConfigError as error:
                raise refused(error.problems) from error
            paths = changed_paths(old, new)
            if not paths:
                return self._answer(office, row.config_version, new, definition.warnings, [])
            reloaded = store_office(work.session, new, now=work.now)
            work.events.append(reloaded)
            work.audit(
                actor,
                ACTION_CONFIG,
                office_id=office,
                target=how,
                from_version=version,
                to_version=reloaded.version,
                changed=paths[:MAX_AUDITED_PATHS],
                more=max(0, len(paths) - MAX_AUDITED_PATHS),
            )
            if old.get(CONTENT) != new.get(CONTENT):
                content = new.get(CONTENT)
                work.audit(
                    actor,
                    ACTION_CONTENT,
                    office_id=office,
                    target=how,
                    version=content.get("version") if isinstance(content, dict) else None,
                    content=content,
                )
            return self._answer(office, reloaded.version, new, definition.warnings, paths)

    @staticmethod
    def _answer(
        office: str, version: int, settings: dict[str, Any], warnings: Any, paths: list[str]
    ) -> dict[str, Any]:
        return {
            "office": office,
            "version": version,
            "settings": settings,
            "warnings": list(warnings),
            "warning_messages": messages(warnings),
            "changed": paths[:MAX_AUDITED_PATHS],
        }


def _bump_content(old: Any, new: dict[str, Any]) -> dict[str, Any]:
    """A changed ``content`` section gets the next version number (the server counts)."""
    content = new.get(CONTENT)
    if not isinstance(content, dict):
        return new
    old_version = old.get("version", 1) if isinstance(old, dict) else 0
    old_body = {k: v for k, v in old.items() if k != "version"} if isinstance(old, dict) else None
    body = {k: v for k, v in content.items() if k != "version"}
    if old_body == body:
        version = old_version if isinstance(old, dict) else content.get("version", 1)
    else:
        version = old_version + 1 if isinstance(old_version, int) else 1
    return {**new, CONTENT: {"version": version, **body}}
