"""Every step's screen, by the step's name (``kiosk.flow_state.Step``)."""

from __future__ import annotations

from kiosk.app.choice_screens import (
    BapScreen,
    InfoListScreen,
    InfoScreen,
    PickupScreen,
    ProxyScreen,
    StatusScreen,
)
from kiosk.app.identity_screens import ChipScreen, MrzScreen
from kiosk.app.lane_screens import LaneAnswerScreen, LaneScreen
from kiosk.app.screens import (
    ApplicationScreen,
    DocumentsScreen,
    IssuingScreen,
    KioskScreen,
    NikScreen,
    PriorityScreen,
    ProblemScreen,
    RegistrationScreen,
    RequirementsScreen,
    ScanScreen,
    ServicesScreen,
    TicketScreen,
    WelcomeScreen,
)

SCREENS: dict[str, type[KioskScreen]] = {
    "welcome": WelcomeScreen,
    "services": ServicesScreen,
    "info_list": InfoListScreen,
    "info": InfoScreen,
    "scan": ScanScreen,
    "bap": BapScreen,
    "pickup": PickupScreen,
    "proxy": ProxyScreen,
    "application": ApplicationScreen,
    "registration": RegistrationScreen,
    "nik": NikScreen,
    "mrz": MrzScreen,
    "chip": ChipScreen,
    "documents": DocumentsScreen,
    "requirements": RequirementsScreen,
    "priority": PriorityScreen,
    "issuing": IssuingScreen,
    "ticket": TicketScreen,
    "problem": ProblemScreen,
    "status": StatusScreen,
    "lane": LaneScreen,
    "lane_answer": LaneAnswerScreen,
}
