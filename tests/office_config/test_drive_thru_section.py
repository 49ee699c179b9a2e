"""The office file's ``drive_thru`` section: lanes with ids and names, checked like the rest."""

from __future__ import annotations

from pathlib import Path

from queue_server.demo import __file__ as demo_init
from queue_server.office_config import load_office_file, parse_office_config
from queue_server.office_config.definition import DriveThruLane
from tests.office_config.test_office_config import minimal, refused


def test_lanes_are_read_and_an_office_without_the_section_has_none() -> None:
    data = minimal()
    assert parse_office_config(data).drive_thru_lanes == ()
    data["drive_thru"] = {"lanes": [{"id": "lajur-1", "name": "Drive-thru 1"}]}
    assert parse_office_config(data).drive_thru_lanes == (DriveThruLane("lajur-1", "Drive-thru 1"),)


def test_bad_lanes_are_refused_with_their_path() -> None:
    data = minimal()
    data["drive_thru"] = {"lanes": [{"id": "lajur-1", "name": "A"}, {"id": "lajur-1", "name": "B"}]}
    assert refused(data) == ["drive_thru.lanes[1].id: 'lajur-1' is used twice"]
    data["drive_thru"] = {"lanes": []}
    assert [problem.split(":")[0] for problem in refused(data)] == ["drive_thru.lanes"]
    data["drive_thru"] = {"lanes": [{"id": "Lajur 1", "name": "A", "speed": 3}]}
    assert sorted(problem.split(":")[0] for problem in refused(data)) == [
        "drive_thru.lanes[0].id",
        "drive_thru.lanes[0].speed",
    ]


def test_the_demo_office_has_a_lane() -> None:
    _content, demo = load_office_file(Path(demo_init).with_name("banjarmasin.yaml"))
    assert [lane.id for lane in demo.drive_thru_lanes] == ["lajur-1"]
