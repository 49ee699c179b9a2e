"""The office file written back: what `antre office load` reads gives the same content."""

from __future__ import annotations

from pathlib import Path

import pytest

from queue_server.office_config import (
    OfficeConfigError,
    dump_office_yaml,
    load_office_file,
    parse_office_config,
    read_office_yaml,
)
from queue_server.services.office_admin import changed_paths, indonesian, merge_patch

ROOT = Path(__file__).parents[2]
FILES = [
    ROOT / "queue_server" / "demo" / "banjarmasin.yaml",
    ROOT / "tests" / "services" / "office.yaml",
]


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_written_and_read_back_is_equal(path: Path, tmp_path: Path) -> None:
    data, definition = load_office_file(path)
    text = dump_office_yaml(data)
    assert read_office_yaml(text.encode()) == data
    copy = tmp_path / "copy.yaml"
    copy.write_text(text, encoding="utf-8")
    again, definition_again = load_office_file(copy)  # the CLI's reader
    assert again == data and definition_again == definition
    assert dump_office_yaml(again) == text
    assert '"08:00"' in text  # times quoted, as the format asks of a person


def test_named_closed_days_and_dated_sessions_round_trip(tmp_path: Path) -> None:
    data, _definition = load_office_file(FILES[1])
    data["calendar"]["cuti_bersama"] = [
        "2026-12-24",
        {"date": "2026-03-20", "name": "Cuti bersama Idul Fitri", "kind": "cuti_bersama"},
        {"date": "2026-08-18", "name": "Rapat kerja: kantor tutup", "kind": "closure"},
    ]
    data["calendar"]["sessions"] = [
        {"code": "sabtu-2026-12-12", "name_id": "Sabtu ambil paspor", "name_en": "Saturday pickup",
         "opens": "08:00", "closes": "12:00", "dates": ["2026-12-12"], "quota": 30},
    ]  # fmt: skip
    text = dump_office_yaml(data)
    assert '- date: "2026-03-20"' in text and "name: 'Rapat kerja: kantor tutup'" in text
    path = tmp_path / "office.yaml"
    path.write_text(text, encoding="utf-8")
    again, definition = load_office_file(path)
    assert again == data and dump_office_yaml(again) == text
    assert [closed.title for closed in definition.calendar.closed_days] == [
        "Cuti bersama", "Cuti bersama Idul Fitri", "Rapat kerja: kantor tutup"
    ]  # fmt: skip


def test_the_upload_reader_is_as_strict_as_the_file_loader() -> None:
    for raw, expected in [
        (b"a: 1\na: 2\n", "duplicate key"),
        (b"a: &x 1\nb: *x\n", "aliases"),
        (b"a: !!python/name:os.system\n", "not valid YAML"),
        (b"x" * 1_000_001, "larger than"),
    ]:
        with pytest.raises(OfficeConfigError) as refused:
            read_office_yaml(raw)
        assert expected in str(refused.value)


def test_content_must_name_known_services() -> None:
    data, _definition = load_office_file(FILES[1])
    data["content"] = {"services": {"walkin": {"requirements_id": ["KTP"]}, "nope": {}}}
    with pytest.raises(OfficeConfigError) as refused:
        parse_office_config(data)
    assert refused.value.problems == ["content.services.nope: unknown service 'nope'"]


def test_merge_patch_and_changed_paths() -> None:
    old = {"a": {"b": 1, "c": [1, 2]}, "services": [{"id": "x", "n": 1}, {"id": "y", "n": 2}]}
    new = merge_patch(old, {"a": {"b": None, "d": 3}, "services": [{"id": "y", "n": 3}]})
    assert new == {"a": {"c": [1, 2], "d": 3}, "services": [{"id": "y", "n": 3}]}
    assert old["a"] == {"b": 1, "c": [1, 2]}  # not changed in place
    assert changed_paths(old, new) == ["a.b", "a.d", "services[x]", "services[y].n"]
    assert changed_paths(old, old) == []


def test_problems_in_indonesian_keep_their_path() -> None:
    assert indonesian("services[1].prefix: 'A' is used twice") == (
        "services[1].prefix: 'A' dipakai dua kali"
    )
    assert indonesian("counters[0].name: Field required") == "counters[0].name: wajib diisi"
