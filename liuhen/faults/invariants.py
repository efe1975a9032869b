"""What must hold after any crash or network fault (issue 10, item 5), checked the same
way by every scenario test and by every chaos trial. Each check adds to a ``Tally``: how
often each invariant was checked, and every violation with what was found.

    one_recording        every source file is exactly one stored original, with its SHA-256
                         (the blob in the store re-read), and nothing stored is unaccounted for
    receipt_first        nothing is marked safe to remove, and no row receipted, without a
                         receipt that verifies under the pinned server key, names exactly
                         its manifest, and matches what the server stored (for a
                         duplicate: its original's, with the same SHA-256 and size)
    offset_monotonic     no upload's committed offset (sampled with HEAD) ever went down,
                         or past its length
    offset_durable       an open upload's committed bytes are in its partial file: every
                         whole chunk below the offset hashes to its signed digest, and a
                         part-chunk equals the source's bytes
    no_orphans           every partial file belongs to an open upload, and every open
                         upload has its partial file
    one_chunk_resent     PATCH body bytes through the proxy ≤ the bytes stored plus one
                         chunk (or the largest file, if smaller) per interruption and
                         file in flight at each
    rss_bounded          each process's peak resident memory stayed under its limit
    finished             a chaos trial's agent finished every file before its deadline
                         (nothing stalled); scenario tests assert the same by waiting

Checks read files only (liuhen/faults/books.py), never ask the processes.
"""

from __future__ import annotations

import enum
import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agent.file_row import FileRow
from agent.states import FileState
from evidence.case_number import CaseNumberRule
from evidence.digest import Sha256
from evidence.errors import LiuhenError
from evidence.keys import Ed25519PublicKey
from evidence.receipt import SignedReceipt
from liuhen.faults.books import AgentBooks, ServerBooks, StoredObject, sha256_of

__all__ = [
    "Invariant",
    "Tally",
    "check_durable_offsets",
    "check_offsets",
    "check_orphans",
    "check_receipts",
    "check_reclaimed",
    "check_recordings",
    "check_resends",
    "check_rss",
]


class Invariant(enum.StrEnum):
    ONE_RECORDING = "one_recording"
    RECEIPT_FIRST = "receipt_first"
    OFFSET_MONOTONIC = "offset_monotonic"
    OFFSET_DURABLE = "offset_durable"
    NO_ORPHANS = "no_orphans"
    ONE_CHUNK_RESENT = "one_chunk_resent"
    RSS_BOUNDED = "rss_bounded"
    FINISHED = "finished"


@dataclass
class Tally:
    checked: Counter[Invariant] = field(default_factory=Counter)
    violations: list[tuple[Invariant, str]] = field(default_factory=list)

    def check(self, invariant: Invariant, holds: bool, detail: str) -> bool:
        self.checked[invariant] += 1
        if not holds:
            self.violations.append((invariant, detail))
        return holds

    def merge(self, other: Tally) -> None:
        self.checked.update(other.checked)
        self.violations.extend(other.violations)

    @property
    def ok(self) -> bool:
        return not self.violations

    def broken(self) -> set[Invariant]:
        return {invariant for invariant, _ in self.violations}

    def lines(self) -> list[str]:
        """One line per invariant: checked, violated."""
        failed = Counter(invariant for invariant, _ in self.violations)
        return [
            f"{invariant.value:<17} checked {self.checked[invariant]:>6}, violated {failed[invariant]}"
            for invariant in Invariant
        ]


def check_recordings(
    tally: Tally, sources: Iterable[Path], server: ServerBooks, *, rehash: bool = True
) -> None:
    by_sha: dict[str, list[Path]] = {}
    for source in sources:
        by_sha.setdefault(sha256_of(source), []).append(source)
    stored = Counter(stored.sha256 for stored in server.originals())
    for sha, paths in by_sha.items():
        names = ", ".join(path.name for path in paths)
        tally.check(
            Invariant.ONE_RECORDING,
            stored[sha] == 1,
            f"{names} (sha256 {sha[:12]}…) is stored as {stored[sha]} recordings",
        )
    for sha in set(stored) - set(by_sha):
        tally.check(Invariant.ONE_RECORDING, False, f"an original {sha[:12]}… has no source")
    for stored_object in server.objects():
        blob = server.blob_path(stored_object.locator)
        held = blob.exists() and blob.stat().st_size == stored_object.size
        if held and rehash:
            held = sha256_of(blob) == stored_object.sha256
        tally.check(
            Invariant.ONE_RECORDING,
            held,
            f"{stored_object.evidence_id}/{stored_object.role}: the store does not hold "
            f"its {stored_object.size} bytes with sha256 {stored_object.sha256[:12]}…",
        )


def check_receipts(
    tally: Tally, agent: AgentBooks, server_key: Ed25519PublicKey, server: ServerBooks
) -> None:
    stored = {(item.evidence_id, item.role): item for item in server.objects()}
    signatures = agent.receipt_signatures()
    rows = agent.files()
    by_id = {row.id: row for row in rows}
    for row in rows:
        if not (row.safe_to_remove or row.state is FileState.RECEIPTED):
            continue
        holder = row if row.duplicate_of is None else by_id.get(row.duplicate_of)
        if holder is None or (holder is not row and holder.state is not FileState.RECEIPTED):
            problem: str | None = "a duplicate whose original is not receipted"
        elif holder.fingerprint != row.fingerprint:
            problem = f"a duplicate of file {holder.id}, whose bytes are other"
        else:
            signature = signatures.get(holder.id)
            problem = _receipt_problem(holder, signature, server_key, server.rule, stored)
        tally.check(
            Invariant.RECEIPT_FIRST,
            problem is None,
            f"{row.path.name} ({row.role.value}, file {row.id}, {row.state.value}, "
            f"safe to remove: {row.safe_to_remove}): {problem}",
        )


def _receipt_problem(
    row: FileRow,
    signature: bytes | None,
    server_key: Ed25519PublicKey,
    rule: CaseNumberRule,
    stored: Mapping[tuple[str, str], StoredObject],
) -> str | None:
    if row.receipt is None or signature is None:
        return "no receipt"
    try:
        signed = SignedReceipt.parse(row.receipt, signature)
        signed.verify(server_key)
        signed.check_covers(row.signed(rule))
    except LiuhenError as exc:
        return f"its receipt does not hold [{exc.code}]: {exc.message}"
    held = stored.get((str(row.evidence_id), row.role.value))
    if held is None:
        return "the server stores no such object"
    receipt = signed.receipt
    if (held.manifest_sha256, held.sha256) != (receipt.manifest_sha256.hex, receipt.sha256.hex):
        return "the server stored other bytes, or under another manifest"
    return None


def check_offsets(
    tally: Tally, samples: Mapping[str, Sequence[int]], lengths: Mapping[str, int]
) -> None:
    """``samples``: each upload's committed offsets in the order they were seen."""
    for upload, seen in samples.items():
        dips = [(a, b) for a, b in itertools.pairwise(seen) if b < a]
        tally.check(
            Invariant.OFFSET_MONOTONIC,
            not dips,
            f"upload {upload}: the offset went down {len(dips)} time(s), first {dips[:1]}",
        )
        length = lengths.get(upload)
        if length is not None:
            tally.check(
                Invariant.OFFSET_MONOTONIC,
                max(seen, default=0) <= length,
                f"upload {upload}: offset {max(seen, default=0)} past its length {length}",
            )


def check_durable_offsets(
    tally: Tally, server: ServerBooks, sources: Mapping[str, Path] | None = None
) -> None:
    """``sources``: evidence id → the file on the dock, to check a part-chunk against."""
    for upload in server.uploads():
        if upload.state != "open":
            continue
        partial = server.partial_path(upload.upload_id)
        what = f"upload {upload.upload_id} at {upload.offset} of {upload.length}"
        if not partial.exists():
            tally.check(Invariant.OFFSET_DURABLE, False, f"{what}: no partial file")
            continue
        manifest = server.manifest(upload.evidence_id, upload.role)
        source = (sources or {}).get(upload.evidence_id) if upload.role == "original" else None
        problem = _unheld_bytes(
            partial, upload.offset, manifest.chunk_size, manifest.chunks, source
        )
        tally.check(Invariant.OFFSET_DURABLE, problem is None, f"{what}: {problem}")


def _unheld_bytes(
    partial: Path, offset: int, chunk_size: int, chunks: Sequence[Sha256], source: Path | None
) -> str | None:
    if partial.stat().st_size < offset:
        return f"the partial file has only {partial.stat().st_size} bytes"
    whole = offset // chunk_size
    with open(partial, "rb") as handle:
        for index in range(whole):
            if Sha256.of(handle.read(chunk_size)) != chunks[index]:
                return f"chunk {index}, below the committed offset, is not the signed one"
        tail = offset - whole * chunk_size
        if tail and source is not None:
            with open(source, "rb") as original:
                original.seek(whole * chunk_size)
                if handle.read(tail) != original.read(tail):
                    return (
                        f"the {tail} bytes of chunk {whole} below the offset are not the source's"
                    )
    return None


def check_orphans(tally: Tally, server: ServerBooks, *, crashed: bool = False) -> list[Path]:
    """Every partial file belongs to an open upload, and every open upload has one. In the
    books a kill left (``crashed``), a partial file no open upload names is not yet a
    violation: a crash may leave one (killed between allocation and the index row, or
    after indexing before the unlink), and the restart must reclaim it. Those are returned,
    for ``check_reclaimed`` once the server runs again."""
    open_uploads = {row.upload_id for row in server.uploads() if row.state == "open"}
    left: list[Path] = []
    for partial in server.partial_files():
        if crashed and partial.stem not in open_uploads:
            left.append(partial)
            continue
        tally.check(
            Invariant.NO_ORPHANS,
            partial.stem in open_uploads,
            f"{partial.name} ({partial.stat().st_size} bytes) belongs to no open upload",
        )
    for upload_id in open_uploads:
        tally.check(
            Invariant.NO_ORPHANS,
            server.partial_path(upload_id).exists(),
            f"open upload {upload_id} has no partial file",
        )
    return left


def check_reclaimed(tally: Tally, left: list[Path]) -> None:
    """What a crash left in the upload area is gone once the server has started again."""
    for partial in left:
        tally.check(
            Invariant.NO_ORPHANS,
            not partial.exists(),
            f"{partial.name}, left by a crash, was not reclaimed when the server restarted",
        )


def check_resends(
    tally: Tally, patch_bytes: int, stored_bytes: int, interruptions: int, chunk_size: int
) -> None:
    allowed = stored_bytes + interruptions * chunk_size
    tally.check(
        Invariant.ONE_CHUNK_RESENT,
        patch_bytes <= allowed,
        f"{patch_bytes} PATCH body bytes for {stored_bytes} stored and {interruptions} "
        f"interruption(s): {patch_bytes - stored_bytes} re-sent, at most {allowed - stored_bytes} allowed",
    )


def check_rss(tally: Tally, name: str, peak_kib: int, limit_kib: int) -> None:
    tally.check(
        Invariant.RSS_BOUNDED,
        peak_kib <= limit_kib,
        f"{name} peaked at {peak_kib // 1024} MiB, over its {limit_kib // 1024} MiB",
    )
