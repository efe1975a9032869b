"""When a manifest registered again is the same recording: the rule without I/O, the
reference the index's ``Uploads.register_manifest`` is checked against
(tests/storage/test_rules_agree.py; ``storage/sqlite/uploads.py`` ``_held_manifest`` and
``_insert_manifest``, over the keys of ``manifests`` in schema.sql).

1. An object is its evidence id and role. A manifest for an object the index holds is the
   same registration when its exact bytes are (the same SHA-256): a device retrying after
   a lost answer. It changes nothing.
2. Other bytes for an object the index holds are refused (``manifest_conflict``): what was
   signed first stays, whatever the second says.
3. A new object whose device already used its sequence number for another object is
   refused (``sequence_reused``): a device's chain has one manifest at each place.
4. Anything else is new, and kept.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

__all__ = ["Registration", "registration"]


class Registration(enum.StrEnum):
    NEW = "new"
    SAME = "same"
    CONFLICT = "manifest_conflict"
    SEQUENCE_REUSED = "sequence_reused"


Object = tuple[str, str]  # evidence id, role


def registration(
    held: Mapping[Object, str],
    places: Mapping[tuple[str, int], Object],
    obj: Object,
    sha256: str,
    place: tuple[str, int],
) -> Registration:
    """What registering ``obj`` (its manifest's ``sha256``, at its device's ``place``:
    device id and sequence number) is, given the manifests ``held`` (object -> SHA-256)
    and the ``places`` their devices' sequence numbers hold."""
    if obj in held:
        return Registration.SAME if held[obj] == sha256 else Registration.CONFLICT
    if place in places:
        return Registration.SEQUENCE_REUSED
    return Registration.NEW
