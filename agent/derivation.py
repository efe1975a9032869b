"""Derived copies of an original: the review copy ("proxy") and the transcript.

They start once the original is receipted (evidence first), each as a journal row of its
own that goes through the same sign-register-upload-receipt path. An original becomes safe
to remove from the dock when it is receipted and every copy of it is finished: the
review copy is made from the original on the dock, and the transcript lies beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agent.config import AgentConfig
from agent.journal import FileRow, Journal
from agent.media.probe import probe
from agent.media.profiles import Profile, load_profiles
from agent.media.proxy import TranscodeFailed, make_proxy
from agent.progress import Meter
from agent.states import FileState
from agent.work_report import WorkReport
from devices.sidecar import find_transcript
from evidence.errors import ConfigError, DerivationFailed
from evidence.identifiers import Role
from evidence.manifest_media import MediaFacts, Perceptual
from evidence.perceptual import SecondPrint
from runtime.video_prints import prints_of_video

__all__ = ["Derivation", "Made"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Made:
    media: MediaFacts | None
    perceptual: Perceptual | None


class Derivation:
    def __init__(self, config: AgentConfig, journal: Journal, clock: Callable[[], float]) -> None:
        self.config = config
        self.journal = journal
        self.clock = clock
        profiles = load_profiles()
        if config.make_proxies and config.proxy_profile not in profiles:
            raise ConfigError(
                f"agent.proxy_profile {config.proxy_profile!r} is not one of {sorted(profiles)}"
            )
        self.profile: Profile | None = (
            profiles.get(config.proxy_profile) if config.make_proxies else None
        )
        # One transcode at a time: the CPU is shared with hashing and uploads.
        self._transcoding = asyncio.Semaphore(1)
        self._freed: set[int] = set()  # originals said to be safe to remove, in this run

    async def plan(self, original: FileRow, now: float) -> None:
        """After an original's receipt: add the rows for its copies."""
        media = original.media
        if (
            self.profile is not None
            and media is not None
            and media.decodable
            and (media.has_video or media.has_audio)
        ):
            await self.journal.add_derived(
                original, Role.PROXY, self.config.proxy_path(str(original.evidence_id)), now
            )
        transcript = find_transcript(original.path)
        if transcript is not None:
            await self.journal.add_derived(original, Role.TRANSCRIPT, transcript, now)
        await self.settle(original, now)

    async def make(self, row: FileRow, original: FileRow) -> Made:
        """Produce the derived file (a transcript already exists) and describe it."""
        if row.role is not Role.PROXY:
            return Made(None, None)
        if self.profile is None:
            raise DerivationFailed("review copies are switched off (agent.make_proxies)")
        if not original.path.exists():
            raise FileNotFoundError(original.path)
        async with self._transcoding:
            original_prints = await self._transcode(row, original, self.profile)
            media = await asyncio.to_thread(probe, row.path)
            derived_prints = (
                (await asyncio.to_thread(prints_of_video, row.path))[0] if media.has_video else []
            )
        perceptual = Perceptual(original_prints, tuple(derived_prints)) if media.has_video else None
        log.info("%s: review copy made (%s)", original.path.name, self.profile.name)
        return Made(media, perceptual)

    async def _transcode(
        self, row: FileRow, original: FileRow, profile: Profile
    ) -> tuple[SecondPrint, ...]:
        """Make the copy in a thread, telling the journal and the log how far it got; if
        the agent stops meanwhile, the thread is told to stop too."""
        length = (original.media.duration_ms or 0) / 1000 if original.media else 0.0
        report = WorkReport(self.journal, row, Meter("transcode", length), self.clock)
        done = [0.0]  # written by the transcoding thread, read here
        cancel = threading.Event()
        work = asyncio.ensure_future(
            asyncio.to_thread(
                make_proxy,
                original.path,
                row.path,
                profile,
                self.config.transcode_nice,
                cancel=cancel,
                on_progress=lambda seconds: done.__setitem__(0, seconds),
            )
        )
        work.add_done_callback(lambda done: done.cancelled() or done.exception())  # retrieved
        try:
            while not work.done():
                await asyncio.wait({work}, timeout=1.0)
                await report.update(done[0])
            return work.result()
        except TranscodeFailed as exc:
            raise DerivationFailed(f"no review copy: {exc}") from exc
        finally:
            cancel.set()  # stops the thread if we are being cancelled; harmless once done

    async def finished(self, row: FileRow, now: float) -> None:
        """A copy reached its end: free the agent's own review copy once receipted (the
        receipt allows it) or given up (never signed: no evidence), and see whether the
        original is now safe to remove."""
        if row.role is Role.PROXY and row.state in (FileState.RECEIPTED, FileState.UNMADE):
            _remove_own_copy(row.path)
        if row.parent_id is not None:
            await self.settle(await self.journal.get(row.parent_id), now)

    async def settle(self, original: FileRow, now: float) -> None:
        """Free the original if no copy of it is on its way (the journal does it too, in
        the move that ends its last copy); say so once."""
        if original.state is not FileState.RECEIPTED or original.id in self._freed:
            return
        await self.journal.free_original(original, now)
        if (await self.journal.get(original.id)).safe_to_remove:
            self._freed.add(original.id)
            log.info("%s is safe to remove from the dock", original.path.name)


def _remove_own_copy(path: Path) -> None:
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not empty, or already gone
        path.parent.rmdir()
