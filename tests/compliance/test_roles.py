"""Who may make which act edit, as a table: an edit that moves the window, the type or the
case of an act whose duty is full (before or after) is the supervisors'; any other edit
stays with custodians. No event loop: ingest/compliance/roles.py is pure."""

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest

from evidence.case_number import CaseNumber
from evidence.catalogue import Catalogue
from ingest.compliance.roles import APPROVERS, EDITORS, edit_roles, window_changes
from storage.compliance_records import ActValues

T0 = datetime(2026, 3, 12, 1, 30, tzinfo=UTC)
SEIZURE = ActValues(
    case_number=CaseNumber("JSZF-2026-0012"),
    act_type="seizure",  # duty full
    started_at=T0,
    ended_at=T0 + timedelta(minutes=10),
    place="中山东路12号",
    officers=("130102001",),
    devices=("BWC-00042",),
)
INSPECTION = dataclasses.replace(SEIZURE, act_type="on_site_inspection")  # as-needed

# name, held, changes, roles that may make the edit
TABLE = [
    ("a full act's end", SEIZURE, {"ended_at": T0 + timedelta(minutes=5)}, APPROVERS),
    ("a full act's start", SEIZURE, {"started_at": T0 + timedelta(minutes=1)}, APPROVERS),
    ("a full act's type", SEIZURE, {"act_type": "interview_room"}, APPROVERS),
    ("a full act's case", SEIZURE, {"case_number": CaseNumber("JSZF-2026-0099")}, APPROVERS),
    ("a full act turned as-needed", SEIZURE, {"act_type": "on_site_inspection"}, APPROVERS),
    ("an as-needed act turned full", INSPECTION, {"act_type": "seizure"}, APPROVERS),
    ("a full act's place", SEIZURE, {"place": "仓库"}, EDITORS),
    ("a full act's officers and devices", SEIZURE, {"officers": ("1",), "devices": ()}, EDITORS),
    ("a full act's reference", SEIZURE, {"reference": "ZF-1"}, EDITORS),
    ("an as-needed act's window", INSPECTION, {"ended_at": T0}, EDITORS),
    (
        "the same start written in another offset",
        SEIZURE,
        {"started_at": T0.astimezone(timezone(timedelta(hours=8)))},
        EDITORS,
    ),
]


@pytest.mark.parametrize(
    ("held", "changes", "roles"), [row[1:] for row in TABLE], ids=[row[0] for row in TABLE]
)
def test_who_may_make_an_edit(held, changes, roles):
    edited = dataclasses.replace(held, **changes)
    assert edit_roles(Catalogue.default(), held, edited) == roles


def test_the_window_changes_are_named():
    edited = dataclasses.replace(SEIZURE, ended_at=T0, place="仓库", act_type="interview_room")
    assert window_changes(SEIZURE, edited) == ("act_type", "ended_at")
