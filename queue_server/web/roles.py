"""Who may call what: the role sets the endpoint declarations use."""

from __future__ import annotations

from queue_server.domain.ids import Role

ADMIN_ONLY = (Role.ADMIN,)
OFFICERS = (Role.ADMIN, Role.PETUGAS)
ISSUERS = (Role.ADMIN, Role.PETUGAS, Role.KIOSK)
SUPERVISORS = (Role.ADMIN, Role.LAPORAN)
STAFF = (Role.ADMIN, Role.PETUGAS, Role.LAPORAN)
SIGNED_IN = (Role.ADMIN, Role.PETUGAS, Role.LAPORAN, Role.KIOSK)
