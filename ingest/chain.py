"""Each device numbers its manifests 1, 2, 3… and names the hash of the one before.

A hole in the numbers is footage withheld or lost between device and server; two
manifests claiming one place is a reset journal or a cloned key. Neither is a reason to
refuse footage (refusing would lose it), so both become flags a custodian sees.
"""

from __future__ import annotations

from evidence.digest import Sha256
from evidence.identifiers import DeviceId
from evidence.manifest import Manifest
from ingest.context import ServerContext
from ingest.flags import SERVER, FlagKind, raise_flag

__all__ = ["MAX_GAP_FLAGS", "chain_subject", "note_chain_position"]

MAX_GAP_FLAGS = 100  # one flag per missing number, up to this many per arrival


def chain_subject(device: DeviceId, sequence: int) -> str:
    return f"{device}#{sequence}"


async def note_chain_position(ctx: ServerContext, manifest: Manifest, sha256: Sha256) -> None:
    """Called once when a new manifest is registered."""
    device, sequence = manifest.device_id, manifest.sequence
    uploads = ctx.index.uploads
    await ctx.index.flags.resolve(
        FlagKind.SEQUENCE_GAP.value,
        chain_subject(device, sequence),
        "manifest arrived",
        SERVER,
        ctx.clock(),
    )
    before = await uploads.manifest_at(device, sequence - 1) if sequence > 1 else None
    if sequence > 1 and before is None:
        last = await uploads.last_manifest(device, below=sequence)
        first_missing = 1 if last is None else last.sequence + 1
        for missing in range(max(first_missing, sequence - MAX_GAP_FLAGS), sequence):
            await raise_flag(
                ctx,
                FlagKind.SEQUENCE_GAP,
                chain_subject(device, missing),
                {"missing_sequence": missing, "noticed_at_sequence": sequence},
                device_id=device,
            )
    elif before is not None and before.manifest_sha256 != manifest.previous:
        await _fork(ctx, manifest, sequence)
    after = await uploads.manifest_at(device, sequence + 1)
    if after is not None and after.previous_sha256 != sha256:
        await _fork(ctx, manifest, sequence + 1)


async def _fork(ctx: ServerContext, manifest: Manifest, sequence: int) -> None:
    await raise_flag(
        ctx,
        FlagKind.SEQUENCE_FORK,
        chain_subject(manifest.device_id, sequence),
        {"sequence": sequence, "evidence_id": str(manifest.evidence_id)},
        device_id=manifest.device_id,
        evidence_id=manifest.evidence_id,
        role=manifest.role,
    )
