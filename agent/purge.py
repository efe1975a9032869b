"""Remove receipted footage from the dock once the retention policy allows it, after
checking the receipt twice: the stored one under the pinned key, and the server's answer
now, byte for byte (the rules: agent/retention.py)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from agent.config import AgentConfig
from agent.file_row import FileRow
from agent.journal import Journal
from agent.retention import purge_after, purges_with
from agent.server_api import ServerApi
from evidence.case_number import CaseNumberRule
from evidence.digest import Sha256, fingerprint_file
from evidence.errors import BadSignature, LiuhenError, ReceiptMismatch
from evidence.keys import Ed25519PublicKey
from evidence.receipt import SignedReceipt

__all__ = ["Purger"]

log = logging.getLogger(__name__)


def _still_signed(path: Path, size: int, sha256: Sha256) -> bool:
    """Is the file at ``path`` the one signed, and unchanged while it was read? False when
    it is gone or another file."""
    try:
        before = path.stat()
        if before.st_size != size or fingerprint_file(path).sha256 != sha256:
            return False
        after = path.stat()
    except FileNotFoundError:
        return False
    return (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


class Purger:
    def __init__(
        self,
        config: AgentConfig,
        journal: Journal,
        api: ServerApi,
        server_key: Ed25519PublicKey,
        rule: CaseNumberRule,
        clock: Callable[[], float],
    ) -> None:
        self.config = config
        self.journal = journal
        self.api = api
        self.server_key = server_key
        self.rule = rule
        self.clock = clock

    async def run_once(self) -> int:
        """Purge what is due now; how many objects were removed. Stops at the first
        answer from the server that is not a receipt (it is tried again next time)."""
        before = purge_after(self.config.purge_after_days, self.clock())
        if before is None:
            return 0
        removed = 0
        for original in await self.journal.purgeable(before):
            copies = [
                c for c in await self.journal.derived_of(original) if purges_with(original, c)
            ]
            try:
                for row in (original, *copies):
                    await self._recheck(row)
            except ReceiptMismatch as exc:
                await self._alarm(original, exc)
                continue
            for row in (*copies, original):  # the original last: it is what allows the rest
                removed += await self._remove(row)
        return removed

    async def _recheck(self, row: FileRow) -> None:
        """The stored receipt verifies and names the manifest, and the server gives the
        same one again. Raises ReceiptMismatch, or the server's error when it cannot say."""
        if row.receipt is None or row.receipt_signature is None:
            raise ReceiptMismatch(f"file {row.id} has no stored receipt")
        stored = SignedReceipt.parse(row.receipt, row.receipt_signature)
        try:
            stored.verify(self.server_key)
        except BadSignature:
            raise ReceiptMismatch(
                "the stored receipt does not verify under the pinned key"
            ) from None
        stored.check_covers(row.signed(self.rule))
        again = await self.api.finalize(row.evidence_id, row.role)
        if (again.body, again.signature) != (stored.body, stored.signature):
            raise ReceiptMismatch(
                f"the server now answers another receipt for the {row.role.value} of "
                f"{row.evidence_id} than the one stored when it was receipted"
            )

    async def _alarm(self, original: FileRow, exc: ReceiptMismatch) -> None:
        log.error(
            "RECEIPT MISMATCH: %s is not purged: %s; kept, and not tried again",
            original.path,
            exc.message,
        )
        await self.journal.mark(
            original, error_code=exc.code, error_message=exc.message, error_at=self.clock()
        )

    async def _remove(self, row: FileRow) -> int:
        signed = row.signed(self.rule).manifest
        receipt_sha256 = hashlib.sha256(row.receipt or b"").hexdigest()
        if not await asyncio.to_thread(_still_signed, row.path, signed.size, signed.sha256):
            note = "not on the dock any more (or another file is at its path): nothing removed"
            await self.journal.record_purge(row, self.clock(), note, None, None)
            return 0
        try:
            row.path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise LiuhenError(f"cannot remove {row.path}: {exc.strerror}") from exc
        note = f"purged from the dock: sha256 {signed.sha256.hex}, receipt sha256 {receipt_sha256}"
        await self.journal.record_purge(row, self.clock(), note, signed.sha256.hex, receipt_sha256)
        log.info("%s %s", row.path, note)
        return 1
