"""The agent's failpoints: places where it kills itself on purpose, so tests and the chaos
run can crash it at the worst moments and check that nothing is lost (docs/reliability.md).
The switch (``LIUHEN_FAILPOINTS``, its syntax, the kill) is ``runtime/failpoints.py``,
shared with the server's points (``ingest/failpoints.py``); this module names the agent's.
``arm_from_environment`` is called once, as the agent starts.
"""

from __future__ import annotations

from runtime.failpoints import ENVIRONMENT, Failpoints

__all__ = [
    "AFTER_204",
    "AFTER_COMMAND_RECORDED",
    "AFTER_CREATE",
    "AFTER_FINALIZE",
    "BEFORE_COMMAND_RECORDED",
    "ENVIRONMENT",
    "MID_PATCH",
    "NAMES",
    "WHILE_HASHING",
    "WHILE_REVIEW_COPY",
    "arm",
    "arm_from_environment",
    "armed",
    "disarm",
    "hit",
    "parse",
]

# After the server created the upload, before its URL is in the journal.
AFTER_CREATE = "agent.after_create_before_url_saved"
# Half-way through a PATCH body (after its first MiB).
MID_PATCH = "agent.mid_patch"
# After a PATCH came back 204, before the agent acts on it (the next chunk, or the
# journal's move to ``uploaded`` after the last one). The agent keeps no offset of its
# own: the server's committed offset is the truth, asked again with HEAD on resume.
AFTER_204 = "agent.after_204_before_journal"
# After finalize answered with a receipt that verifies, before the journal stores it.
AFTER_FINALIZE = "agent.after_finalize_before_receipt_saved"
# In the middle of reading a file for its fingerprint (after each MiB).
WHILE_HASHING = "agent.while_hashing"
# In the middle of a review copy's transcode (at each video frame).
WHILE_REVIEW_COPY = "agent.while_making_review_copy"
# An MQTT command received, inside the transaction that records its id, before the insert.
BEFORE_COMMAND_RECORDED = "agent.before_command_recorded"
# An MQTT command's id recorded, before it is answered (and acknowledged to the broker).
AFTER_COMMAND_RECORDED = "agent.after_command_recorded"

NAMES = frozenset(
    {
        AFTER_CREATE,
        MID_PATCH,
        AFTER_204,
        AFTER_FINALIZE,
        WHILE_HASHING,
        WHILE_REVIEW_COPY,
        BEFORE_COMMAND_RECORDED,
        AFTER_COMMAND_RECORDED,
    }
)

_points = Failpoints("agent", NAMES)
hit = _points.hit
armed = _points.armed
parse = _points.parse
arm = _points.arm
arm_from_environment = _points.arm_from_environment
disarm = _points.disarm
