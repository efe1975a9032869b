"""What the compliance functions receive: the compliance part of the index, the case
number rule, the clock and the ``[compliance]`` settings. Nothing else of the server."""

from __future__ import annotations

from dataclasses import dataclass

from evidence.case_number import CaseNumberRule
from ingest.clock import Clock
from ingest.compliance.config import ComplianceConfig
from storage.interfaces import Compliance

__all__ = ["ComplianceDesk"]


@dataclass(frozen=True)
class ComplianceDesk:
    index: Compliance  # catalogues, cases, decisions, exemptions, queries
    case_rule: CaseNumberRule
    clock: Clock
    settings: ComplianceConfig
