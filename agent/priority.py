"""Which footage goes first. Pure: no I/O.

The server knows which enforcement acts need whole-process recording; the agent does
not. It goes by what the dock's sidecar says (docs/sidecar.md), and takes a recording as
**urgent** when the officer marked it ``important``, when it is a segment of an
interview or hearing-room session (``session_id``), or when it carries a case number
(footage of a registered case, whose acts the server will measure). Everything else is
routine.

The work loop takes files in this order (agent/journal.py, ``due``):

1. originals before derived copies (evidence before review copies and transcripts);
2. urgent before routine (a copy is as urgent as its original);
3. the oldest in the queue first (when the agent found the file), then the journal's order.

A file that is backing off or held waits for its time whatever its rank; the order
decides among files that are due, ``agent.max_parallel`` at a time.
"""

from __future__ import annotations

from devices.sidecar import Sidecar

__all__ = ["urgency"]


def urgency(sidecar: Sidecar | None) -> str | None:
    """Why the recording is urgent, or None when it is routine."""
    if sidecar is None:
        return None
    if sidecar.important:
        return "marked important"
    if sidecar.session_id is not None:
        return "a room session"
    if sidecar.case_number is not None:
        return "a case number"
    return None
