"""The custodian's question: is this clip from that recording, and from which seconds?

The clip is fingerprinted at eight sampling phases (every ⅛ s), since a clip cut from a
recording rarely starts on a whole second of it, and compared with the per-second
fingerprints of the original that the agent computed while making the review copy.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence.errors import FingerprintsMissing, NotFound, UnreadableMedia
from evidence.identifiers import EvidenceId, Role
from evidence.perceptual import MATCH_DISTANCE, match_clip
from runtime.video_prints import prints_of_video
from storage.interfaces import Media, ObjectLookup

__all__ = ["PHASES", "ClipMatcher"]

PHASES = tuple(n / 8 for n in range(8))


@dataclass(frozen=True)
class ClipMatcher:
    objects: ObjectLookup
    media: Media  # the recording's fingerprints
    scratch: Path  # where a clip sent over HTTP waits to be read
    max_clip_bytes: int

    async def match(self, evidence_id: EvidenceId, clip: Path) -> dict[str, Any]:
        if await self.objects.get(evidence_id, Role.ORIGINAL) is None:
            raise NotFound(f"no stored recording {evidence_id}")
        recording = await self.media.prints(evidence_id, Role.ORIGINAL)
        if not recording:
            raise FingerprintsMissing(
                f"{evidence_id} has no fingerprints: its review copy has not arrived, "
                "or it has no video"
            )
        phases = await asyncio.to_thread(prints_of_video, clip, PHASES)
        if not any(phases):
            raise UnreadableMedia("the clip has no decodable video")
        result = match_clip(phases, recording)
        start = result.first_second
        return {
            "evidence_id": str(evidence_id),
            "verdict": result.verdict,
            "recording_seconds": None if start is None else [start, start + len(result.distances)],
            "seconds_compared": result.seconds,
            "seconds_within_threshold": result.matched,
            "mean_distance": result.mean_distance,
            "threshold": MATCH_DISTANCE,
            "distances": list(result.distances),
            "algorithm": "pdq",
        }
