"""One stored object checked against what was signed, never against the index's word.

The anchors are signatures: the receipt, signed by the server's key (read from its key
file, not the index), names the manifest by its SHA-256 and the object's bytes by size,
SHA-256, chunk root and locator; the manifest, signed by the device's registered key,
names every chunk. The bytes are read back from where the receipt says they are and
checked against the signed manifest; the index's rows for the object and its manifest,
and the custody log's ingest entry, must agree with those documents. An index that
disagrees is itself a finding (``index_mismatch``): a row rewritten after its trigger was
dropped verifies as nothing.

Every check reports (``run_checks``); the log's fixity entry names the first failure by
trust (``first_failure``): the receipt's signature, then whether it names this manifest,
then the device's signature, then the bytes (missing, size, chunks, SHA-256), then the
index and the log. So a swapped manifest is named as such, not as the wrong size its
bytes then have.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from evidence.digest import Fingerprint, Sha256
from evidence.errors import ChunkRootMismatch, LiuhenError
from evidence.keys import Ed25519PublicKey
from evidence.manifest import SignedManifest
from evidence.receipt import SignedReceipt
from evidence.tlog.leaf_events import FixityFailure, FixityStep, IngestLeaf
from ingest.custody.policies import (
    ChunksMatch,
    DigestMatches,
    Policy,
    ReceiptValid,
    SignatureValid,
    SizeMatches,
    Subject,
)
from storage.records import ManifestRecord, StoredObject

__all__ = ["Check", "Held", "first_failure", "run_checks"]

# The order a failure is named in: the enum's (docs/custody-log.md#fixity-audits).
_TRUST = tuple(FixityStep)


@dataclass(frozen=True, slots=True)
class Held:
    """What the audit gathered about one object."""

    stored: StoredObject  # the index's row
    manifest: ManifestRecord | None  # the index's copy of the signed manifest
    signed: SignedManifest | None  # that copy, read (None: unreadable)
    device_key: Ed25519PublicKey | None  # the key registered to the manifest's device
    receipt: SignedReceipt | None  # the row's receipt, read (None: unreadable)
    server_key: Ed25519PublicKey
    ingest: IngestLeaf | None  # the custody log's entry for the object
    fingerprint: Fingerprint | None  # the bytes as read back (None: unreadable)
    read_error: LiuhenError | None = None


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    code: str | None = None
    message: str | None = None
    step: FixityStep | None = None
    chunk: int | None = None

    def to_json(self) -> dict[str, object]:
        return {"check": self.name, "ok": self.ok, "code": self.code, "message": self.message}


def _failed(name: str, step: FixityStep, code: str, message: str) -> Check:
    return Check(name, False, code, message, step)


def _stored_bytes(held: Held) -> Check:
    if held.fingerprint is not None:
        return Check("stored_bytes", True)
    error = held.read_error
    code = "storage_failure" if error is None else error.code
    message = "the stored bytes cannot be read" if error is None else error.message
    return _failed("stored_bytes", FixityStep.MISSING, code, message)


def _policy(name: str, policy: Policy, step: FixityStep) -> Callable[[Held], Check]:
    def check(held: Held) -> Check:
        if held.signed is None:
            message = "the manifest held for this object cannot be read"
            return _failed(name, FixityStep.MANIFEST_SIGNATURE, "bad_manifest", message)
        subject = Subject(
            held.signed, held.device_key, held.fingerprint, held.receipt, held.server_key
        )
        try:
            policy.check(subject)
        except ChunkRootMismatch as exc:
            damaged = exc.details.get("damaged_chunks") or [None]
            return Check(name, False, exc.code, exc.message, step, damaged[0])
        except LiuhenError as exc:
            return _failed(
                name, _receipt_step(exc) if name == "receipt" else step, exc.code, exc.message
            )
        return Check(name, True)

    return check


def _receipt_step(error: LiuhenError) -> FixityStep:
    """A receipt that verifies but names another manifest, or one that does not verify."""
    if error.code == "receipt_mismatch":
        return FixityStep.RECEIPT_MISMATCH
    return FixityStep.RECEIPT_SIGNATURE


def _differences(pairs: dict[str, tuple[object, object]]) -> list[str]:
    return [name for name, (held, signed) in pairs.items() if held != signed]


def _index(held: Held) -> Check:
    receipt, row = held.receipt, held.stored
    if receipt is None or held.signed is None or held.manifest is None:
        return Check("index", True)  # nothing signed to hold it against: reported above
    signed, manifest = receipt.receipt, held.signed.manifest
    wrong = _differences(
        {
            "objects.manifest_sha256": (row.manifest_sha256, signed.manifest_sha256),
            "objects.sha256": (row.sha256, signed.sha256),
            "objects.size": (row.size, signed.size),
            "objects.chunk_root": (row.chunk_root, signed.chunk_root),
            "objects.locator": ((row.store, row.locator), (signed.store, signed.locator)),
            "objects.device_id, sequence": (
                (row.device_id, row.sequence),
                (signed.device_id, signed.sequence),
            ),
            "objects.case_number": (row.case_number, manifest.case_number),
            "objects.started_at": (row.started_at, manifest.capture.started_at),
            "manifests.manifest_sha256": (
                held.manifest.manifest_sha256,
                Sha256.of(held.manifest.body),
            ),
            "manifests.device_id": (
                (held.manifest.device_id, held.manifest.sequence, held.manifest.key_id),
                (manifest.device_id, manifest.sequence, manifest.key_id),
            ),
        }
    )
    if not wrong:
        return Check("index", True)
    message = f"the index disagrees with the signed receipt and manifest in {', '.join(wrong)}"
    return _failed("index", FixityStep.INDEX_MISMATCH, "index_mismatch", message)


def _log(held: Held) -> Check:
    entry, receipt = held.ingest, held.receipt
    if entry is None:
        message = "the custody log has no ingest entry for this object"
        return _failed("log", FixityStep.INDEX_MISMATCH, "index_mismatch", message)
    if receipt is None:
        return Check("log", True)  # the receipt's own check says it cannot be read
    signed = receipt.receipt
    wrong = _differences(
        {
            "sha256": (entry.sha256, signed.sha256),
            "manifest_sha256": (entry.manifest_sha256, signed.manifest_sha256),
            "receipt_sha256": (entry.receipt_sha256, Sha256.of(receipt.body)),
            "device_id": (entry.device_id, signed.device_id),
        }
    )
    if not wrong:
        return Check("log", True)
    message = f"the custody log's ingest entry names another {', '.join(wrong)}"
    return _failed("log", FixityStep.INDEX_MISMATCH, "index_mismatch", message)


_CHECKS: tuple[Callable[[Held], Check], ...] = (
    _stored_bytes,
    _policy("signature", SignatureValid(), FixityStep.MANIFEST_SIGNATURE),
    _policy("size", SizeMatches(), FixityStep.SIZE),
    _policy("sha256", DigestMatches(), FixityStep.SHA256),
    _policy("chunks", ChunksMatch(), FixityStep.CHUNKS),
    _policy("receipt", ReceiptValid(), FixityStep.RECEIPT_SIGNATURE),
    _index,
    _log,
)


def run_checks(held: Held) -> list[Check]:
    """Every check, in the order a person reads them."""
    return [check(held) for check in _CHECKS]


def first_failure(checks: list[Check]) -> FixityFailure | None:
    """The failure the log names: the first by trust (``_TRUST``), with its chunk."""
    failed = [(check, check.step) for check in checks if check.step is not None]
    if not failed:
        return None
    first, step = min(failed, key=lambda pair: _TRUST.index(pair[1]))
    chunk = None
    if step is FixityStep.CHUNKS:  # a chunk count that differs: damage from the first
        chunk = 0 if first.chunk is None else first.chunk
    return FixityFailure(step, chunk, (first.message or first.code or "failed")[:1024])
