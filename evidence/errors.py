"""One error tree for all of Liuhen. Each error has a stable ``code`` and an HTTP ``status``.

Clients, tests and logs match on ``code``; messages are for people and may change.

    LiuhenError                          500 internal
    ├── BadRequest                       400 bad_request
    │   ├── MalformedHeader              400 bad_header
    │   ├── MalformedBody                400 bad_body
    │   ├── MalformedManifest            400 bad_manifest
    │   ├── InvalidCaseNumber            400 bad_case_number
    │   ├── InvalidIdentifier            400 bad_identifier
    │   ├── UnsafeFileName               400 unsafe_file_name
    │   ├── UnsupportedChecksum          400 unsupported_checksum
    │   ├── UnreadableMedia              400 unreadable_media
    │   ├── LengthMismatch               400 length_mismatch
    │   ├── MalformedCsv                 400 bad_csv
    │   ├── MalformedMessage             400 bad_message
    │   ├── MalformedMapping             400 bad_mapping
    │   ├── UnknownActType               400 unknown_act_type
    │   ├── PartTooSmall                 400 part_too_small
    │   ├── MalformedNote                400 bad_note
    │   ├── MalformedCheckpoint          400 bad_checkpoint
    │   ├── MalformedProof               400 bad_proof
    │   ├── MalformedLogLeaf             400 bad_log_leaf
    │   ├── PurposeRequired              400 purpose_required
    │   ├── MalformedPackage             400 bad_package
    │   └── WeakPassword                 400 weak_password
    ├── Unauthenticated                  401 unauthenticated
    │   ├── UnknownDevice                401 unknown_device
    │   ├── BadChallenge                 401 bad_challenge
    │   ├── ChallengeReused              401 challenge_reused
    │   ├── TokenExpired                 401 token_expired
    │   ├── SignInFailed                 401 sign_in_failed
    │   └── SessionExpired               401 session_expired
    ├── Forbidden                        403 forbidden
    │   ├── DeviceRevoked                403 device_revoked
    │   ├── WrongDevice                  403 wrong_device
    │   ├── UserDisabled                 403 user_disabled
    │   ├── PasswordChangeRequired       403 password_change_required
    │   ├── CasesLimited                 403 cases_limited
    │   └── CsrfRefused                  403 csrf_refused
    ├── NotFound                         404 not_found
    │   ├── UnknownUpload                404 unknown_upload
    │   ├── UnknownCase                  404 unknown_case
    │   ├── UnknownAct                   404 unknown_act
    │   ├── UnknownSuggestion            404 unknown_suggestion
    │   ├── UnknownExemption             404 unknown_exemption
    │   ├── UnknownFlag                  404 unknown_flag
    │   ├── UnknownUser                  404 unknown_user
    │   ├── UnknownLogEntry              404 unknown_log_entry
    │   ├── UnknownCheckpoint            404 unknown_checkpoint
    │   ├── UnknownGrant                 404 unknown_grant
    │   └── UnknownHold                  404 unknown_hold
    ├── Conflict                         409 conflict
    │   ├── OffsetMismatch               409 offset_mismatch
    │   ├── ManifestConflict             409 manifest_conflict
    │   ├── SequenceReused               409 sequence_reused
    │   ├── ManifestNotRegistered        409 manifest_not_registered
    │   ├── FingerprintsMissing          409 no_fingerprints
    │   ├── UploadIncomplete             409 upload_incomplete
    │   ├── UploadRejected               409 upload_rejected
    │   ├── AlreadyFinalized             409 already_finalized
    │   ├── CaseConflict                 409 case_conflict
    │   ├── ActConflict                  409 act_conflict
    │   ├── StaleRevision                409 stale_revision
    │   ├── CatalogueConflict            409 catalogue_conflict
    │   ├── AlreadyDecided               409 already_decided
    │   ├── AlreadyExempted              409 already_exempted
    │   ├── AlreadyWithdrawn             409 already_withdrawn
    │   ├── DutyNotFull                  409 duty_not_full
    │   ├── AlreadyResolved              409 already_resolved
    │   ├── AlreadyLifted                409 already_lifted
    │   ├── StillRetained                409 still_retained
    │   └── UnderLegalHold               409 under_legal_hold
    ├── Gone                             410 gone
    │   ├── UploadExpired                410 upload_expired
    │   ├── UploadTerminated             410 upload_terminated
    │   └── GrantExpired                 410 grant_expired
    ├── PreconditionFailed               412 unsupported_version
    ├── TooLarge                         413 too_large
    ├── UnsupportedMediaType             415 bad_content_type
    ├── RangeNotSatisfiable              416 range_not_satisfiable
    ├── IntegrityError                   422 integrity
    │   ├── BadSignature                 422 bad_signature
    │   ├── KeyMismatch                  422 key_mismatch
    │   ├── SizeMismatch                 422 size_mismatch
    │   ├── DigestMismatch               422 digest_mismatch
    │   ├── ChunkRootMismatch            422 chunk_root_mismatch
    │   ├── ReceiptMismatch              422 receipt_mismatch
    │   ├── SourceChanged                422 source_changed
    │   ├── UntrustedNote                422 untrusted_note
    │   ├── OriginMismatch               422 origin_mismatch
    │   ├── InclusionMismatch            422 inclusion_mismatch
    │   ├── ConsistencyMismatch          422 consistency_mismatch
    │   ├── CheckpointFork               422 checkpoint_fork
    │   ├── CheckpointRollback           422 checkpoint_rollback
    │   ├── LogTampered                  422 log_tampered
    │   └── PackageRefused               422 package_refused
    ├── DerivationFailed                 422 derivation_failed
    ├── Locked                           423 upload_locked
    ├── QuotaExceeded                    429 quota_exceeded
    ├── TooManyAttempts                  429 too_many_attempts
    ├── ChecksumMismatch                 460 checksum_mismatch
    │   └── ChunkMismatch                460 chunk_mismatch
    ├── StorageFailure                   500 storage_failure
    │   └── InsufficientStorage          507 insufficient_storage
    ├── Unavailable                      503 unavailable
    │   ├── ChecksumUnsupported          503 checksum_unsupported
    │   ├── LogUnavailable               503 log_unavailable
    │   ├── BayUnavailable               503 bay_unavailable
    │   ├── BrokerUnavailable            503 broker_unavailable
    │   ├── StorageUnavailable           503 storage_unavailable
    │   └── IndexUnavailable             503 index_unavailable
    ├── ConfigError                      500 bad_config
    ├── KeyFileError                     500 bad_key_file
    └── JournalError                     500 journal_failure
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "ActConflict",
    "AlreadyDecided",
    "AlreadyExempted",
    "AlreadyFinalized",
    "AlreadyResolved",
    "AlreadyWithdrawn",
    "BadChallenge",
    "BadRequest",
    "BadSignature",
    "BayUnavailable",
    "BrokerUnavailable",
    "CaseConflict",
    "CasesLimited",
    "CatalogueConflict",
    "ChallengeReused",
    "CheckpointFork",
    "CheckpointRollback",
    "ChecksumMismatch",
    "ChecksumUnsupported",
    "ChunkMismatch",
    "ChunkRootMismatch",
    "ConfigError",
    "Conflict",
    "ConsistencyMismatch",
    "CsrfRefused",
    "DerivationFailed",
    "DeviceRevoked",
    "DigestMismatch",
    "DutyNotFull",
    "FingerprintsMissing",
    "Forbidden",
    "Gone",
    "GrantExpired",
    "InclusionMismatch",
    "IndexUnavailable",
    "InsufficientStorage",
    "IntegrityError",
    "InvalidCaseNumber",
    "InvalidIdentifier",
    "JournalError",
    "KeyFileError",
    "KeyMismatch",
    "LengthMismatch",
    "LiuhenError",
    "Locked",
    "LogTampered",
    "LogUnavailable",
    "MalformedBody",
    "MalformedCheckpoint",
    "MalformedCsv",
    "MalformedHeader",
    "MalformedLogLeaf",
    "MalformedManifest",
    "MalformedMapping",
    "MalformedMessage",
    "MalformedNote",
    "MalformedPackage",
    "MalformedProof",
    "ManifestConflict",
    "ManifestNotRegistered",
    "NotFound",
    "OffsetMismatch",
    "OriginMismatch",
    "PackageRefused",
    "PartTooSmall",
    "PasswordChangeRequired",
    "PreconditionFailed",
    "PurposeRequired",
    "QuotaExceeded",
    "RangeNotSatisfiable",
    "ReceiptMismatch",
    "SequenceReused",
    "SessionExpired",
    "SignInFailed",
    "SizeMismatch",
    "SourceChanged",
    "StaleRevision",
    "StorageFailure",
    "StorageUnavailable",
    "TokenExpired",
    "TooLarge",
    "TooManyAttempts",
    "Unauthenticated",
    "Unavailable",
    "UnknownAct",
    "UnknownActType",
    "UnknownCase",
    "UnknownCheckpoint",
    "UnknownDevice",
    "UnknownExemption",
    "UnknownFlag",
    "UnknownGrant",
    "UnknownLogEntry",
    "UnknownSuggestion",
    "UnknownUpload",
    "UnknownUser",
    "UnreadableMedia",
    "UnsafeFileName",
    "UnsupportedChecksum",
    "UnsupportedMediaType",
    "UntrustedNote",
    "UploadExpired",
    "UploadIncomplete",
    "UploadRejected",
    "UploadTerminated",
    "UserDisabled",
    "WeakPassword",
    "WrongDevice",
    "error_for_code",
]


class LiuhenError(Exception):
    """Base of every error we raise on purpose."""

    code: ClassVar[str] = "internal"
    status: ClassVar[int] = 500

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return {"error": body}


class BadRequest(LiuhenError):
    code, status = "bad_request", 400


class MalformedHeader(BadRequest):
    code = "bad_header"


class MalformedBody(BadRequest):
    code = "bad_body"


class MalformedManifest(BadRequest):
    code = "bad_manifest"


class InvalidCaseNumber(BadRequest):
    code = "bad_case_number"


class InvalidIdentifier(BadRequest):
    code = "bad_identifier"


class UnsafeFileName(BadRequest):
    code = "unsafe_file_name"


class UnsupportedChecksum(BadRequest):
    code = "unsupported_checksum"


class UnreadableMedia(BadRequest):
    code = "unreadable_media"


class LengthMismatch(BadRequest):
    code = "length_mismatch"


class MalformedCsv(BadRequest):
    """An imported CSV file that breaks its format; ``details`` name the row (1-based, the
    header is row 1) and the column header."""

    code = "bad_csv"


class MalformedMessage(BadRequest):
    """An MQTT message (a command, a room controller's session) that is not what its
    topic carries (docs/mqtt.md); ``details.field`` names the field."""

    code = "bad_message"


class MalformedMapping(BadRequest):
    """A column mapping (the small TOML file that says which of a table's columns is which)
    that cannot be read or names what does not exist."""

    code = "bad_mapping"


class UnknownActType(BadRequest):
    """An act type the recording-duty catalogue does not list."""

    code = "unknown_act_type"


class PartTooSmall(BadRequest):
    """A PATCH to an upload kept in S3 parts that carried no whole part (and did not reach
    the upload's end): nothing of it is kept. Send at least the part size the message
    names (the agent sends one 8 MiB chunk, which is one part)."""

    code = "part_too_small"


class MalformedNote(BadRequest):
    """A C2SP signed note (a checkpoint's envelope) that breaks the format: not UTF-8, a
    control character, no blank line before the signatures, a bad signature line, or two
    lines by one trusted key."""

    code = "bad_note"


class MalformedCheckpoint(BadRequest):
    """A C2SP checkpoint body that breaks the format (origin, decimal size, base64 root)."""

    code = "bad_checkpoint"


class MalformedProof(BadRequest):
    """A C2SP tlog-proof, or proof hashes, that break the format (not 32-byte hashes)."""

    code = "bad_proof"


class MalformedLogLeaf(BadRequest):
    """A custody-log leaf that is not one of our typed records in its exact canonical bytes."""

    code = "bad_log_leaf"


class MalformedPackage(BadRequest):
    """An evidence package upload that is not a package: not a tar archive, cut short,
    a member that is not a plain file or would land outside the package."""

    code = "bad_package"


class PurposeRequired(BadRequest):
    """A retrieval of footage that states no purpose, or one too long: every access is
    logged with why, before the first byte is served."""

    code = "purpose_required"


class WeakPassword(BadRequest):
    """A new password the server does not take (too short, too long, the person's name)."""

    code = "weak_password"


class Unauthenticated(LiuhenError):
    code, status = "unauthenticated", 401


class UnknownDevice(Unauthenticated):
    code = "unknown_device"


class BadChallenge(Unauthenticated):
    code = "bad_challenge"


class ChallengeReused(Unauthenticated):
    code = "challenge_reused"


class TokenExpired(Unauthenticated):
    """A bearer token past its expiry: a device signs in again; a person asks an admin for
    a new one (``liuhen users rotate``)."""

    code = "token_expired"


class SignInFailed(Unauthenticated):
    """A name and password that do not sign in: the same answer, after the same work,
    whether the name is unknown, has no password, or the password is wrong."""

    code = "sign_in_failed"


class SessionExpired(Unauthenticated):
    """A session past its end, or idle for longer than the server allows: sign in again."""

    code = "session_expired"


class Forbidden(LiuhenError):
    code, status = "forbidden", 403


class DeviceRevoked(Forbidden):
    code = "device_revoked"


class WrongDevice(Forbidden):
    code = "wrong_device"


class UserDisabled(Forbidden):
    """A person an admin disabled: every request is refused until they are enabled."""

    code = "user_disabled"


class PasswordChangeRequired(Forbidden):
    """An admin set this person's password: they choose their own before anything else."""

    code = "password_change_required"


class CasesLimited(Forbidden):
    """A person who may see only some cases asked for something across every case (all
    flags, unassigned footage, the report, a CSV import): they name a case instead."""

    code = "cases_limited"


class CsrfRefused(Forbidden):
    """A console form came without the token of the session that drew it: a page of
    another site may not act in a signed-in person's name (docs/console.md)."""

    code = "csrf_refused"


class NotFound(LiuhenError):
    code, status = "not_found", 404


class UnknownUpload(NotFound):
    code = "unknown_upload"


class UnknownCase(NotFound):
    code = "unknown_case"


class UnknownAct(NotFound):
    code = "unknown_act"


class UnknownSuggestion(NotFound):
    """No recording-to-act suggestion stands for that pair (never made, or matched since)."""

    code = "unknown_suggestion"


class UnknownExemption(NotFound):
    code = "unknown_exemption"


class UnknownFlag(NotFound):
    code = "unknown_flag"


class UnknownUser(NotFound):
    code = "unknown_user"


class UnknownLogEntry(NotFound):
    """No custody-log entry with that number or leaf hash."""

    code = "unknown_log_entry"


class UnknownCheckpoint(NotFound):
    """The server signed no checkpoint of that size."""

    code = "unknown_checkpoint"


class UnknownGrant(NotFound):
    """No stream grant with that token (never issued, or issued by a server since restarted)."""

    code = "unknown_grant"


class UnknownHold(NotFound):
    """No legal hold with that number."""

    code = "unknown_hold"


class Conflict(LiuhenError):
    code, status = "conflict", 409


class OffsetMismatch(Conflict):
    code = "offset_mismatch"


class ManifestConflict(Conflict):
    code = "manifest_conflict"


class SequenceReused(Conflict):
    code = "sequence_reused"


class ManifestNotRegistered(Conflict):
    code = "manifest_not_registered"


class FingerprintsMissing(Conflict):
    code = "no_fingerprints"


class UploadIncomplete(Conflict):
    code = "upload_incomplete"


class UploadRejected(Conflict):
    code = "upload_rejected"


class AlreadyFinalized(Conflict):
    code = "already_finalized"


class CaseConflict(Conflict):
    """A case number already registered with another agency or subject."""

    code = "case_conflict"


class ActConflict(Conflict):
    """An act whose case system reference is already held with other values."""

    code = "act_conflict"


class StaleRevision(Conflict):
    """An edit made against an older revision of an act than the one held (a replay, or
    someone else's edit in between)."""

    code = "stale_revision"


class CatalogueConflict(Conflict):
    """A catalogue that drops act types which registered acts still use."""

    code = "catalogue_conflict"


class AlreadyDecided(Conflict):
    """A suggestion already confirmed or rejected: decisions are final and kept."""

    code = "already_decided"


class AlreadyExempted(Conflict):
    code = "already_exempted"


class AlreadyWithdrawn(Conflict):
    code = "already_withdrawn"


class DutyNotFull(Conflict):
    """Only an act whose catalogue duty is ``full`` can be exempted from it."""

    code = "duty_not_full"


class AlreadyResolved(Conflict):
    """A flag resolved before: a resolution is final and kept, with who, when and why."""

    code = "already_resolved"


class AlreadyLifted(Conflict):
    """A legal hold lifted before: a lift is final and kept, with who, when and why."""

    code = "already_lifted"


class StillRetained(Conflict):
    """An object asked to be removed before its retention ends (``details.until``)."""

    code = "still_retained"


class UnderLegalHold(Conflict):
    """An object asked to be removed while a legal hold stands on it."""

    code = "under_legal_hold"


class Gone(LiuhenError):
    code, status = "gone", 410


class UploadExpired(Gone):
    code = "upload_expired"


class UploadTerminated(Gone):
    code = "upload_terminated"


class GrantExpired(Gone):
    """A stream grant past its lifetime: state the purpose again for a new one."""

    code = "grant_expired"


class PreconditionFailed(LiuhenError):
    code, status = "unsupported_version", 412


class TooLarge(LiuhenError):
    code, status = "too_large", 413


class UnsupportedMediaType(LiuhenError):
    code, status = "bad_content_type", 415


class RangeNotSatisfiable(LiuhenError):
    """A byte range that starts past the end of the object (answered with its size)."""

    code, status = "range_not_satisfiable", 416


class IntegrityError(LiuhenError):
    code, status = "integrity", 422


class BadSignature(IntegrityError):
    code = "bad_signature"


class KeyMismatch(IntegrityError):
    code = "key_mismatch"


class SizeMismatch(IntegrityError):
    code = "size_mismatch"


class DigestMismatch(IntegrityError):
    code = "digest_mismatch"


class ChunkRootMismatch(IntegrityError):
    code = "chunk_root_mismatch"


class ReceiptMismatch(IntegrityError):
    code = "receipt_mismatch"


class SourceChanged(IntegrityError):
    """The file on the dock is no longer the file that was fingerprinted and signed."""

    code = "source_changed"


class UntrustedNote(IntegrityError):
    """A signed note (a checkpoint) with no signature line by a key the verifier trusts."""

    code = "untrusted_note"


class OriginMismatch(IntegrityError):
    """A checkpoint or proof from another log than the one the verifier trusts."""

    code = "origin_mismatch"


class InclusionMismatch(IntegrityError):
    """An inclusion proof that does not lead from the leaf to the checkpoint's root."""

    code = "inclusion_mismatch"


class ConsistencyMismatch(IntegrityError):
    """A consistency proof that does not show the newer tree extends the older one."""

    code = "consistency_mismatch"


class CheckpointFork(IntegrityError):
    """Two signed checkpoints of one log with the same size and different roots: the log
    showed two different histories."""

    code = "checkpoint_fork"


class CheckpointRollback(IntegrityError):
    """A checkpoint smaller than one already trusted: entries were taken away."""

    code = "checkpoint_rollback"


class LogTampered(IntegrityError):
    """The custody log disagrees with itself or with a checkpoint the server signed: an
    entry or a stored node was changed or removed outside Liuhen."""

    code = "log_tampered"


class PackageRefused(IntegrityError):
    """An evidence package that fails a step of its verification (``details["step"]``
    names it, as verify.py does): nothing of it is kept."""

    code = "package_refused"


class DerivationFailed(LiuhenError):
    """A review copy or other derived object could not be made (the original is safe)."""

    code, status = "derivation_failed", 422


class Locked(LiuhenError):
    code, status = "upload_locked", 423


class QuotaExceeded(LiuhenError):
    """A device already has as many uploads open, or as much disk reserved, as it may.
    It passes as its uploads finish or expire: retry later. ``details`` say which limit."""

    code, status = "quota_exceeded", 429


class TooManyAttempts(LiuhenError):
    """Too many failed sign-ins for this name or from this address lately; ``details``
    say which, and ``retry_after_seconds`` when to try again (also ``Retry-After``)."""

    code, status = "too_many_attempts", 429


class ChecksumMismatch(LiuhenError):
    code, status = "checksum_mismatch", 460


class ChunkMismatch(ChecksumMismatch):
    code = "chunk_mismatch"


class StorageFailure(LiuhenError):
    code, status = "storage_failure", 500


class InsufficientStorage(StorageFailure):
    code, status = "insufficient_storage", 507


class Unavailable(LiuhenError):
    code, status = "unavailable", 503


class ChecksumUnsupported(Unavailable):
    """(agent) The server does not advertise tus checksums with sha256: nothing is sent."""

    code = "checksum_unsupported"


class LogUnavailable(Unavailable):
    """The custody log could not record an access, so nothing was served."""

    code = "log_unavailable"


class BayUnavailable(Unavailable):
    """(agent) A dock bay's camera went away while its footage was being copied: what was
    copied is kept and the copy resumes when the camera is back."""

    code = "bay_unavailable"


class BrokerUnavailable(Unavailable):
    """(server) The MQTT broker the fleet view listens to could not be reached or dropped
    the connection: the server logs it and tries again; nothing else waits for it."""

    code = "broker_unavailable"


class StorageUnavailable(Unavailable):
    """The object store (S3) could not be reached or answered that it is busy: nothing of
    the request was kept past what the store acknowledged. Retry later, with backoff."""

    code = "storage_unavailable"


class StoreLockPending(Unavailable):
    """A legal hold set or lifted and kept in the index and the custody log, but the
    object store (S3) could not be reached to apply it to the bucket: the bucket's lock
    follows when S3 is back (the server's sweep). Do not set or lift it again."""

    code = "store_lock_pending"


class IndexUnavailable(Unavailable):
    """The index's database (PostgreSQL) could not be reached or dropped the connection:
    what was not committed is rolled back whole, so nothing is half stored. Retry later."""

    code = "index_unavailable"


class ConfigError(LiuhenError):
    code = "bad_config"


class KeyFileError(LiuhenError):
    code = "bad_key_file"


class JournalError(LiuhenError):
    code = "journal_failure"


def _all_error_classes() -> list[type[LiuhenError]]:
    found: list[type[LiuhenError]] = []
    pending: list[type[LiuhenError]] = [LiuhenError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


_BY_CODE: dict[str, type[LiuhenError]] = {cls.code: cls for cls in _all_error_classes()}


def error_for_code(code: str, message: str, status: int = 500) -> LiuhenError:
    """Rebuild the error a server reported, so clients branch on classes, not strings."""
    cls = _BY_CODE.get(code)
    if cls is None:
        return LiuhenError(f"{message} (unrecognised code {code!r}, HTTP {status})")
    return cls(message)
