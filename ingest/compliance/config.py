"""The compliance section of the configuration. Every option has a default
(docs/configuration.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone

from evidence.errors import ConfigError
from evidence.footage_findings import DEFAULT_CLAIM_TOLERANCE_SECONDS

__all__ = ["ComplianceConfig"]

MIB = 1024 * 1024


@dataclass(frozen=True)
class ComplianceConfig:
    # A stretch of an act not on footage is a gap only when longer than this (clock skew
    # between devices and the case system; cameras that split long recordings).
    gap_tolerance_seconds: float = 5.0
    # A claimed start, end or length of a recording (its sidecar's times, its file's
    # creation_time tag) that differs from what its footage measures by more than this
    # raises a claim_mismatch flag. Coverage comes from the footage either way.
    claim_tolerance_seconds: float = DEFAULT_CLAIM_TOLERANCE_SECONDS
    # A recording finalized longer than this after its capture ended is a late upload.
    late_upload_hours: float = 24.0
    # A recording whose camera's clock its dock measured off the station's by more than
    # this raises a clock_drift flag. Coverage uses the corrected times either way.
    clock_drift_flag_seconds: float = 60.0
    # The agency's UTC offset: report months, plain dates in filters, and times written
    # without an offset in CSV imports and on the command line are read in it.
    utc_offset_hours: float = 8.0
    # The largest table (CSV or .xlsx) accepted by an import over HTTP.
    max_import_bytes: int = 16 * MIB
    # The report marks a ranked agency, unit, officer or act type as weak when its
    # coverage rate is below this (R10: find the weak links).
    weak_coverage_rate: float = 0.9

    def __post_init__(self) -> None:
        if self.gap_tolerance_seconds < 0:
            raise ConfigError("compliance.gap_tolerance_seconds cannot be negative")
        if self.claim_tolerance_seconds < 0:
            raise ConfigError("compliance.claim_tolerance_seconds cannot be negative")
        if self.clock_drift_flag_seconds < 0:
            raise ConfigError("compliance.clock_drift_flag_seconds cannot be negative")
        if self.late_upload_hours <= 0:
            raise ConfigError("compliance.late_upload_hours must be positive")
        if not -14 <= self.utc_offset_hours <= 14 or (self.utc_offset_hours * 4) % 1:
            raise ConfigError("compliance.utc_offset_hours must be a quarter hour from -14 to 14")
        if not 0 <= self.weak_coverage_rate <= 1:
            raise ConfigError("compliance.weak_coverage_rate is a rate from 0 to 1")
        if self.max_import_bytes < 1024:
            raise ConfigError("compliance.max_import_bytes must be at least 1024")

    @property
    def zone(self) -> timezone:
        return timezone(timedelta(hours=self.utc_offset_hours))

    @property
    def utc_offset_minutes(self) -> int:
        return round(self.utc_offset_hours * 60)
