"""P6 breakdown: where the kiosk's resident memory goes, by import and by mapping.

Usage: python bench/kiosk_memory.py [--journeys 5] [--size 1024x600]

Under an Xvfb of its own, one fresh Python process (this file with ``--child``) imports
what the kiosk imports, a group at a time in the kiosk's own order, and reports the
resident memory (VmRSS, and USS: the pages only this process holds) after each group:
the non-Kivy modules (pydantic, paho, the protocol package, the rest of the kiosk), Kivy
without a window, Kivy's window (SDL2 and the OpenGL driver), the kiosk's Kivy app; then
the libraries the kiosk loads later (python-escpos with Pillow and qrcode, pyscard). Then
it runs the kiosk's own ``main`` (``--demo``) to its first frame and through
``--journeys`` walk-in journeys by touches (bench/kiosk_probe.py), and reports the
resident memory then, grouped by what is mapped (libLLVM, the Mesa driver, SDL2,
Python's extension modules, the heap and anonymous memory).

Each delta is what that group adds on top of the groups before it in that order: a
module imported earlier by someone else costs nothing later.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

#: (label, modules) in the kiosk's import order; Kivy's window needs prepare_window first.
STAGES: list[tuple[str, list[str]]] = [
    ("pydantic (the contract's models)", ["pydantic"]),
    ("paho-mqtt", ["paho.mqtt.client"]),
    ("queue_server.protocol and i18n", ["queue_server.protocol.messages", "queue_server.i18n"]),
    ("the rest of the kiosk, no Kivy (kiosk.app.main)", ["kiosk.app.main"]),
    ("Kivy without a window (kivy.app, clock, uix, lang)", ["@prepare", "kivy.app", "kivy.lang"]),
    ("Kivy's window: SDL2 and the OpenGL driver", ["kivy.core.window"]),
    ("the kiosk's Kivy app (kiosk.app.app: screens, widgets)", ["kiosk.app.app"]),
    ("python-escpos (Pillow, qrcode, pyserial...): at 3 s", ["@escpos"]),
    ("Pillow on its own (already in the line above)", ["PIL.Image"]),
    ("qrcode (already in the line above)", ["qrcode"]),
    ("pyscard (only with a card reader)", ["smartcard.System"]),
]


def status() -> dict[str, int]:
    values: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name == "VmRSS":
            values["rss"] = int(rest.split()[0])
    private = 0
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        if name in {"Private_Clean", "Private_Dirty"}:
            private += int(rest.split()[0])
    values["uss"] = private
    return values


def mapping_groups() -> dict[str, dict[str, int]]:
    """Resident and private kB per kind of mapping, from /proc/self/smaps."""
    groups: dict[str, dict[str, int]] = {}
    name = ""
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and ":" not in head[0]:
            name = _group(head[5] if len(head) > 5 else "")
            continue
        key, _, rest = line.partition(":")
        if key in {"Rss", "Private_Clean", "Private_Dirty"}:
            entry = groups.setdefault(name, {"rss": 0, "private": 0})
            entry["rss" if key == "Rss" else "private"] += int(rest.split()[0])
    return groups


def _group(path: str) -> str:
    base = os.path.basename(path)
    rules = [
        ("libLLVM", "libLLVM (llvmpipe's shader compiler)"),
        ("_dri.so", "Mesa DRI driver (swrast_dri / gallium)"),
        ("libgallium", "Mesa DRI driver (swrast_dri / gallium)"),
        ("libGL", "libGL / GLX / EGL / glapi"),
        ("libEGL", "libGL / GLX / EGL / glapi"),
        ("libglapi", "libGL / GLX / EGL / glapi"),
        ("libSDL2", "SDL2 (+ image, ttf, mixer)"),
        ("libpython", "libpython"),
        ("python3", "python binary"),
        ("/dev/dri", "GPU buffers"),
    ]
    for needle, group in rules:
        if needle in base or needle in path:
            return group
    if path in {"[heap]"}:
        return "[heap] (malloc)"
    if path.startswith("[stack"):
        return "stacks"
    if path.endswith(".so") or ".so." in path or ".cpython-" in path:
        if "site-packages" in path:
            top = path.split("site-packages/")[1].split("/")[0]
            return f"extension modules: {'kivy' if top.startswith('kivy') else 'other packages'}"
        return "other shared libraries (libc, libstdc++, X11, freetype, ...)"
    if path == "":
        return "anonymous (Python objects, arenas, JIT code, frame buffers)"
    if path.startswith("/memfd") or "drm mm object" in path or path.startswith("/SYSV"):
        return "shared memory / memfd (window buffers)"
    return "other files (fonts, .pyc, data)"


def child(args: argparse.Namespace) -> int:
    def emit(stage: str, **extra: Any) -> None:
        sys.stdout.write(json.dumps({"stage": stage, **status(), **extra}) + "\n")
        sys.stdout.flush()

    emit("bare Python (site, the editable install's finder)")
    for label, modules in STAGES:
        for module in modules:
            if module == "@escpos":  # as the kiosk imports it (its printer database cached)
                from devices.printer.escpos_output import import_escpos

                import_escpos("escpos.printer")
                continue
            if module == "@prepare":
                from devices.screen import prepare_window

                prepare_window(args.size, fullscreen=False, touch=True)
                continue
            try:
                importlib.import_module(module)
            except ImportError as error:
                label = f"{label} — not installed ({error.name})"
        emit(label)
    import kiosk_probe

    real_emit = kiosk_probe.emit

    def hooked(stage: str, **extra: Any) -> None:
        if stage == "first_frame":
            emit("kiosk main(): first frame drawn")
        elif stage == "journey_done":
            emit(f"after journey {extra['done']}")
        elif stage == "memory":
            groups = mapping_groups()
            sys.stdout.write(json.dumps({"stage": "mappings", "groups": groups}) + "\n")
            import ctypes

            ctypes.CDLL("libc.so.6").malloc_trim(0)
            emit("after malloc_trim(0) (the heap's free pages given back)")
        real_emit(stage, **extra)

    kiosk_probe.emit = hooked
    sys.argv = ["kiosk_probe", "--journeys", str(args.journeys), "--", "--demo"]
    sys.argv += ["--size", args.size]
    return kiosk_probe.main()


def run(journeys: int, size: str, extra_env: dict[str, str]) -> str:
    from kiosk_start import machine, probe_env, xvfb

    lines = [f"machine: {machine()}", "", "| Stage | VmRSS MB | +RSS | USS MB | +USS |"]
    lines.append("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="antre-p6mem-") as name, xvfb(size) as display:
        folder = Path(name)
        env = probe_env(display, folder, {"KIVY_NO_CONSOLELOG": "1", **extra_env})
        command = [sys.executable, __file__, "--child", "--journeys", str(journeys)]
        done = subprocess.run(
            [*command, "--size", size], env=env, cwd=folder, capture_output=True,
            text=True, timeout=300, check=False,
        )  # fmt: skip
    before: dict[str, int] | None = None
    groups: dict[str, dict[str, int]] = {}
    for raw in done.stdout.splitlines():
        if not raw.startswith("{"):
            continue
        line = json.loads(raw)
        if line["stage"] == "mappings":
            groups = line["groups"]
            continue
        if "rss" not in line:
            continue
        rss, uss = line["rss"] / 1024, line["uss"] / 1024
        if before is None:
            delta = "", ""
        else:
            delta = f"{rss - before['rss'] / 1024:+.1f}", f"{uss - before['uss'] / 1024:+.1f}"
        lines.append(f"| {line['stage']} | {rss:.1f} | {delta[0]} | {uss:.1f} | {delta[1]} |")
        before = line
    if done.returncode != 0 or not groups:
        lines.append(f"(the child exited with {done.returncode}: {done.stderr[-2000:]})")
    lines += ["", f"after {journeys} journeys, by mapping:", "| Mapping | RSS MB | private MB |"]
    lines.append("|---|---|---|")
    for group, value in sorted(groups.items(), key=lambda item: -item[1]["rss"]):
        lines.append(f"| {group} | {value['rss'] / 1024:.1f} | {value['private'] / 1024:.1f} |")
    total = sum(value["rss"] for value in groups.values())
    lines.append(f"| total | {total / 1024:.1f} | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--journeys", type=int, default=5)
    parser.add_argument("--size", default="1024x600")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="e.g. LP_NUM_THREADS=1"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.exit(child(args))
    extra = dict(item.split("=", 1) for item in args.env)
    print(run(args.journeys, args.size, extra))


if __name__ == "__main__":
    main()
