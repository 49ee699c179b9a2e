"""provisioning/provision.sh, as far as it can run here: its syntax, its dry run, two runs
into a fake root that must leave the same tree, the files it writes read back by the
kiosk's and the display's own configuration loaders, its units checked by
``systemd-analyze verify``, and bad arguments refused before anything is written.

The apt, useradd, pip and systemctl steps are recorded under ``--root``, not run: they
are tried on a Pi only (provisioning/README.md)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from displays.config import load as load_display
from kiosk.config import load as load_kiosk

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "provisioning" / "provision.sh"
RECORD = "var/lib/antre-provision/commands.log"
#: What the apt step installs on the Pi but this machine lacks (systemd-analyze checks
#: that every command a unit starts exists).
INSTALLED_ON_THE_PI = {"/usr/bin/xinit"}

pytestmark = pytest.mark.timeout(120)


def fake_pi(folder: Path) -> Path:
    """A fresh Bookworm's few files the script reads or edits."""
    root = folder / "pi"
    (root / "etc").mkdir(parents=True)
    (root / "boot" / "firmware").mkdir(parents=True)
    (root / "etc" / "os-release").write_text('VERSION_CODENAME=bookworm\nID="debian"\n')
    (root / "boot" / "firmware" / "cmdline.txt").write_text(
        "console=tty1 root=PARTUUID=1-02 rootwait\n"
    )
    return root


def secrets(folder: Path) -> tuple[Path, Path]:
    password, pin = folder / "printed-password", folder / "pin"
    password.write_text("Zx9-printed_pw\n")
    pin.write_text("482913\n")
    return password, pin


def provision(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def kiosk_arguments(root: Path, password: Path, pin: Path, *extra: str) -> list[str | Path]:
    return [
        "kiosk", "--server", "192.168.10.2", "--office", "kanim-denpasar",
        "--device", "kiosk-lobby-1", "--password-file", password, "--pin-file", pin,
        "--timezone", "Asia/Makassar", "--printer", "usb:0416:5011", "--root", root, *extra,
    ]  # fmt: skip


def tree(root: Path) -> dict[str, tuple[str, str]]:
    """Every path under ``root``: its mode and (files) the digest of its content."""
    return {
        str(path.relative_to(root)): (
            oct(path.stat().st_mode & 0o7777),
            hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder",
        )
        for path in sorted(root.rglob("*"))
    }


def test_the_script_parses() -> None:
    assert subprocess.run(["bash", "-n", str(SCRIPT)], check=False).returncode == 0


def test_shellcheck_finds_nothing() -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed here")
    done = subprocess.run(["shellcheck", str(SCRIPT)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout


def test_a_dry_run_says_everything_and_changes_nothing(tmp_path: Path) -> None:
    root = fake_pi(tmp_path)
    before = tree(root)
    password, pin = secrets(tmp_path)
    done = provision(*kiosk_arguments(root, password, pin, "--dry-run"))
    assert done.returncode == 0, done.stderr
    assert tree(root) == before
    lines = done.stdout.splitlines()
    assert any(line.startswith("would run: env DEBIAN_FRONTEND=noninteractive apt-get install")
               and " pcscd " in line for line in lines)  # fmt: skip
    for expected in (
        "would write: /etc/antre/kiosk.yaml (0640 root:antre)",
        "would write: /etc/antre/kiosk.password (0600 antre:antre)",
        "would write: /etc/systemd/system/antre-kiosk.service (0644 root:root)",
        "would add consoleblank=0 to /boot/firmware/cmdline.txt",
        "would run: systemctl enable antre-kiosk.service",
    ):
        assert expected in lines
    assert "Zx9-printed_pw" not in done.stdout + done.stderr  # the password is never shown


def test_two_runs_leave_the_same_tree(tmp_path: Path) -> None:
    root = fake_pi(tmp_path)
    password, pin = secrets(tmp_path)
    first = provision(*kiosk_arguments(root, password, pin))
    assert first.returncode == 0, first.stderr
    after_first = tree(root)
    second = provision(*kiosk_arguments(root, password, pin))
    assert second.returncode == 0, second.stderr
    assert tree(root) == after_first
    assert "wrote:" in first.stdout and "wrote:" not in second.stdout
    assert "unchanged: /etc/antre/kiosk.yaml" in second.stdout
    modes = {path: mode for path, (mode, _) in after_first.items()}
    assert modes["etc/antre/kiosk.yaml"] == "0o640"
    assert modes["etc/antre/kiosk.password"] == modes["etc/antre/kiosk.pin"] == "0o600"
    assert modes["opt/antre/bin/antre-session"] == "0o755"
    assert (root / "boot/firmware/cmdline.txt").read_text().split().count("consoleblank=0") == 1
    session = root / "opt/antre/bin/antre-session"
    assert subprocess.run(["sh", "-n", str(session)], check=False).returncode == 0
    assert session.read_text().rstrip().endswith(
        "exec /opt/antre/venv/bin/antre kiosk --config /etc/antre/kiosk.yaml --fullscreen"
    )
    record = (root / RECORD).read_text().splitlines()
    assert "chown antre:antre /etc/antre/kiosk.password" in record
    assert "systemctl enable antre-kiosk.service" in record
    assert record.index("systemctl daemon-reload") < record.index(
        "systemctl restart antre-kiosk.service"
    )


def test_the_written_configurations_are_valid_for_the_apps(tmp_path: Path) -> None:
    root = fake_pi(tmp_path)
    password, pin = secrets(tmp_path)
    assert provision(*kiosk_arguments(root, password, pin)).returncode == 0
    kiosk_file = root / "etc/antre/kiosk.yaml"
    kiosk_file.write_text(kiosk_file.read_text().replace("/etc/antre/", f"{root}/etc/antre/"))
    kiosk = load_kiosk(kiosk_file, {})
    assert (kiosk.password, kiosk.maintenance_pin) == ("Zx9-printed_pw", "482913")
    assert kiosk.link_config().host == "192.168.10.2" and kiosk.settings.timezone == "Asia/Makassar"
    assert kiosk.devices.printer.spec == "usb:0416:5011"
    done = provision(
        "display", "--server", "192.168.10.2", "--office", "kanim-denpasar", "--device",
        "screen-cs-1", "--counter", "cs-1", "--password-file", password, "--root", root,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    display_file = root / "etc/antre/display.yaml"
    display_file.write_text(display_file.read_text().replace("/etc/antre/", f"{root}/etc/antre/"))
    settings, display_password = load_display(display_file)
    assert settings.kind == "counter-display" and settings.counter == "cs-1"
    assert display_password == "Zx9-printed_pw"
    record = (root / RECORD).read_text()
    assert "espeak-ng" in record and "pcscd" not in record


def test_a_changed_option_rewrites_the_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    root = fake_pi(tmp_path)
    password, pin = secrets(tmp_path)
    assert provision(*kiosk_arguments(root, password, pin)).returncode == 0
    kept = provision(*kiosk_arguments(root, password, pin, "--port", "8883", "--keep-config"))
    assert "kept: /etc/antre/kiosk.yaml (--keep-config)" in kept.stdout
    assert "port: 1883" in (root / "etc/antre/kiosk.yaml").read_text()
    changed = provision(*kiosk_arguments(root, password, pin, "--port", "8883"))
    assert changed.returncode == 0, changed.stderr
    assert "port: 8883" in (root / "etc/antre/kiosk.yaml").read_text()
    assert "port: 1883" in (root / "etc/antre/kiosk.yaml.bak").read_text()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    root = fake_pi(tmp_path)
    password, pin = secrets(tmp_path)
    assert provision(*kiosk_arguments(root, password, pin)).returncode == 0
    units = [
        root / "etc/systemd/system/antre-kiosk.service",
        root / "etc/systemd/system/systemd-time-wait-sync.service.d/antre.conf",
    ]
    text = units[0].read_text()
    for directive in ("Type=notify", "NotifyAccess=all", "WatchdogSec=30", "Restart=always",
                      "After=network-online.target time-sync.target", "User=antre"):  # fmt: skip
        assert directive in text
    done = subprocess.run(
        ["systemd-analyze", "verify", str(units[0])],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    complaints = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    missing = {
        line.split("Command ")[1].split(" is not executable")[0]
        for line in complaints
        if " is not executable" in line
    }
    assert missing <= INSTALLED_ON_THE_PI
    assert [line for line in complaints if " is not executable" not in line] == []
    assert "[Service]\nTimeoutStartSec=90" in units[1].read_text()


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (["--device", "Kiosk 1"], "--device: use a-z, 0-9 and '-'"),
        (["--port", "99999"], "--port must be 1..65535"),
        (["--timezone", "Asia/Bandung"], "--timezone is not a time zone name"),
        (["--status-url", "antre.local"], "--status-url is not an http(s) web address"),
        (["--bogus", "1"], "unknown option '--bogus'"),
        (["--server", ""], "option --server needs a value"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_written(
    tmp_path: Path, change: list[str], said: str
) -> None:
    root = fake_pi(tmp_path)
    before = tree(root)
    password, pin = secrets(tmp_path)
    done = provision(*kiosk_arguments(root, password, pin, *change))
    assert done.returncode == 2
    assert said in done.stderr and " / " in done.stderr  # Indonesian / English
    assert tree(root) == before


def test_a_password_file_must_hold_one_line(tmp_path: Path) -> None:
    root = fake_pi(tmp_path)
    password, pin = secrets(tmp_path)
    password.write_text("first\nsecond\n")
    done = provision(*kiosk_arguments(root, password, pin))
    assert (
        done.returncode == 2 and "--password-file: the file must hold one valid line" in done.stderr
    )
    pin_done = provision(*kiosk_arguments(root, secrets(tmp_path)[0], password))
    assert pin_done.returncode == 2 and "--pin-file" in pin_done.stderr
    assert provision("printer").returncode == 2
