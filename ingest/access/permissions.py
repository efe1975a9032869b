"""Who may do what: the five roles and the one table of what each may read and do.
Pure: no storage, no requests. Every route of the API names the action it needs
(``ingest/http/guard.py``), and a test walks every route with every role against this
table (docs/people.md#what-each-role-may-do).

The roles are the custody log's (``evidence.tlog.leaf_parts.ActorRole``), so what a
person did is logged in the role they did it in:

    custodian   keeps the evidence: registers cases and acts, decides suggestions,
                attaches transcripts, re-verifies, watches footage, exports
                evidence packages and imports other agencies', sets and lifts
                legal holds
    reviewer    reads and watches footage (a legal reviewer, 法制审核): changes nothing
    supervisor  approves: exempts acts, withdraws exemptions, resolves flags, makes the
                act edits that could hide a gap; reads the report; exports packages;
                sets and lifts legal holds
    auditor     reads records, the report, the access log and the custody log; never
                footage
    admin       manages people, their access and the catalogue, and may do everything
                else: whoever adds people can add one in any role, so withholding a
                permission from admins would only hide who used it

Reading a recording's attested metadata (case number, times, place, hashes) is not
watching it; watching or downloading footage is its own action, logged (issue 11).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from evidence.tlog.leaf_parts import ActorRole

__all__ = ["MATRIX", "USER_ROLES", "Action", "ActorRole", "may", "roles_for"]

USER_ROLES = tuple(role.value for role in ActorRole)


class Action(enum.StrEnum):
    READ_RECORDS = "read_records"  # recordings, sessions, flags, catalogue, cases, acts, coverage
    VIEW_FOOTAGE = "view_footage"  # stream or download stored bytes, match a clip against them
    EXPORT = "export"  # an evidence package of a case or recordings, taken away (logged)
    VERIFY = "verify"  # re-read a recording's stored bytes now (writes a verification)
    KEEP = "keep"  # register and import cases and acts, decide suggestions, attach transcripts
    EDIT_ACTS = "edit_acts"  # correct an act (which edits need a supervisor: compliance/roles.py)
    APPROVE = "approve"  # exempt an act, withdraw an exemption, resolve a flag
    HOLD = "hold"  # set or lift a legal hold on a case or a recording (logged)
    READ_REPORT = "read_report"  # the supervisor's report across cases
    READ_AUDIT = "read_audit"  # the access log and the custody log
    MANAGE_CATALOGUE = "manage_catalogue"  # replace the recording-duty catalogue
    MANAGE_USERS = "manage_users"  # add people, set passwords, disable, grant cases, tokens


_C, _R, _S, _A, _ADMIN = (
    ActorRole.CUSTODIAN,
    ActorRole.REVIEWER,
    ActorRole.SUPERVISOR,
    ActorRole.AUDITOR,
    ActorRole.ADMIN,
)

MATRIX: Mapping[Action, frozenset[ActorRole]] = {
    Action.READ_RECORDS: frozenset({_C, _R, _S, _A, _ADMIN}),
    Action.VIEW_FOOTAGE: frozenset({_C, _R, _S, _ADMIN}),
    Action.EXPORT: frozenset({_C, _S, _ADMIN}),
    Action.VERIFY: frozenset({_C, _ADMIN}),
    Action.KEEP: frozenset({_C, _ADMIN}),
    Action.EDIT_ACTS: frozenset({_C, _S, _ADMIN}),
    Action.APPROVE: frozenset({_S, _ADMIN}),
    Action.HOLD: frozenset({_C, _S, _ADMIN}),
    Action.READ_REPORT: frozenset({_C, _S, _A, _ADMIN}),
    Action.READ_AUDIT: frozenset({_A, _ADMIN}),
    Action.MANAGE_CATALOGUE: frozenset({_ADMIN}),
    Action.MANAGE_USERS: frozenset({_ADMIN}),
}


def may(role: str, action: Action) -> bool:
    """Whether ``role`` may do ``action``; an unknown role may do nothing."""
    return any(role == allowed.value for allowed in MATRIX[action])


def roles_for(action: Action) -> tuple[str, ...]:
    """The roles that may do ``action``, in the order of ``USER_ROLES``."""
    return tuple(role for role in USER_ROLES if may(role, action))
