"""The officer console's passport texts (console-pickup.js): key -> English msgid."""

from __future__ import annotations

PICKUP_TEXTS: dict[str, str] = {
    # "Passports ready": the printing officer marks numbers ready
    "act_passports": "Passports ready…",
    # the link to the drive-thru lane page (console-drive-thru.js), for offices with a lane
    "act_drive_thru": "Drive-thru lane",
    "ready_title": "Passports ready",
    "ready_label": "Application numbers, one per line (type or scan)",
    "ready_hint": "A scanner types the number and Enter: scan them one after the other.",
    "ready_submit": "Mark ready",
    "ready_empty": "Type or scan at least one application number.",
    "ready_summary": "{marked} marked ready, {already} already ready, {refused} refused",
    "ready_marked": "{number}: marked ready",
    "ready_already": "{number}: already ready since {since}; nothing changed",
    "ready_refused": "Line {line}: refused, {reasons}",
    # the pickup panel at a PICKUP counter
    "pickup_title": "Passport pickup",
    "pickup_application": "Application number (type or scan)",
    "pickup_lookup": "Look up",
    "pickup_ready": "The passport is ready since {day}.",
    "pickup_expected": "The passport is not ready yet; it is expected on {day}.",
    "pickup_handed_over": "This passport was handed over already, at {at}.",
    "pickup_empty": "Type or scan the application number first.",
    "pickup_checklist": "Identity checklist",
    "pickup_check_ktp": "KTP seen and matches",
    "pickup_check_receipt": "Application receipt seen",
    "pickup_check_proxy": "Collected by someone else",
    "pickup_check_letter": "Surat kuasa (letter of authority) seen",
    "pickup_kiosk_proxy": "At the kiosk the applicant said someone else collects: "
    "the surat kuasa is required.",
    "pickup_needs": "Handing over needs a ready passport and every check ticked.",
    "act_handover": "Handed over",
    "did_handover": "Passport {number} handed over; {label} finished",
}
