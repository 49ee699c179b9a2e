"""The drive-thru lane page's texts (console-drive-thru.js): key -> English msgid."""

from __future__ import annotations

DRIVE_THRU_TEXTS: dict[str, str] = {
    "dt_title": "Drive-thru lane",
    "dt_choose_lane": "Choose the drive-thru lane",
    "dt_no_lanes": (
        "This office has no drive-thru lane. An administrator adds one in the office file "
        "(section drive_thru)."
    ),
    "dt_change_lane": "Change lane",
    "dt_console": "Officer console",
    "dt_scan_label": "Scan the application QR code (or type the number) and press Enter",
    "dt_scan_button": "Add to the lane",
    "dt_scan_empty": "Scan or type the application number first.",
    "dt_cars": "Cars in the lane, in arrival order",
    "dt_no_cars": "No car is waiting in the lane.",
    "dt_arrived": "arrived {time} · waiting {minutes}",
    "dt_select_hint": "Select a car to check identity and hand the passport over.",
    "dt_car_title": "Car {position}: application {number}",
    "dt_needs": "Handing over needs every check ticked.",
    "dt_send": "Send to the counter",
    "dt_reason": "Why it cannot be served at the lane",
    "dt_reason_identity": "Identity does not match, or no KTP",
    "dt_reason_proxy_letter": "Collected by someone else without a surat kuasa",
    "dt_reason_documents": "No application receipt or payment proof",
    "dt_reason_other": "Another reason",
    "dt_did_handover": "Passport {number} handed over.",
    "dt_did_send": "Car {number} sent to the pickup counter inside.",
    "dt_live": "The list updates by itself when a car arrives or leaves.",
}
