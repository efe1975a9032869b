"""The two small interfaces the server's books sit behind: a blob store and an index.

Backends are chosen by name (see ``storage.backends``) and imported only when configured,
so boto3 or a PostgreSQL driver load only where they are used.

Blob stores are synchronous (boto3 and file I/O are); callers run them in a thread.
The index is asynchronous, so a native async driver fits behind it unchanged.

Where a method takes ``leaf``, it appends those bytes (a canonical custody-log leaf,
``evidence.tlog.leaves``) to the log in the transaction that records the event, so the
event and its log entry are kept together or not at all (docs/custody-log.md).

Beside them, an upload area (where a tus upload's bytes wait until finalize) with its
landing (where one PATCH's bytes go), and a capability some blob stores have: keeping each
object's signed documents beside its bytes (``SignedDocuments``).
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Generator, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from evidence.case_number import CaseNumber
from evidence.digest import Sha256, StreamingFingerprint
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.perceptual import SecondPrint
from evidence.tlog.nodes import NodeId
from storage.compliance_records import (
    ActChange,
    ActRecord,
    ActValues,
    CaseRecord,
    CatalogueVersion,
    DecisionRecord,
    ExemptionReason,
    ExemptionRecord,
    Footage,
    ImportResult,
    ImportRow,
    OfficerRecord,
    ReportQuery,
    ReportRows,
)
from storage.fleet_records import (
    BootRecord,
    CameraClockRecord,
    EventRecord,
    GapRecord,
    RoomSessionRecord,
    SessionSegment,
    StationRecord,
)
from storage.hold_records import HoldRecord, NewHold, RecordingKeeping
from storage.log_records import AccessQuery, CheckpointRecord, LoggedLeaf, LogOrigin
from storage.people_records import AccessRecord, PasswordRecord, SessionRecord
from storage.received_records import ReceivedObject, ReceivedPackage
from storage.records import (
    ActBatch,
    Derived,
    DeviceKeyRecord,
    DeviceRecord,
    Finalizing,
    FlagRecord,
    FlagResolution,
    ManifestRecord,
    NewFlag,
    SegmentRecord,
    StoredObject,
    TokenRecord,
    UploadRecord,
    UploadState,
    UserListing,
    UserRecord,
    VerificationRecord,
)

__all__ = [
    "BlobStore",
    "Cases",
    "Catalogues",
    "CatchUp",
    "Compliance",
    "ComplianceQueries",
    "Credentials",
    "CustodyLog",
    "Decisions",
    "Devices",
    "Document",
    "Exemptions",
    "Flags",
    "Fleet",
    "Index",
    "Landing",
    "Media",
    "Objects",
    "Received",
    "Rooms",
    "SignedDocuments",
    "UploadArea",
    "Uploads",
]

READ_RANGE_BUFFER = 1024 * 1024


class BlobStore(Protocol):
    """Write-once storage addressed by SHA-256. Nothing here deletes or overwrites."""

    name: str

    def put_file(self, source: Path, sha256: Sha256, size: int) -> str:
        """Store ``source`` durably under its digest; return the locator. Idempotent:
        storing bytes already held returns the existing locator. ``source`` is left alone."""
        ...

    def read(self, locator: str, buffer_size: int) -> Iterator[bytes]:
        """Stream the stored bytes."""
        ...

    def read_range(
        self, locator: str, start: int, length: int, buffer_size: int = READ_RANGE_BUFFER
    ) -> Generator[bytes, None, None]:
        """Stream ``length`` stored bytes from ``start`` (fewer if the object ends first; an
        HTTP Range, S3 serves them too), in blocks of at most ``buffer_size``."""
        ...

    def size(self, locator: str) -> int | None:
        """The stored size, or None if nothing is stored there."""
        ...


class Document(enum.StrEnum):
    """The signed documents kept beside an object's bytes, by their names."""

    MANIFEST = "manifest.json"  # the device's manifest: the exact bytes it signed
    MANIFEST_SIGNATURE = "manifest.sig"
    RECEIPT = "receipt.json"  # the server's receipt: the exact bytes it signed
    RECEIPT_SIGNATURE = "receipt.sig"


@runtime_checkable
class SignedDocuments(Protocol):
    """A blob store that also keeps each object's signed manifest and receipt beside its
    bytes, write-once, so that the store alone proves custody (S3 with Object Lock). The
    local store does not: there the index keeps them."""

    def keep_document(
        self, evidence_id: EvidenceId, role: Role, document: Document, data: bytes
    ) -> bytes:
        """Put ``data`` as the object's ``document`` unless one is held; return what is
        held (``data`` itself when it was put now). Never overwrites."""
        ...


class Landing(Protocol):
    """Where one PATCH's bytes go, in order, from one thread, from the upload's committed
    offset on."""

    def write(self, pieces: Sequence[bytes]) -> None: ...

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


class Devices(Protocol):
    async def add(
        self, device_id: DeviceId, label: str | None, key_id: str, public_key: bytes, now: datetime
    ) -> DeviceRecord: ...

    async def get(self, device_id: DeviceId) -> DeviceRecord | None: ...

    async def list_all(self) -> list[DeviceRecord]: ...

    async def revoke(self, device_id: DeviceId, now: datetime) -> DeviceRecord: ...

    async def key(self, key_id: str) -> DeviceKeyRecord | None: ...

    async def keys_of(self, device_id: DeviceId) -> list[DeviceKeyRecord]: ...


class Credentials(Protocol):
    async def add_user(self, name: str, role: str, now: datetime) -> UserRecord: ...

    async def get_user(self, name: str) -> UserRecord | None: ...

    async def users(self) -> list[UserListing]:
        """Every person, by name, with when their current API token expires."""
        ...

    async def set_disabled(self, name: str, disabled_at: datetime | None) -> UserRecord:
        """Disable a person from ``disabled_at`` on (kept if already disabled), or enable
        them with None. Raises UnknownUser."""
        ...

    async def replace_user_token(self, name: str, token_hash: str, expires_at: datetime) -> None:
        """Store a person's new API token and delete every other one of theirs, in one
        transaction: the old token is dead the moment the new one exists. Raises
        UnknownUser."""
        ...

    async def bound_tokens(self, expires_at: datetime) -> int:
        """Give every token stored without an expiry this one (tokens from before tokens
        expired); return how many."""
        ...

    async def store_token(
        self, token_hash: str, subject_kind: str, subject: str, expires_at: datetime
    ) -> None: ...

    async def find_token(self, token_hash: str) -> TokenRecord | None:
        """The token with this hash, expired or not: the caller says which it is."""
        ...

    async def use_nonce(self, nonce: str, expires_at: datetime, now: datetime) -> bool:
        """Record ``nonce`` as used; False if it already was (a replay)."""
        ...


class Accounts(Protocol):
    """People's passwords, sessions and case access (their names are in ``Credentials``)."""

    async def set_password(
        self, name: str, password_hash: str, must_change: bool, now: datetime
    ) -> None:
        """Keep a person's new password hash and end every session of theirs, in one
        transaction. Raises UnknownUser."""
        ...

    async def password(self, name: str) -> PasswordRecord | None: ...

    async def open_session(self, record: SessionRecord) -> None: ...

    async def find_session(self, token_hash: str) -> SessionRecord | None:
        """The session with this token hash, expired or not: the caller says which."""
        ...

    async def touch_session(self, token_hash: str, now: datetime) -> None:
        """The session was used now (its idle time starts again)."""
        ...

    async def end_session(self, token_hash: str) -> bool:
        """Sign the session out; False if there was none."""
        ...

    async def end_sessions(self, name: str) -> int:
        """End every session of a person (disabled, or their password changed)."""
        ...

    async def set_access(self, record: AccessRecord) -> None:
        """Replace a person's case access. Raises UnknownUser."""
        ...

    async def access(self, name: str) -> AccessRecord | None: ...


class Uploads(Protocol):
    async def register_manifest(
        self, record: ManifestRecord, derived: Derived | None = None
    ) -> tuple[ManifestRecord, bool]:
        """Store a manifest and what the caller derived from it (flags to resolve and to
        raise, a session segment, fingerprints) in one transaction: all or nothing.
        Return the manifest and whether it is new. The same bytes again return the stored
        one and write nothing; different bytes for the same object or sequence number
        raise."""
        ...

    async def manifest(self, evidence_id: EvidenceId, role: Role) -> ManifestRecord | None: ...

    async def manifest_at(self, device_id: DeviceId, sequence: int) -> ManifestRecord | None: ...

    async def last_manifest(
        self, device_id: DeviceId, below: int | None = None
    ) -> ManifestRecord | None:
        """The device's manifest with the highest sequence (below ``below``, if given)."""
        ...

    async def create_upload(self, record: UploadRecord) -> tuple[UploadRecord, bool]:
        """Create an upload unless one is open or finalized for the same object; return the
        upload and whether it is new."""
        ...

    async def reserved(self, device_id: DeviceId, now: datetime) -> tuple[int, int]:
        """How many of a device's uploads are open and not expired by ``now``, and the
        sum of the lengths of all its open ones, expired or not: a partial file holds its
        disk until the sweeper has removed it."""
        ...

    async def upload(self, upload_id: str) -> UploadRecord | None: ...

    async def live_upload(self, evidence_id: EvidenceId, role: Role) -> UploadRecord | None:
        """The open or finalized upload for an object, else the newest rejected one."""
        ...

    async def advance(
        self, upload_id: str, expected: int, new_offset: int, expires_at: datetime
    ) -> bool:
        """Commit a new offset if the stored one is still ``expected`` (compare-and-set)."""
        ...

    async def set_state(
        self,
        upload_id: str,
        *,
        expected: UploadState,
        state: UploadState,
        error_code: str | None = None,
        error_message: str | None = None,
    ) -> bool:
        """Move an upload to ``state`` if it is still in ``expected`` (compare-and-set);
        say whether it moved. An error given is kept with it; without one, the error it
        holds stays (a rejected upload keeps why when it ends)."""
        ...

    async def expired(self, now: datetime) -> list[UploadRecord]:
        """Open or rejected uploads whose time is up."""
        ...

    async def finalizing(
        self, evidence_id: EvidenceId, role: Role, upload_id: str | None = None
    ) -> Finalizing:
        """Everything finalize reads, in one call: the object's manifest, the upload named
        by ``upload_id`` (else the one ``live_upload`` gives), the stored object, the key
        the manifest names, and which manifest holds its device's sequence number."""
        ...


class Objects(Protocol):
    async def finalize(
        self,
        upload_id: str,
        stored: StoredObject,
        flags: Sequence[NewFlag] = (),
        *,
        leaf: bytes | None = None,
    ) -> StoredObject:
        """Index a verified object, mark its upload finalized, raise ``flags`` and log its
        ingest ``leaf``, in one transaction; an upload no longer open is refused
        (StorageFailure) and nothing is written. Idempotent: an object already indexed is
        returned as it was, and nothing is written."""
        ...

    async def get(self, evidence_id: EvidenceId, role: Role) -> StoredObject | None: ...

    async def of_recording(self, evidence_id: EvidenceId) -> list[StoredObject]: ...

    async def originals(
        self, case_number: str | None, limit: int, offset: int
    ) -> list[StoredObject]:
        """Stored originals, newest capture first; all of them when ``case_number`` is None."""
        ...

    async def add_verification(
        self,
        record: VerificationRecord,
        flags: Sequence[NewFlag] = (),
        *,
        leaf: bytes | None = None,
    ) -> None:
        """Keep a verification, raise ``flags`` about it and log its fixity ``leaf``, in
        one transaction."""
        ...

    async def latest_verification(
        self, evidence_id: EvidenceId, role: Role
    ) -> VerificationRecord | None: ...

    async def verifications(
        self, evidence_id: EvidenceId, role: Role, limit: int
    ) -> list[VerificationRecord]:
        """The object's verifications, newest first (its history, not only the latest)."""
        ...

    async def count(self) -> int: ...

    async def due_for_check(self, limit: int) -> list[StoredObject]:
        """Objects never verified first, then those verified longest ago (the fixity
        audit's order)."""
        ...

    async def page(self, after: tuple[EvidenceId, Role] | None, limit: int) -> list[StoredObject]:
        """Every object, by evidence id and role, from just after ``after``."""
        ...


class Flags(Protocol):
    async def raise_flag(
        self,
        kind: str,
        subject: str,
        detail: str,
        now: datetime,
        *,
        device_id: DeviceId | None = None,
        evidence_id: EvidenceId | None = None,
        role: Role | None = None,
    ) -> bool:
        """Raise a flag unless one of this kind is already open for ``subject``."""
        ...

    async def resolve(
        self, kind: str, subject: str, resolution: str, by: str, now: datetime
    ) -> bool:
        """Resolve the open flag of this kind for ``subject``, if there is one."""
        ...

    async def flag(self, flag_id: int) -> FlagRecord | None: ...

    async def resolve_flag(
        self, flag_id: int, resolution: str, by: str, now: datetime, *, leaf: bytes | None = None
    ) -> FlagRecord:
        """Resolve one flag, once (and log ``leaf``): UnknownFlag, or AlreadyResolved."""
        ...

    async def open_for(self, evidence_id: EvidenceId) -> list[FlagRecord]: ...

    async def open_flags(self, kind: str | None = None) -> list[FlagRecord]: ...

    async def flags(
        self,
        kind: str | None = None,
        *,
        is_open: bool | None = None,
        limit: int | None = 100,
        offset: int = 0,
    ) -> list[FlagRecord]:
        """Flags in the order they were raised: open, resolved or (None) both."""
        ...


class Media(Protocol):
    """Segments and fingerprints, written with their manifest (``Uploads.register_manifest``)."""

    async def session(self, session_id: str) -> list[SegmentRecord]: ...

    async def prints(self, evidence_id: EvidenceId, role: Role) -> list[SecondPrint]: ...


class Catalogues(Protocol):
    async def current(self) -> CatalogueVersion | None:
        """The latest imported catalogue; None while the built-in default applies."""
        ...

    async def add(
        self, csv_text: str, act_types: Collection[str], by: str, now: datetime
    ) -> CatalogueVersion:
        """Keep a new version, unless registered acts use a type outside ``act_types``
        (CatalogueConflict). Versions are never changed or removed."""
        ...


class Cases(Protocol):
    async def add_case(self, case: CaseRecord) -> tuple[CaseRecord, bool]:
        """Register a case; the same values again return the held one (False); other
        values for a held number raise CaseConflict."""
        ...

    async def case(self, case_number: CaseNumber) -> CaseRecord | None: ...

    async def add_act(self, values: ActValues, by: str, now: datetime) -> tuple[ActRecord, bool]:
        """Register an act of a registered case (else UnknownCase). An act is the same act
        when its reference, or without one its type and times, match a held act of the
        case: equal values return it (False), others raise ActConflict."""
        ...

    async def act(self, act_id: int) -> ActRecord | None: ...

    async def acts(self, act_ids: Sequence[int]) -> list[ActRecord]:
        """The acts of those ids that exist, by id."""
        ...

    async def acts_of(self, case_number: CaseNumber) -> list[ActRecord]: ...

    async def edit_act(
        self,
        act_id: int,
        revision: int,
        values: ActValues,
        by: str,
        reason: str | None,
        now: datetime,
        *,
        leaf: bytes | None = None,
    ) -> ActRecord:
        """Replace an act's values if it is still at ``revision`` (else StaleRevision);
        the old and new values go to its history, and ``leaf`` to the log, in the same
        transaction."""
        ...

    async def history(self, act_id: int) -> list[ActChange]: ...

    async def import_rows(
        self, items: Sequence[ImportRow], by: str, now: datetime, *, commit: bool = True
    ) -> ImportResult:
        """Cases and acts from a table, all or nothing; a conflict names its row in
        ``details["row"]``. ``commit=False`` (a dry run) counts and checks everything in a
        transaction it then rolls back."""
        ...


class Decisions(Protocol):
    async def decide(self, record: DecisionRecord, *, leaf: bytes | None = None) -> DecisionRecord:
        """Keep a decision on a suggestion; a second one for the pair raises AlreadyDecided."""
        ...

    async def decision(self, evidence_id: EvidenceId, act_id: int) -> DecisionRecord | None: ...

    async def of_act(self, act_id: int) -> list[DecisionRecord]: ...


class Exemptions(Protocol):
    async def add(
        self,
        act_id: int,
        reason: ExemptionReason,
        approver: str,
        approved_at: datetime,
        note: str | None,
        by: str,
        now: datetime,
        *,
        leaf: bytes | None = None,
    ) -> ExemptionRecord:
        """Exempt the act at its current revision; AlreadyExempted while another exemption
        of it stands (not withdrawn, entered for the act's current revision)."""
        ...

    async def withdraw(
        self, exemption_id: int, reason: str, by: str, now: datetime, *, leaf: bytes | None = None
    ) -> ExemptionRecord:
        """Withdraw an exemption (kept, with who, when and why); AlreadyWithdrawn if it was."""
        ...

    async def of_acts(self, act_ids: Sequence[int]) -> list[ExemptionRecord]:
        """Every exemption of these acts, standing or withdrawn: by act, newest first."""
        ...


class ComplianceQueries(Protocol):
    """Stored originals seen from acts. One overlap rule decides attaching, suggesting and
    the unassigned list: a recording overlaps an act when it shares some of the act's own
    window (touching an edge does not), a point (no end) when it lies inside it."""

    async def attached(self, act_ids: Sequence[int]) -> list[Footage]:
        """Originals of each act that overlap it: with its case number, or confirmed."""
        ...

    async def candidates(self, act_ids: Sequence[int] | None) -> list[Footage]:
        """Originals without a case number overlapping each act (all acts when None) with
        no decision for the pair yet. Whether device or officer fit is the caller's call."""
        ...

    async def unassigned(self, limit: int, offset: int) -> list[StoredObject]:
        """Originals attached to no act, newest capture first."""
        ...

    async def report(self, query: ReportQuery) -> ReportRows: ...

    async def cases_without_acts(self, agency: str | None) -> list[tuple[str, str]]:
        """(case number, agency) of every case with no act registered, of one agency or all."""
        ...

    async def open_flags(
        self, query: ReportQuery, limit: int
    ) -> tuple[dict[str, int], list[FlagRecord]]:
        """Open flags under the report's filters: counts by kind, and the first ``limit``."""
        ...


class WeakLinks(Protocol):
    """The report's sections beyond coverage (storage/sqlite/weak_links.py)."""

    async def exemptions(self, query: ReportQuery) -> list[tuple[str, str, int]]:
        """(reason, approver, count) of standing exemptions of the selected acts."""
        ...

    async def late_uploads(self, query: ReportQuery) -> list[tuple[str | None, str, bool, int]]:
        """(officer, signing device, open, count) of late_upload flags under the filters."""
        ...

    async def as_needed(self, query: ReportQuery) -> list[tuple[str, int, int]]:
        """(act type, acts, acts with footage attached) of the selected acts."""
        ...


class Officers(Protocol):
    async def roster(self) -> list[OfficerRecord]: ...

    async def update(
        self, rows: Sequence[OfficerRecord], by: str, now: datetime, *, commit: bool = True
    ) -> tuple[int, int, int]:
        """Add or correct officers: (added, changed, unchanged)."""
        ...


class Compliance(Protocol):
    catalogues: Catalogues
    cases: Cases
    decisions: Decisions
    exemptions: Exemptions
    queries: ComplianceQueries
    weak_links: WeakLinks
    officers: Officers


class CatchUp(Protocol):
    """What an index kept before this version may lack (storage/sqlite/catch_up.py)."""

    async def registered_before(self, moment: datetime) -> list[tuple[EvidenceId, Role]]: ...

    async def fill(self, derived: Derived, *, write: bool = True) -> Derived:
        """Write what of ``derived`` nothing of its kind is held for (with ``write``
        false, only say what that is); return it."""
        ...

    async def transcripts_before(self, moment: datetime) -> list[StoredObject]: ...

    async def act_batches_before(self, moment: datetime) -> list[ActBatch]: ...


class CustodyLog(Protocol):
    """The custody log: leaves (exact bytes, numbered from 0), the hash of every complete
    subtree, the checkpoints the server signed, and which log this is. Append-only. An
    event appends its leaf in its own transaction (the ``leaf`` arguments above);
    ``append`` is for an event that is only its log entry (an access)."""

    async def append(self, leaf: bytes) -> LoggedLeaf: ...

    async def size(self) -> int: ...

    async def leaf(self, index: int) -> LoggedLeaf | None: ...

    async def find(self, leaf_hash: bytes) -> int | None:
        """The first entry with this RFC 6962 leaf hash."""
        ...

    async def leaves(self, start: int, limit: int) -> list[LoggedLeaf]:
        """Entries from ``start`` on, in order, at most ``limit`` (a page)."""
        ...

    async def nodes(self, ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
        """The stored hashes of these nodes; StorageFailure if any is missing."""
        ...

    async def tree(self) -> tuple[int, dict[NodeId, bytes]]:
        """The size now and the nodes of its root (``CompactRange.node_ids``), together."""
        ...

    async def ingest_leaf(self, evidence_id: EvidenceId, role: Role) -> LoggedLeaf | None:
        """The entry that logged this object's ingest (or its backfill)."""
        ...

    async def ingest_index(
        self, refs: Sequence[tuple[EvidenceId, Role]]
    ) -> dict[tuple[str, str], int]: ...

    async def unlogged_objects(self) -> list[tuple[EvidenceId, Role]]:
        """Objects the index holds whose ingest no entry logged."""
        ...

    async def indexed(self, refs: Sequence[tuple[EvidenceId, Role]]) -> set[tuple[str, str]]:
        """Which of these objects the index holds, as (evidence id, role) text."""
        ...

    async def origin(self, proposed: LogOrigin) -> LogOrigin:
        """The origin the log was started with; ``proposed`` becomes it if there is none."""
        ...

    async def stored_origin(self) -> LogOrigin | None: ...

    async def add_checkpoint(self, record: CheckpointRecord) -> CheckpointRecord:
        """Keep a signed checkpoint (one of that size already kept is returned; another
        root for the same size is refused)."""
        ...

    async def latest_checkpoint(self) -> CheckpointRecord | None: ...

    async def checkpoint(self, size: int) -> CheckpointRecord | None: ...

    async def checkpoints(self) -> list[CheckpointRecord]: ...

    async def accesses(self, query: AccessQuery) -> list[LoggedLeaf]:
        """Access entries matching ``query``, newest first."""
        ...


class Fleet(Protocol):
    """The fleet as MQTT told it (docs/mqtt.md): advisory, never evidence."""

    async def record_status(
        self,
        device_id: str,
        status: str,
        boot: str,
        software: str,
        heard_at: datetime,
        seen_at: datetime | None,
    ) -> None:
        """Keep a station's reported status; ``seen_at`` (None for the broker's will or a
        retained copy) moves its last-seen time forward."""
        ...

    async def record_state(
        self,
        device_id: str,
        state: str,
        heard_at: datetime,
        seen_at: datetime | None,
        station_clock_ms: int | None,
    ) -> None: ...

    async def record_event(
        self, event: EventRecord, cameras: Sequence[CameraClockRecord] = ()
    ) -> bool:
        """Keep an event once (by id, and by its boot and sequence number), count it in its
        boot and keep the camera clocks it carries, in one transaction; False for a copy."""
        ...

    async def stations(self) -> list[StationRecord]: ...

    async def boots(self) -> list[BootRecord]: ...

    async def gaps(self, device_id: str | None = None) -> list[GapRecord]: ...

    async def cameras(self) -> list[CameraClockRecord]: ...

    async def events(self, device_id: str, limit: int = 100) -> list[EventRecord]: ...

    async def prune_events(self, before: datetime) -> int: ...


class Rooms(Protocol):
    """Room sessions as their controllers published them, and their segments."""

    async def record_session(self, session: RoomSessionRecord) -> bool:
        """Keep a new session or close an open one; False when nothing changed."""
        ...

    async def session(self, session_id: str) -> RoomSessionRecord | None: ...

    async def sessions(
        self, room: str | None, case_number: str | None, limit: int, offset: int
    ) -> list[RoomSessionRecord]: ...

    async def segments(self, session_id: str) -> list[SessionSegment]: ...

    async def to_judge(
        self, closed_before: datetime, flag_kinds: Sequence[str]
    ) -> list[RoomSessionRecord]: ...

    async def judged(
        self,
        session_id: str,
        verdict: str,
        flags: Sequence[NewFlag] = (),
        resolutions: Sequence[FlagResolution] = (),
        superseded: Sequence[FlagResolution] = (),
    ) -> None:
        """Keep a verdict with the flags it raises and resolves, in one transaction; an
        open flag of a raised kind that says something else is resolved as superseded."""
        ...


class Received(Protocol):
    """Evidence received from other agencies in evidence packages (R13)."""

    async def package(self, package_sha256: Sha256) -> ReceivedPackage | None: ...

    async def objects(self, package_sha256: Sha256) -> list[ReceivedObject]: ...

    async def receive(
        self, package: ReceivedPackage, items: Sequence[ReceivedObject], *, leaf: bytes
    ) -> tuple[ReceivedPackage, bool]:
        """Keep a package and its objects and log its custody ``leaf``, in one transaction;
        return it (with its entry's number) and whether it is new. A package already
        received (the same SHA-256) is returned as it was, and nothing is written."""
        ...


class Index(Protocol):
    devices: Devices
    credentials: Credentials
    accounts: Accounts
    uploads: Uploads
    objects: Objects
    flags: Flags
    media: Media
    compliance: Compliance
    catch_up: CatchUp
    log: CustodyLog
    fleet: Fleet
    rooms: Rooms
    received: Received
    holds: Holds

    async def close(self) -> None: ...


# -- Legal holds and retention (issue 14; docs/retention.md) ---------------------------
# Kept in its own block at the end so the interfaces' split into a package merges easily.


class Holds(Protocol):
    """Legal holds, append-only, each set and lift with its custody log entry; and what
    the retention report reads about each recording."""

    async def set(self, hold: NewHold, *, leaf: bytes) -> HoldRecord:
        """Keep a new hold and log its ``leaf``, in one transaction."""
        ...

    async def lift(
        self, hold_id: int, lift: NewHold, *, leaf: bytes
    ) -> tuple[HoldRecord, bool] | None:
        """Lift a standing hold and log ``leaf`` (``lift`` gives why, who, when); return it
        and whether this call lifted it (False: lifted already, nothing written); None
        when there is no such hold."""
        ...

    async def hold(self, hold_id: int) -> HoldRecord | None: ...

    async def find(
        self,
        case_number: str | None,
        evidence_id: EvidenceId | None,
        standing_only: bool,
        limit: int,
        offset: int,
    ) -> list[HoldRecord]: ...

    async def keeping(
        self,
        evidence_ids: Sequence[EvidenceId] | None,
        limit: int,
        offset: int,
        case_number: str | None = None,
    ) -> list[RecordingKeeping]:
        """What decides each recording's retention (these, or those attached to
        ``case_number``, or all when both are None), oldest stored first."""
        ...


class ObjectLocks(Protocol):
    """Object Lock on what a store holds already (S3: ``storage/s3_locks.py``)."""

    def keys_of(self, evidence_id: EvidenceId, role: Role, locator: str) -> list[str]: ...

    def extend(self, key: str, until: datetime) -> bool:
        """Lock until ``until`` if later than now held; never earlier. True if moved."""
        ...

    def hold(self, key: str, on: bool) -> bool:
        """Set the legal hold ON or OFF; True if it changed."""
        ...


@runtime_checkable
class LockingStore(Protocol):
    """A blob store whose objects carry retention dates and legal holds of their own."""

    def object_locks(self) -> ObjectLocks: ...
