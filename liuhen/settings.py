"""Configuration: a TOML file, then environment variables, into typed, frozen sections.

Each component receives only its own section (``server`` → IngestConfig, ``agent`` →
AgentConfig). Unknown options are errors, never silently ignored. An environment
variable ``LIUHEN_<SECTION>__<OPTION>`` (``__`` between nested names) overrides the file:
``LIUHEN_SERVER__PORT=9000``, ``LIUHEN_AGENT__DEFAULTS__PLACE=石家庄``. Lists in the
environment are JSON arrays. Relative paths are relative to the working directory.
Every option and its default: docs/configuration.md (``liuhen config defaults`` prints it).
"""

from __future__ import annotations

import json
import os
import tomllib
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from agent.config import AgentConfig
from evidence.case_number import DEFAULT_PATTERNS, CaseNumberRule
from evidence.errors import ConfigError
from ingest.compliance.config import ComplianceConfig
from ingest.custody_log.config import CustodyConfig
from ingest.server_config import IngestConfig

__all__ = ["ENV_PREFIX", "Settings", "describe_defaults", "load_settings"]

ENV_PREFIX = "LIUHEN_"
# Variables of ours that are not options: the crash-test switch (agent/failpoints.py), and
# the tests' choice of index (tests/index_backends.py).
_NOT_OPTIONS = frozenset({"LIUHEN_FAILPOINTS", "LIUHEN_TEST_INDEX"})


@dataclass(frozen=True)
class CaseNumberSettings:
    patterns: tuple[str, ...] = DEFAULT_PATTERNS

    def rule(self) -> CaseNumberRule:
        try:
            return CaseNumberRule(self.patterns)
        except Exception as exc:
            raise ConfigError(f"case_numbers.patterns: {exc}") from exc


@dataclass(frozen=True)
class LoggingSettings:
    level: str = "INFO"


@dataclass(frozen=True)
class Settings:
    server: IngestConfig = field(default_factory=IngestConfig)
    agent: AgentConfig = field(default_factory=AgentConfig)
    case_numbers: CaseNumberSettings = field(default_factory=CaseNumberSettings)
    compliance: ComplianceConfig = field(default_factory=ComplianceConfig)
    custody: CustodyConfig = field(default_factory=CustodyConfig)
    logging: LoggingSettings = field(default_factory=LoggingSettings)


def _is_optional(kind: Any) -> tuple[bool, Any]:
    args = typing.get_args(kind)
    if typing.get_origin(kind) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [arg for arg in args if arg is not type(None)]
        return True, rest[0]
    return False, kind


def _convert(kind: Any, value: Any, where: str) -> Any:
    optional, kind = _is_optional(kind)
    if value is None or (optional and value == ""):
        if optional:
            return None
        raise ConfigError(f"{where} may not be empty")
    if is_dataclass(kind):
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where} must be a table")
        return _build(kind, value, where)
    if typing.get_origin(kind) is tuple:
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{where} must be a list")
        item = typing.get_args(kind)[0]
        return tuple(_convert(item, element, f"{where}[{n}]") for n, element in enumerate(value))
    if kind is Path:
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a path string")
        return Path(value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{where} must be {kind.__name__}, not {type(value).__name__}")
    return value


def _build(cls: Any, data: Mapping[str, Any], where: str) -> Any:
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"unknown option(s) in [{where}]: {', '.join(unknown)}")
    hints = typing.get_type_hints(cls)
    values = {name: _convert(hints[name], value, f"{where}.{name}") for name, value in data.items()}
    return cls(**values)


def _from_env_text(kind: Any, text: str, where: str) -> Any:
    optional, inner = _is_optional(kind)
    if optional and text == "":
        return None
    if typing.get_origin(inner) is tuple:
        try:
            return json.loads(text)
        except ValueError:
            raise ConfigError(f"{where} from the environment must be a JSON array") from None
    if inner is bool:
        if text.lower() not in {"true", "false", "1", "0"}:
            raise ConfigError(f"{where} must be true or false")
        return text.lower() in {"true", "1"}
    if inner in (int, float):
        try:
            return inner(text)
        except ValueError:
            raise ConfigError(f"{where} must be a number") from None
    return text


def _overlay_env(data: dict[str, Any], environ: Mapping[str, str]) -> None:
    for name, text in environ.items():
        if not name.startswith(ENV_PREFIX) or name in _NOT_OPTIONS:
            continue
        path = name[len(ENV_PREFIX) :].lower().split("__")
        kind: Any = Settings
        target = data
        for depth, key in enumerate(path):
            hints = typing.get_type_hints(kind) if is_dataclass(kind) else {}
            if key not in hints:
                raise ConfigError(f"{name} names no option")
            kind = _is_optional(hints[key])[1]
            if depth == len(path) - 1:
                target[key] = _from_env_text(hints[key], text, ".".join(path))
            else:
                target = target.setdefault(key, {})


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text("utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    _overlay_env(data, os.environ if environ is None else environ)
    settings: Settings = _build(Settings, data, "settings")
    settings.case_numbers.rule()  # a bad pattern fails now, not at the first manifest
    return settings


def _options(cls: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    defaults = cls()
    for item in fields(cls):
        value = getattr(defaults, item.name)
        if is_dataclass(value):
            yield from _options(type(value), f"{prefix}{item.name}.")
        else:
            yield f"{prefix}{item.name}", value


def describe_defaults() -> list[tuple[str, str]]:
    """Every option with its default, as ``section.option`` and TOML-ish text."""
    rows = []
    for name, value in _options(Settings, ""):
        if isinstance(value, tuple):
            text = json.dumps([str(item) for item in value], ensure_ascii=False)
        elif value is None:
            text = "(unset)"
        elif isinstance(value, str | Path):
            text = json.dumps(str(value), ensure_ascii=False)
        else:
            text = json.dumps(value)
        rows.append((name, text))
    return rows
