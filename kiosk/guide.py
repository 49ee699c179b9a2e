"""What an applicant must bring, per service route, and where a station is (pure code).

The lists follow the SOPs (spec/seed-requirements.md 2.1-2.10 and the matrix in 3.10);
the office's own ``description`` of a service (``config/kiosk``) is shown above them.
Every text of these lists is an English msgid of the gettext catalogs. An office that
wrote its own list for a service (admin console, Content; ``requirements`` in
``config/kiosk``) has it shown instead, as written: :func:`office_documents`.
"""

from __future__ import annotations

from enum import StrEnum

from kiosk.content import ServiceChoice
from queue_server.i18n.stations import STATION_NAMES


class BapReason(StrEnum):
    """Why a passport is replaced through the BAP examination (SOP 2.5)."""

    LOST = "lost"
    DAMAGED = "damaged"
    DATA_CHANGE = "data_change"


BAP_REASON_TITLES: dict[BapReason, str] = {
    BapReason.LOST: "My passport is lost",
    BapReason.DAMAGED: "My passport is damaged",
    BapReason.DATA_CHANGE: "My data has changed",
}

ORIGINALS = "Original documents are checked: bring the originals, not only copies."
KTP = "KTP (e-KTP) of the applicant"
FAMILY_CARD = "Family card (Kartu Keluarga)"
BIRTH_PROOF = "Birth certificate, marriage certificate, diploma or baptism certificate"
OLD_PASSPORT = "Old passport (for a replacement)"

_PASSPORT = (ORIGINALS, KTP, FAMILY_CARD, BIRTH_PROOF, OLD_PASSPORT)
_MPASPOR = ("M-Paspor cover letter (Surat Pengantar)", "Payment proof", *_PASSPORT)
_BAP: dict[BapReason, tuple[str, ...]] = {
    BapReason.LOST: ("Police loss report (surat kehilangan dari Kepolisian)", KTP, FAMILY_CARD),
    BapReason.DAMAGED: ("The damaged passport", KTP, FAMILY_CARD),
    BapReason.DATA_CHANGE: (
        "Court decision on the data change (surat penetapan pengadilan)",
        "Old passport",
        KTP,
        FAMILY_CARD,
    ),
}
_PERMIT = (
    "Passport with the visa and the landing stamp",
    "Application form and application letter",
    "Guarantee letter and the sponsor's KTP",
    "Current stay permit (for an extension)",
)
_PICKUP_OWN = ("KTP (e-KTP)", "Proof of application (tanda bukti permohonan)", "Payment proof")
PROXY_DOCUMENTS = (
    "Power of attorney (surat kuasa) signed by the applicant",
    "Your own KTP",
    "The applicant's KTP (or a copy)",
    "The applicant's proof of application and payment proof",
)
_PERMIT_PICKUP = ("Payment receipt (tanda bukti bayar)", "Application receipt (tanda terima)")
_COMPLAINT = ("Your ticket or application number, if the complaint is about one",)
_INFORMATION = ("Nothing is needed: ask your question at the desk.",)


def documents_for(
    service: ServiceChoice, *, bap_reason: BapReason | None = None, proxy: bool = False
) -> tuple[str, ...]:
    """The documents to bring for ``service`` (msgids, in the order to show them)."""
    if service.kind == "pickup":
        if proxy:
            return PROXY_DOCUMENTS
        return _PICKUP_OWN if service.first_station == "PICKUP" else _PERMIT_PICKUP
    if service.kind == "complaint":
        return _COMPLAINT
    if service.kind == "information":
        return _INFORMATION
    if service.is_bap_route:
        return _BAP[bap_reason] if bap_reason else tuple(dict.fromkeys(sum(_BAP.values(), ())))
    if service.needs_booking:
        return _MPASPOR
    if service.first_station in {"LOKET", "PAY"}:
        return _PERMIT
    return _PASSPORT


def office_documents(
    service: ServiceChoice, language: str, *, proxy: bool = False
) -> tuple[str, ...]:
    """The office's own list for ``service`` in ``language`` (the other language's when
    that one is empty), already in the applicant's words; () when the office wrote none
    or for a proxy pickup (the SOP's power-of-attorney list applies then)."""
    if proxy or service.requirements is None:
        return ()
    return service.requirements.in_language(language)


def station_name(station: str | None) -> str | None:
    """A station's English msgid, or None for a station the kiosk does not know."""
    return STATION_NAMES.get(station) if station else None
