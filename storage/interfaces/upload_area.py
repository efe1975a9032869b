"""Where a tus upload's bytes wait until finalize, and the landing one PATCH writes to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from evidence.digest import Sha256, StreamingFingerprint
from storage.records import UploadRecord

__all__ = ["Landing", "Piece", "UploadArea"]

# A piece of a body as received, or a part of one cut at a chunk boundary.
Piece = bytes | memoryview


class Landing(Protocol):
    """Where one PATCH's bytes go, in order, from one thread, from the upload's committed
    offset on."""

    def write(self, pieces: Sequence[Piece]) -> None: ...

    def make_prefix_durable(self, size: int) -> bool:
        """Make the first ``size`` bytes written durable, if this landing can make a prefix
        durable on its own; return whether they are (a file: always, once synced; S3:
        only at the end of a part already put). A checkpoint inside a PATCH, called on
        another thread than ``write``, once the writes it covers are done."""
        ...

    def make_durable(self) -> int:
        """Make what was written durable; return how many bytes, from the PATCH's offset,
        now are: all of them (a file, once fsynced), or whole parts only (S3: what did not
        fill a part is dropped, and the client sends it again from the offset it hears).
        Raises PartTooSmall if a body kept nothing."""
        ...

    def close(self) -> None: ...


class UploadArea(Protocol):
    """Where a tus upload's bytes wait between its PATCHes and finalize. Transfer buffers,
    not evidence: the device keeps the original until it holds a receipt, so an ended
    upload's bytes may be dropped. Two kinds, chosen by ``server.upload_area``: partial
    files on this server's disk (``storage/local_uploads.py``) and S3 multipart uploads
    that any server sharing the bucket can add to (``storage/s3_uploads.py``)."""

    name: str
    reserving: set[str]  # uploads this process is creating: room made, no index row yet

    def create(self, upload: UploadRecord) -> None:
        """Make room for the upload's bytes (507 now, not half-way, when there is none)."""
        ...

    def fill(self, upload: UploadRecord, data: bytes) -> None:
        """Write, durably, a whole small object the server made itself (a transcript)."""
        ...

    def open_at(self, upload: UploadRecord, chunk_size: int) -> Landing:
        """A landing for one PATCH at the upload's committed offset (``chunk_size``: the
        manifest's, which parts are made of)."""
        ...

    def resume(
        self, upload: UploadRecord, fresh: StreamingFingerprint, chunks: Sequence[Sha256]
    ) -> StreamingFingerprint:
        """The fingerprint of the committed bytes, for a server that did not hash them as
        they came (it restarted, or another took them): ``fresh`` fed by reading them
        back, or, where they cannot be read back, resumed from the signed ``chunks`` with
        no whole-file digest (then finalize reads the stored object back)."""
        ...

    def store(self, upload: UploadRecord, sha256: Sha256) -> str:
        """The upload's bytes as a stored object in the blob store; return its locator.
        Idempotent: an upload stored already returns the same locator."""
        ...

    def remove(self, upload: UploadRecord) -> None:
        """Drop an ended upload's bytes (nothing, once they are stored)."""
        ...
