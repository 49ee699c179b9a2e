"""The display configuration file: a good one in YAML and TOML, and each bad one refused
with one bilingual line naming the field (exit code 2, nothing started)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from displays import cli as display_cli
from displays.__main__ import main as module_main
from displays.config import DisplayConfigError, load
from queue_server.cli import main as antre

EXAMPLE = Path(__file__).parents[2] / "provisioning" / "display.example.yaml"


def write(tmp_path: Path, text: str, name: str = "display.yaml") -> Path:
    (tmp_path / "display.password").write_text("s3cret-pass\n")
    path = tmp_path / name
    path.write_text(text)
    return path


MINIMAL = """\
office: kanim-test
device: {id: lobby-1, password_file: display.password}
"""


def test_a_minimal_file_gets_the_defaults(tmp_path: Path) -> None:
    settings, password = load(write(tmp_path, MINIMAL))
    assert password == "s3cret-pass"
    assert settings.mode == "board" and settings.kind == "display" and settings.announces
    assert settings.device.password_file == tmp_path / "display.password"
    assert (settings.broker.host, settings.broker.port, settings.broker.tls) == (
        "127.0.0.1", 1883, False)
    config = settings.announcer.announcer_config()
    assert config.languages == ("id", "en") and config.numbers == "words"


def test_the_documented_example_is_valid(tmp_path: Path) -> None:
    text = EXAMPLE.read_text().replace("/etc/antre/", "")
    (tmp_path / "clips").mkdir()
    settings, _ = load(write(tmp_path, text.replace("clips: /var/lib/antre/clips",
                                                    "clips: clips")))
    assert settings.ticker.lines and settings.announcer.clips == tmp_path / "clips"
    config = settings.announcer.announcer_config()
    assert config.counter_names["bio-1"].id == "biometrik satu"


def test_toml_and_a_counter_display(tmp_path: Path) -> None:
    path = write(tmp_path, """\
office = "kanim-test"
mode = "counter"
counter = "cs-2"
languages = ["en", "id"]
[device]
id = "counter-2"
password_file = "display.password"
[screen]
size = "800x480"
orientation = "portrait"
[announcer]
numbers = "digits"
""", "display.toml")
    settings, _ = load(path)
    assert settings.kind == "counter-display" and settings.counter == "cs-2"
    assert not settings.announces  # a counter display is silent unless told
    assert settings.screen.rotation == 90 and settings.languages == ["en", "id"]
    assert settings.announcer.announcer_config().numbers == "digits"


@pytest.mark.parametrize(("text", "field"), [
    (MINIMAL + "announcer: {volume: 3}\n", "announcer.volume"),
    (MINIMAL + "announcer: {numbers: roman}\n", "announcer.numbers"),
    (MINIMAL + "announcer: {languages: [id, fr]}\n", "announcer.languages.1"),
    (MINIMAL + "announcer: {voices: {id: 'id; rm -rf'}}\n", "announcer.voices"),
    (MINIMAL + "announcer: {clips: no-such-folder}\n", "announcer.clips"),
    (MINIMAL + "mode: counter\n", "counter"),
    (MINIMAL + "mode: tv\n", "mode"),
    (MINIMAL + "broker: {port: 70000}\n", "broker.port"),
    (MINIMAL + "screen: {size: big}\n", "screen.size"),
    (MINIMAL + "ticker: {lines: ['" + "x" * 200 + "']}\n", "ticker.lines"),
    (MINIMAL + "colour: blue\n", "colour"),
    ("office: Kanim Test\ndevice: {id: lobby-1, password_file: display.password}\n", "office"),
    ("office: kanim-test\n", "device"),
    ("office: kanim-test\ndevice: {id: lobby-1, password_file: missing}\n",
     "device.password_file"),
])
def test_a_bad_field_is_named_in_both_languages(tmp_path: Path, text: str, field: str) -> None:
    with pytest.raises(DisplayConfigError) as caught:
        load(write(tmp_path, text))
    line = str(caught.value)
    assert caught.value.field == field
    assert "\n" not in line
    assert f"Konfigurasi layar display.yaml tidak valid: {field}:" in line
    assert f"The display configuration display.yaml is not valid: {field}:" in line


@pytest.mark.parametrize("text", ["office: [unclosed\n", "- a list\n", ""])
def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(DisplayConfigError, match=r"tidak dapat dibaca.*cannot be read"):
        load(write(tmp_path, text))


def test_an_empty_password_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    (tmp_path / "display.password").write_text("\n")
    with pytest.raises(DisplayConfigError) as caught:
        load(path)
    assert caught.value.field == "device.password_file"


def test_commands_refuse_a_bad_file_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[object] = []
    monkeypatch.setattr("displays.run.run", lambda *args: started.append(args) or 0)
    bad = write(tmp_path, MINIMAL + "announcer: {speed: 9000}\n")
    groups = [("display", display_cli.register)]
    for argv in (["display", "--config", str(bad)], ["display", "run", "--config", str(bad)],
                 ["display", "check", "--config", str(bad)]):
        assert antre(argv, command_groups=groups) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "announcer.speed" in err[0] and " / " in err[0]
    assert module_main(["--config", str(bad)]) == 2
    assert started == []  # nothing started
    good = write(tmp_path, MINIMAL)
    assert antre(["display", "check", "--config", str(good)], command_groups=groups) == 0
    assert "valid: board, office kanim-test, device lobby-1" in capsys.readouterr().out
    assert antre(["display", "--config", str(good)], command_groups=groups) == 0
    assert len(started) == 1  # the short form runs the display


def test_the_problem_is_said_in_each_language(tmp_path: Path) -> None:
    with pytest.raises(DisplayConfigError) as caught:
        load(write(tmp_path, MINIMAL + "announcer: {volume: 3}\n"))
    assert str(caught.value) == (
        "Konfigurasi layar display.yaml tidak valid: announcer.volume: paling besar 1.0 / "
        "The display configuration display.yaml is not valid: announcer.volume: "
        "must be at most 1.0")
    with pytest.raises(DisplayConfigError) as caught:
        load(write(tmp_path, MINIMAL + "mode: counter\n"))
    assert "tidak valid: counter: mode loket memerlukan kode loket" in str(caught.value)
    with pytest.raises(DisplayConfigError) as caught:
        load(tmp_path / "absent.yaml")
    assert str(caught.value) == (
        "Konfigurasi layar absent.yaml tidak dapat dibaca: berkas tidak ada / "
        "The display configuration absent.yaml cannot be read: no such file")


def test_check_says_whether_the_display_can_speak_here(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    groups = [("display", display_cli.register)]
    good = write(tmp_path, MINIMAL)
    check = ["display", "check", "--config", str(good)]
    tools = tmp_path / "bin"  # what a display has: espeak-ng and aplay (a stand-in: no card)
    tools.mkdir()
    (tools / "espeak-ng").symlink_to(shutil.which("espeak-ng") or "/usr/bin/espeak-ng")
    (tools / "aplay").write_text("#!/bin/sh\nexit 0\n")
    (tools / "aplay").chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    assert antre(check, command_groups=groups) == 0
    assert "Sound: calls are spoken with espeak-ng and played with aplay." in (
        capsys.readouterr().out)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no player, no espeak-ng
    assert antre(check, command_groups=groups) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        "Panggilan tidak diucapkan di layar ini: tidak ada pemutar suara; pasang alsa-utils "
        "(aplay) atau pulseaudio-utils (paplay) / The calls are not spoken on this display: "
        "no audio player; install alsa-utils (aplay) or pulseaudio-utils (paplay)"
    )
    quiet = write(tmp_path, MINIMAL + "announcer: {enabled: false}\n", "quiet.yaml")
    assert antre(["display", "check", "--config", str(quiet)], command_groups=groups) == 0
    assert "does not speak the calls" in capsys.readouterr().out
