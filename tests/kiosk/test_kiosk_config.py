"""The kiosk configuration file: the documented example, defaults, the environment's
overrides, the first cut's device file, and each bad field refused with one bilingual line
naming it (exit code 2, nothing started)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk import cli as kiosk_cli
from kiosk.app.main import main as module_main
from kiosk.config import KioskConfigError, load
from queue_server.cli import main as antre

EXAMPLE = Path(__file__).parents[2] / "provisioning" / "kiosk.example.yaml"
GROUPS = [("kiosk", kiosk_cli.register)]
MINIMAL = """\
office: kanim-test
device: {id: kiosk-1, password_file: kiosk.password}
"""


def write(tmp_path: Path, text: str, name: str = "kiosk.yaml") -> Path:
    (tmp_path / "kiosk.password").write_text("s3cret-pass\n")
    (tmp_path / "kiosk.pin").write_text("482913\n")
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_minimal_file_gets_the_defaults(tmp_path: Path) -> None:
    config = load(write(tmp_path, MINIMAL), {})
    assert config.password == "s3cret-pass" and config.maintenance_pin is None
    settings = config.settings
    assert settings.database == tmp_path / "var" / "kiosk.db"
    assert (settings.timeouts.idle_s, settings.timeouts.ticket_shown_s) == (60.0, 20.0)
    assert settings.screen.fullscreen and config.status_url == "http://antre.local"
    assert config.devices.printer.spec == "virtual:var/printer"
    link = config.link_config()
    assert (link.office, link.device, link.password, link.host, link.port) == (
        "kanim-test",
        "kiosk-1",
        "s3cret-pass",
        "127.0.0.1",
        1883,
    )
    assert "s3cret" not in repr(config)  # the password never shows in a log line


def test_the_documented_example_is_valid(tmp_path: Path) -> None:
    text = EXAMPLE.read_text().replace("/etc/antre/", "").replace("/var/lib/antre/", "")
    config = load(write(tmp_path, text), {})
    assert config.settings.office == "kanim-denpasar"
    assert config.settings.timezone == "Asia/Makassar"
    assert config.maintenance_pin == "482913"
    assert config.devices.printer.spec == "usb:0416:5011"
    assert config.devices.card_reader.kind == "pcsc"
    assert config.status_url == "http://192.168.10.2:8080"
    assert config.settings.database == tmp_path / "kiosk.db"


def test_toml_works_too(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
office = "kanim-test"
[device]
id = "kiosk-2"
password_file = "kiosk.password"
[timeouts]
idle_s = 90
[devices.printer]
spec = "network:10.0.0.5:9100"
""",
        "kiosk.toml",
    )
    config = load(path, {})
    assert config.settings.timeouts.idle_s == 90
    assert config.devices.printer.spec == "network:10.0.0.5:9100"


def test_the_environment_overrides_the_file(tmp_path: Path) -> None:
    environ = {
        "ANTRE_KIOSK_HOST": "10.1.1.1",
        "ANTRE_KIOSK_PORT": "8883",
        "ANTRE_KIOSK_PASSWORD": "from-env",
        "ANTRE_KIOSK_DB": "/srv/kiosk.db",
        "ANTRE_KIOSK_PIN": "1234",
        "ANTRE_PRINTER": "network:10.0.0.9",
    }
    config = load(write(tmp_path, MINIMAL), environ)
    link = config.link_config()
    assert (link.host, link.port, link.password) == ("10.1.1.1", 8883, "from-env")
    assert config.settings.database == Path("/srv/kiosk.db")
    assert config.maintenance_pin == "1234"
    assert config.devices.printer.spec == "network:10.0.0.9"


def test_the_first_cut_still_runs_from_the_environment_and_its_device_file(
    tmp_path: Path,
) -> None:
    environ = {
        "ANTRE_KIOSK_OFFICE": "kanim-test",
        "ANTRE_KIOSK_DEVICE": "kiosk-1",
        "ANTRE_KIOSK_PASSWORD": "pw",
        "ANTRE_KIOSK_TIMEZONE": "Asia/Jayapura",
    }
    alone = load(None, environ)
    assert alone.link_config().timezone == "Asia/Jayapura"
    old = tmp_path / "devices.yaml"
    old.write_text("printer: {spec: 'network:10.0.0.5', profile: 58mm}\ncard_reader: none\n")
    config = load(old, environ)  # `python -m kiosk.app --config devices.yaml`, as before
    assert config.devices.printer.profile == "58mm" and config.devices.card_reader.kind == "none"
    named = write(tmp_path, MINIMAL + "devices: devices.yaml\n")
    assert load(named, {}).devices.printer.spec == "network:10.0.0.5"


def test_the_demo_needs_no_account(tmp_path: Path) -> None:
    assert load(None, {}, need_link=False).password is None
    with pytest.raises(KioskConfigError) as caught:
        load(None, {})
    assert caught.value.field == "office"


@pytest.mark.parametrize(
    ("text", "environ", "field"),
    [
        (MINIMAL + "broker: {port: 70000}\n", {}, "broker.port"),
        (MINIMAL + "timezone: Asia/Bandung\n", {}, "timezone"),
        (MINIMAL + "status_url: antre.local\n", {}, "status_url"),
        (MINIMAL + "screen: {size: big}\n", {}, "screen.size"),
        (MINIMAL + "timeouts: {idle_s: 2}\n", {}, "timeouts.idle_s"),
        (MINIMAL + "colour: blue\n", {}, "colour"),
        (MINIMAL + "devices: {printer: 'fax:1'}\n", {}, "devices.printer.spec"),
        (MINIMAL + "devices: {scanner: 'laser'}\n", {}, "devices.scanner.spec"),
        (MINIMAL + "devices: {stapler: yes}\n", {}, "devices.stapler"),
        (MINIMAL + "devices: missing.yaml\n", {}, "devices"),
        (MINIMAL + "devices: [printer]\n", {}, "devices"),
        (MINIMAL + "maintenance: {pin_file: kiosk.password}\n", {}, "maintenance.pin_file"),
        (MINIMAL + "broker: {ca_file: none.pem}\n", {}, "broker.ca_file"),
        (MINIMAL, {"ANTRE_KIOSK_PIN": "12ab"}, "maintenance.pin (ANTRE_KIOSK_PIN)"),
        (MINIMAL, {"ANTRE_KIOSK_PORT": "http"}, "broker.port (ANTRE_KIOSK_PORT)"),
        (MINIMAL, {"ANTRE_KIOSK_OFFICE": "Kanim X"}, "office (ANTRE_KIOSK_OFFICE)"),
        ("office: Kanim Test\ndevice: {id: k-1, password_file: kiosk.password}\n", {}, "office"),
        ("office: kanim-test\ndevice: {password_file: kiosk.password}\n", {}, "device.id"),
        (
            "office: kanim-test\ndevice: {id: k-1}\n",
            {},
            "device.password_file (ANTRE_KIOSK_PASSWORD)",
        ),
        (
            "office: kanim-test\ndevice: {id: k-1, password_file: nope}\n",
            {},
            "device.password_file",
        ),
    ],
)
def test_a_bad_field_is_named_in_both_languages(
    tmp_path: Path, text: str, environ: dict[str, str], field: str
) -> None:
    with pytest.raises(KioskConfigError) as caught:
        load(write(tmp_path, text), environ)
    line = str(caught.value)
    assert caught.value.field == field
    assert "\n" not in line
    assert f"Konfigurasi kios kiosk.yaml tidak valid: {field}:" in line
    assert f"The kiosk configuration kiosk.yaml is not valid: {field}:" in line


def test_the_problem_is_said_in_each_language(tmp_path: Path) -> None:
    with pytest.raises(KioskConfigError) as caught:
        load(write(tmp_path, MINIMAL + "timezone: Asia/Bandung\n"), {})
    assert str(caught.value) == (
        "Konfigurasi kios kiosk.yaml tidak valid: timezone: bukan nama zona waktu, "
        "mis. Asia/Jakarta / The kiosk configuration kiosk.yaml is not valid: timezone: "
        "not a time zone name, e.g. Asia/Jakarta"
    )
    with pytest.raises(KioskConfigError) as caught:
        load(tmp_path / "absent.yaml", {})
    assert str(caught.value) == (
        "Konfigurasi kios absent.yaml tidak dapat dibaca: berkas tidak ada / "
        "The kiosk configuration absent.yaml cannot be read: no such file"
    )


@pytest.mark.parametrize("text", ["office: [unclosed\n", "- a list\n"])
def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(KioskConfigError, match=r"tidak dapat dibaca.*cannot be read"):
        load(write(tmp_path, text), {})


def test_commands_refuse_a_bad_file_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[Any] = []
    monkeypatch.setattr(
        "kiosk.app.main.run", lambda config, window, demo=False: started.append(window) or 0
    )
    for variable in ("ANTRE_KIOSK_PORT", "ANTRE_KIOSK_PIN", "ANTRE_PRINTER"):
        monkeypatch.delenv(variable, raising=False)
    bad = write(tmp_path, MINIMAL + "timeouts: {ticket_shown_s: 9000}\n")
    for argv in (
        ["kiosk", "--config", str(bad)],
        ["kiosk", "run", "--config", str(bad)],
        ["kiosk", "check", "--config", str(bad)],
    ):
        assert antre(argv, command_groups=GROUPS) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "timeouts.ticket_shown_s" in err[0] and " / " in err[0]
    assert module_main(["--config", str(bad)]) == 2
    assert antre(["kiosk"], command_groups=GROUPS) == 2
    assert "--config" in capsys.readouterr().err
    assert started == []  # nothing started
    good = write(tmp_path, MINIMAL)
    assert antre(["kiosk", "check", "--config", str(good)], command_groups=GROUPS) == 0
    assert "valid: office kanim-test, device kiosk-1, broker 127.0.0.1:1883" in (
        capsys.readouterr().out
    )
    assert antre(["kiosk", "--config", str(good)], command_groups=GROUPS) == 0
    assert (
        antre(
            ["kiosk", "run", "--config", str(good), "--windowed", "--size", "1024x600"],
            command_groups=GROUPS,
        )
        == 0
    )
    assert [(window.fullscreen, window.size) for window in started] == [
        (True, ""),
        (False, "1024x600"),
    ]
