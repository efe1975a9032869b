"""Find a recording's sidecar, whichever shape it has, and read it without ever failing:
an unusable sidecar comes back with its problem, for the agent to note and record while
the footage goes on without it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from devices.sidecar import BadSidecar, Sidecar, find_sidecar, read_sidecar, sidecar_shape
from devices.sidecar_xml import read_xml_sidecar

__all__ = ["FoundSidecar", "load_sidecar", "read_any_sidecar"]


@dataclass(frozen=True, slots=True)
class FoundSidecar:
    path: Path
    shape: str  # "json" or "xml"
    sidecar: Sidecar | None  # None when it could not be used
    problem: BadSidecar | None = None


def read_any_sidecar(path: Path) -> Sidecar:
    """Read a sidecar of either shape, by its suffix; raises BadSidecar."""
    return read_xml_sidecar(path) if sidecar_shape(path) == "xml" else read_sidecar(path)


def load_sidecar(media: Path) -> FoundSidecar | None:
    """The sidecar beside ``media``, read; None when there is none."""
    path = find_sidecar(media)
    if path is None:
        return None
    shape = sidecar_shape(path)
    try:
        return FoundSidecar(path, shape, read_any_sidecar(path))
    except BadSidecar as exc:
        return FoundSidecar(path, shape, None, exc)
