"""``antre device print-test``: ticket previews and a test print; ``probe()`` for printers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from devices.errors import MissingDependency
from devices.printer.config import parse_printer_spec
from devices.printer.errors import PrinterError
from devices.printer.layout import layout_ticket
from devices.printer.ops import PrintOp
from devices.printer.profiles import DEFAULT_PROFILE, PROFILES, profile_named
from devices.printer.sample_office import SampleOfficeError, read_sample_office
from devices.printer.samples import office_branding, sample_tickets

DEMO_OFFICE_FILE = Path(__file__).parents[2] / "queue_server" / "demo" / "banjarmasin.yaml"
_SYS_USB_DEVICES = Path("/sys/bus/usb/devices")
_DEV_USB = Path("/dev/usb")
_USB_PRINTER_CLASS = "07"


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``print-test`` to the ``antre device`` commands."""
    parser = actions.add_parser(
        "print-test", help="write ticket previews (PNG) or print a sample ticket"
    )
    parser.add_argument("--preview-dir", type=Path, help="write one PNG per service here")
    parser.add_argument(
        "--printer",
        help="print one sample ticket: network:HOST[:PORT], usb:VID:PID, serial:PATH[:BAUD], "
        "cups:[QUEUE] or virtual:DIR",
    )
    parser.add_argument("--office-file", type=Path, default=DEMO_OFFICE_FILE)
    parser.add_argument("--profile", choices=sorted(PROFILES), default=DEFAULT_PROFILE)
    parser.add_argument("--language", choices=["id", "en"], default="id")
    parser.set_defaults(handler=print_test)


def print_test(args: argparse.Namespace) -> int:
    """Write previews and/or print a sample ticket; 0 on success, 1 on a printer fault."""
    if args.preview_dir is None and args.printer is None:
        print("print-test: give --preview-dir DIR and/or --printer ADDRESS", file=sys.stderr)
        return 2
    try:
        office = read_sample_office(args.office_file)
    except SampleOfficeError as error:
        print(f"print-test: {error}", file=sys.stderr)
        return 2
    profile = profile_named(args.profile)
    branding = office_branding(office)
    tickets = sample_tickets(office)
    if args.preview_dir is not None:
        from devices.printer.preview import save_preview

        args.preview_dir.mkdir(parents=True, exist_ok=True)
        for service_id, ticket in tickets.items():
            ops = layout_ticket(ticket, branding, profile, args.language)
            save_preview(ops, profile, args.preview_dir / f"{service_id}.png")
        print(f"wrote {len(tickets)} previews to {args.preview_dir}")
    if args.printer is not None:
        first_ticket = next(iter(tickets.values()))
        ops = layout_ticket(first_ticket, branding, profile, args.language)
        return _print_sample(args.printer, args.profile, ops)
    return 0


def _print_sample(spec: str, profile_name: str, ops: list[PrintOp]) -> int:
    from devices.printer.config import open_printer

    try:
        printer = open_printer(parse_printer_spec(spec, profile_name))
        printer.print_ticket(ops)
    except PrinterError as err:
        message = err.user_message()
        print(f"{message['id']}\n{message['en']}\n({err.code}: {err})", file=sys.stderr)
        return 1
    except MissingDependency as err:
        print(str(err), file=sys.stderr)
        return 1
    print(f"printed sample ticket on {spec}")
    return 0


def probe() -> list[str]:
    """One line per printer-class USB device and ``/dev/usb/lp*`` port on this machine."""
    return find_printers(_SYS_USB_DEVICES, _DEV_USB)


def find_printers(sys_usb_devices: Path, dev_usb: Path) -> list[str]:
    """Printers seen in a sysfs USB device folder and a ``/dev/usb`` folder."""
    found = [f"USB line printer port {path}" for path in sorted(dev_usb.glob("lp*"))]
    for interface in sorted(sys_usb_devices.glob("*:*")):
        if _read_sys(interface / "bInterfaceClass") == _USB_PRINTER_CLASS:
            device = interface.resolve().parent
            ids = f"{_read_sys(device / 'idVendor')}:{_read_sys(device / 'idProduct')}"
            product = _read_sys(device / "product") or "printer"
            found.append(f"USB printer {product} (usb:{ids})")
    return found


def _read_sys(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
