"""The server's failpoints: places where it kills itself on purpose, so the fault tests
and the chaos run can crash it at the worst moments of an upload and check that nothing is
lost or leaked (docs/reliability.md). The switch (``LIUHEN_FAILPOINTS``, its syntax, the
SIGKILL) is ``runtime/failpoints.py``, shared with the agent's points. The server arms
them once, as it starts (``liuhen ingest serve``); never set the variable in service.
"""

from __future__ import annotations

from runtime.failpoints import ENVIRONMENT, Failpoints

__all__ = [
    "AFTER_ALLOCATION",
    "AFTER_COMMIT",
    "AFTER_FSYNC",
    "AFTER_INDEX",
    "AFTER_RECEIPT",
    "AFTER_WRITE",
    "ENVIRONMENT",
    "MID_FINALIZE",
    "NAMES",
    "arm",
    "arm_from_environment",
    "armed",
    "disarm",
    "hit",
    "parse",
]

# A PATCH body is written to the partial file, not yet fsynced.
AFTER_WRITE = "server.after_write_before_fsync"
# The body is fsynced; its new offset is not committed in the index.
AFTER_FSYNC = "server.after_fsync_before_commit"
# The new offset is committed; the client has not heard 204 (nor finalize begun).
AFTER_COMMIT = "server.after_commit_before_reply"
# A new upload's partial file is allocated and fsynced; the index has no row for it.
AFTER_ALLOCATION = "server.after_allocation_before_index_row"
# Finalize verified every byte and linked them into the store; no receipt is signed.
MID_FINALIZE = "server.mid_finalize"
# The receipt is signed; the object is not indexed, the upload not marked finalized.
AFTER_RECEIPT = "server.after_receipt_before_indexing"
# The object is indexed and the upload finalized; its partial file is not yet removed.
AFTER_INDEX = "server.after_indexing_before_part_removed"

NAMES = frozenset(
    {
        AFTER_WRITE,
        AFTER_FSYNC,
        AFTER_COMMIT,
        AFTER_ALLOCATION,
        MID_FINALIZE,
        AFTER_RECEIPT,
        AFTER_INDEX,
    }
)

_points = Failpoints("server", NAMES)
hit = _points.hit
armed = _points.armed
parse = _points.parse
arm = _points.arm
arm_from_environment = _points.arm_from_environment
disarm = _points.disarm
