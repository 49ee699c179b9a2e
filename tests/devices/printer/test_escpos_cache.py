"""python-escpos keeps its parsed printer database in the kiosk user's own cache folder."""

from __future__ import annotations

from pathlib import Path

from devices.printer.escpos_output import _private_cache_folder


def test_systemd_cache_directory_is_used_as_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)

    assert _private_cache_folder({"CACHE_DIRECTORY": str(folder)}) == folder


def test_otherwise_an_antre_folder_is_made_in_the_user_cache(tmp_path: Path) -> None:
    found = _private_cache_folder({"XDG_CACHE_HOME": str(tmp_path)})

    assert found == tmp_path / "antre"
    assert found.is_dir() and found.stat().st_mode & 0o077 == 0


def test_a_folder_others_may_write_is_not_used(tmp_path: Path) -> None:
    """python-escpos loads a pickle from it: a folder others can write is refused."""
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)

    assert _private_cache_folder({"CACHE_DIRECTORY": str(folder)}) is None


def test_a_folder_that_cannot_be_made_is_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")

    assert _private_cache_folder({"XDG_CACHE_HOME": str(blocker)}) is None
