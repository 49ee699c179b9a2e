"""Which offices an account may act in, and who may manage which accounts.

Users and tokens store a list of office ids; None means every office and is kept for
administrators (and administrator tokens). An actor limited to some offices manages
only accounts whose offices all lie within its own.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.domain.errors import DomainError
from queue_server.domain.ids import Role
from queue_server.persistence.models import OfficeRow
from queue_server.services.unit import Actor


class UnknownOffice(DomainError):
    code = "unknown_office"
    template = "Office {office} is not loaded on this server."
    http_status = 422


class OfficesRequired(DomainError):
    code = "offices_required"
    template = "Name the offices this account may act in; only administrators may have all."
    http_status = 422


class OutsideYourOffices(DomainError):
    code = "outside_your_offices"
    template = "You can only manage accounts within your own offices."
    http_status = 403


def new_account_scope(
    session: Session, requested: Collection[str] | None, role: Role, actor: Actor
) -> list[str] | None:
    """The offices a new account gets: those requested (all must be loaded). Without any,
    administrators get every office (None) and others the only office, if there is one.

    Raises:
        UnknownOffice: a requested office is not loaded.
        OfficesRequired: a non-administrator without offices on a multi-office server.
        OutsideYourOffices: the scope reaches beyond the creating actor's offices.
    """
    loaded = set(session.scalars(select(OfficeRow.id)))
    scope: list[str] | None
    if requested:
        for office in requested:
            if office not in loaded:
                raise UnknownOffice(office=office)
        scope = sorted(set(requested))
    elif role is Role.ADMIN:
        scope = None
    elif len(loaded) == 1:
        scope = sorted(loaded)
    else:
        raise OfficesRequired()
    if not manages(actor, scope):
        raise OutsideYourOffices()
    return scope


def manages(actor: Actor, offices: Iterable[Any] | None) -> bool:
    """True if every office of an account (None: all) lies within the actor's offices."""
    if actor.offices is None:
        return True
    return offices is not None and set(offices) <= actor.offices


def frozen_offices(offices: list[Any] | None) -> frozenset[str] | None:
    """A stored office list as an :class:`Actor`'s scope."""
    return None if offices is None else frozenset(str(office) for office in offices)
