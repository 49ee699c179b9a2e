"""The Kivy window settings the kiosk and the lobby board share."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from devices.screen import window_size

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize("value", ["abc", "1920", "1920x", "x1080", "0x0", "1920x1080x2"])
def test_a_bad_window_size_is_refused_in_both_languages(value: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as refused:
        window_size(value)
    assert "bukan ukuran layar" in str(refused.value) and "is not a window size" in str(
        refused.value
    )


def test_good_window_sizes_pass() -> None:
    assert window_size("1920x1080") == "1920x1080"
    assert window_size("") == ""


def test_kivy_leaves_the_programs_own_options_alone(tmp_path: Path) -> None:
    """Kivy parses sys.argv when first imported unless told not to: ``--demo`` was refused."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KIVY")}
    env |= {"KIVY_HOME": str(tmp_path / "kivy")}  # a fresh Kivy home, as on a new machine
    code = (
        "import sys; sys.argv = ['board', '--demo', '--size', '800x600']\n"
        "from devices.screen import prepare_window\n"
        "prepare_window('800x600', fullscreen=False)\n"
        "from kivy.config import Config\n"
        "print(Config.get('graphics', 'width'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-800:]
    assert done.stdout.strip().endswith("800")


def test_kivy_logs_each_line_once_when_the_program_logs(tmp_path: Path) -> None:
    """Regression: ``antre display`` printed every Kivy line twice (Kivy's own console log
    and the program's logging)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KIVY")}
    env |= {"KIVY_HOME": str(tmp_path / "kivy")}
    code = (
        "import logging\n"
        "logging.basicConfig(level=logging.INFO)\n"
        "from devices.screen import prepare_window\n"
        "prepare_window('800x600', fullscreen=False)\n"
        "from kivy.logger import Logger\n"
        "Logger.info('Walk: marker-line')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-800:]
    assert done.stderr.count("marker-line") == 1, done.stderr[-800:]


def test_the_board_refuses_a_bad_size_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "displays.board", "--demo", "--size", "abc"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert "bukan ukuran layar" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(("setting", "samples"), [("", "0"), ("2", "2"), ("many", "0")])
def test_no_antialiasing_samples_unless_asked(tmp_path: Path, setting: str, samples: str) -> None:
    """2 samples per pixel (Kivy's default) cost 20 MB with Mesa's software renderer (P6);
    ANTRE_MULTISAMPLES brings them back, an unreadable value is ignored."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KIVY")}
    env |= {"KIVY_HOME": str(tmp_path / "kivy"), "ANTRE_MULTISAMPLES": setting}
    code = (
        "import os\n"
        "from devices.screen import prepare_window\n"
        "prepare_window('800x600', fullscreen=False)\n"
        "from kivy.config import Config\n"
        "print(Config.get('graphics', 'multisamples'), os.environ['KIVY_IMAGE'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-800:]
    assert done.stdout.split()[-2:] == [samples, "tex,dds,sdl2"]
