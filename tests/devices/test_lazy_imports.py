"""Heavy libraries load when the device that needs them is used, not when a kiosk starts
(P5/P6: start time and memory). Each check runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
HEAVY = ["escpos.printer", "PIL", "qrcode", "cv2", "pyzbar", "smartcard", "cryptography", "yaml"]


def loaded_after(code: str, tmp_path: Path) -> dict[str, bool]:
    """Which of HEAVY are imported once ``code`` has run in a new Python."""
    script = (
        f"{code}\nimport json, sys\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("KIVY")}
    env |= {"PYTHONPATH": str(ROOT), "KIVY_HOME": str(tmp_path / "kivy"), "KIVY_NO_ARGS": "1"}
    env.pop("ANTRE_PRINTER", None)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip
    found: dict[str, bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_opening_a_network_printer_kiosk_imports_no_printing_library(tmp_path: Path) -> None:
    code = (
        "from devices.config import device_config_from_mapping, open_devices\n"
        "config = device_config_from_mapping({'printer': 'network:127.0.0.1:9', "
        "'scanner': 'virtual', 'card_reader': 'none'}, environ={})\n"
        "devices = open_devices(config, on_code=lambda code: None)\n"
        "devices.close()\n"
    )
    loaded = loaded_after(code, tmp_path)

    assert not any(loaded.values()), loaded


def test_the_first_ticket_imports_python_escpos(tmp_path: Path) -> None:
    """The counter-check: the same printer does import it once it prints (a refused
    connection is enough: the printer object is made first)."""
    code = (
        "from devices.config import device_config_from_mapping, open_devices\n"
        "from devices.printer.errors import PrinterError\n"
        "config = device_config_from_mapping({'printer': 'network:127.0.0.1:9', "
        "'scanner': 'virtual', 'card_reader': 'none'}, environ={})\n"
        "devices = open_devices(config, on_code=lambda code: None)\n"
        "try:\n    devices.printer.print_ticket([])\nexcept PrinterError:\n    pass\n"
        "devices.close()\n"
    )
    assert loaded_after(code, tmp_path)["escpos.printer"]


def test_a_yaml_device_file_imports_pyyaml_and_a_toml_one_does_not(tmp_path: Path) -> None:
    (tmp_path / "devices.toml").write_text('scanner = "virtual"\n')
    (tmp_path / "devices.yaml").write_text("scanner: virtual\n")
    code = "from pathlib import Path\nfrom devices.config import load_device_config\n"

    toml = loaded_after(code + "load_device_config(Path('devices.toml'), environ={})", tmp_path)
    yaml = loaded_after(code + "load_device_config(Path('devices.yaml'), environ={})", tmp_path)

    assert not toml["yaml"] and yaml["yaml"]


def test_kivy_loads_no_pillow_image_provider(tmp_path: Path) -> None:
    code = (
        "from devices.screen import prepare_window\n"
        "prepare_window('800x600', fullscreen=False)\n"
        "import kivy.core.image\n"
    )
    assert not loaded_after(code, tmp_path)["PIL"]


def test_the_printer_library_is_loaded_in_the_background_after_the_start(
    tmp_path: Path,
) -> None:
    code = (
        "import devices.config as config\n"
        "config.PRINTER_WARM_UP_S = 0.05\n"
        "settings = config.device_config_from_mapping({'printer': 'network:127.0.0.1:9', "
        "'scanner': 'virtual', 'card_reader': 'none'}, environ={})\n"
        "devices = config.open_devices(settings, on_code=lambda code: None)\n"
        "import sys\nassert 'escpos.printer' not in sys.modules\n"
        "devices.printer_warm_up.join(30)\n"
        "devices.close()\n"
    )
    assert loaded_after(code, tmp_path)["escpos.printer"]


def test_a_virtual_printer_needs_no_warm_up(tmp_path: Path) -> None:
    from devices.config import device_config_from_mapping, open_devices

    settings = {"printer": f"virtual:{tmp_path}", "scanner": "virtual", "card_reader": "none"}
    devices = open_devices(device_config_from_mapping(settings, {}), on_code=lambda code: None)
    try:
        assert devices.printer_warm_up is None
    finally:
        devices.close()
