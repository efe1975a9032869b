"""Who may read what of the custody log (docs/custody-log.md#the-api). Pure.

Checkpoints, consistency proofs and the public keys are public: they say nothing about
footage or people, and witnesses and experts fetch them without an account. Any signed-in
person may ask for an inclusion proof (a custodian checks their access was logged). The
entries themselves say who looked at what and why, so only auditors, supervisors and
admins read them, and list accesses. ``auditor`` is one of the roles issue 11 adds; the
names here are checked as the person's role is, whatever roles exist.
"""

from __future__ import annotations

__all__ = ["AUDITORS"]

AUDITORS = ("auditor", "supervisor", "admin")
