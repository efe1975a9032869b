"""The person behind a request: their name, their role, which cases they may see, and
how they proved it (a signed-in session, or an API token an admin issued). What every
handler records as "who" comes from here, never from a request body."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from evidence.strict_json import format_time
from storage.people_records import AccessRecord

__all__ = ["SESSION", "TOKEN", "CaseAccess", "Person"]

SESSION = "session"
TOKEN = "api_token"  # noqa: S105 - the name of a kind of credential, not one


@dataclass(frozen=True, slots=True)
class CaseAccess:
    """All cases, or those named and those of the agencies named (case numbers in their
    normalised form, as the index keeps them). Pure."""

    all_cases: bool = True
    cases: frozenset[str] = field(default_factory=frozenset)
    agencies: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, record: AccessRecord | None) -> CaseAccess:
        """A person's access as kept; a person without a record sees every case."""
        if record is None:
            return cls()
        return cls(record.all_cases, frozenset(record.cases), frozenset(record.agencies))

    def covers(self, case_number: str | None, agency: str | None) -> bool:
        """Whether a case (by its normalised number, and its agency if registered) is
        visible. Footage without a case number is only for those who see every case."""
        if self.all_cases:
            return True
        if case_number is None:
            return False
        return case_number in self.cases or (agency is not None and agency in self.agencies)

    def to_json(self) -> dict[str, Any]:
        return {
            "all_cases": self.all_cases,
            "cases": sorted(self.cases),
            "agencies": sorted(self.agencies),
        }


@dataclass(frozen=True, slots=True)
class Person:
    """A signed-in person: ``name`` and ``role`` are what is recorded with what they do."""

    name: str
    role: str
    access: CaseAccess
    credential: str  # SESSION or TOKEN
    must_change_password: bool = False
    expires_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "access": self.access.to_json(),
            "credential": self.credential,
            "must_change_password": self.must_change_password,
            "expires_at": None if self.expires_at is None else format_time(self.expires_at),
        }
