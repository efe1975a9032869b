"""The ``[server.retention]`` section: the agency's retention classes and the default one
(docs/retention.md). Checked when the configuration is read: a class shorter than the
legal six months, or no ``permanent`` class, stops the server before it starts."""

from __future__ import annotations

from dataclasses import dataclass

from evidence.errors import ConfigError
from evidence.retention_classes import RetentionClasses

__all__ = ["RetentionConfig"]


@dataclass(frozen=True)
class RetentionConfig:
    # Each class as "name = period": "permanent", or N days, months or years.
    classes: tuple[str, ...] = (
        "permanent = permanent",
        "long = 30 years",
        "six_months = 6 months",
    )
    default: str = "six_months"  # a recording with no case and no act whose matter says more

    def __post_init__(self) -> None:
        self.rules()

    def rules(self) -> RetentionClasses:
        try:
            return RetentionClasses.parse(self.classes, self.default)
        except ValueError as exc:
            raise ConfigError(f"server.retention: {exc}") from exc
