"""Who may do what in compliance (docs/compliance.md#who-may-do-what). Pure.

The roles come from the one table of who may do what (``ingest/access/permissions.py``):
those who keep (custodians, admins) register cases and acts, edit them and decide
suggestions; those who approve (supervisors, admins) exempt acts, withdraw exemptions and
resolve flags; only admins replace the catalogue.

One edit is the supervisors' too: an edit that changes the window (start or end), the
type or the case of an act whose duty is ``full`` before or after it changes what the act
must have on footage, so it could make a gap disappear as surely as an exemption could.
It needs the role that exempts; custodians keep every other edit.
"""

from __future__ import annotations

from evidence.catalogue import Catalogue, Duty
from ingest.access.permissions import Action, roles_for
from storage.compliance_records import ActValues

__all__ = ["ADMINS", "APPROVERS", "EDITORS", "WINDOW_FIELDS", "edit_roles", "window_changes"]

EDITORS = roles_for(Action.KEEP)
APPROVERS = roles_for(Action.APPROVE)
ADMINS = roles_for(Action.MANAGE_CATALOGUE)
WINDOW_FIELDS = ("case_number", "act_type", "started_at", "ended_at")


def window_changes(held: ActValues, edited: ActValues) -> tuple[str, ...]:
    """The fields of WINDOW_FIELDS the edit changes."""
    return tuple(name for name in WINDOW_FIELDS if getattr(held, name) != getattr(edited, name))


def edit_roles(catalogue: Catalogue, held: ActValues, edited: ActValues) -> tuple[str, ...]:
    """The roles that may make this edit, judged on settled values (so "查封扣押财产" for
    "seizure", or the same time in another offset, changes nothing)."""
    full = any(catalogue.entry(v.act_type).duty is Duty.FULL for v in (held, edited))
    return APPROVERS if full and window_changes(held, edited) else EDITORS
