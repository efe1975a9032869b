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

from storage.interfaces.blobs import (
    READ_RANGE_BUFFER,
    BlobStore,
    Document,
    LockingStore,
    ObjectLocks,
    SignedDocuments,
)
from storage.interfaces.catch_up import CatchUp
from storage.interfaces.compliance import (
    Cases,
    Catalogues,
    Compliance,
    ComplianceQueries,
    Decisions,
    Exemptions,
    Officers,
    WeakLinks,
)
from storage.interfaces.custody_log import (
    AccessLog,
    CustodyLog,
    LogAppend,
    LogCheckpoints,
    LogIngests,
    LogOriginStore,
    LogTree,
)
from storage.interfaces.devices import Devices
from storage.interfaces.flags import Flags
from storage.interfaces.fleet import Fleet, FleetRecorder, FleetView, Rooms
from storage.interfaces.holds import Holds
from storage.interfaces.index import Index
from storage.interfaces.media import Media
from storage.interfaces.objects import (
    FixityWalk,
    ObjectIndexing,
    ObjectLookup,
    Objects,
    Verifications,
)
from storage.interfaces.people import Accounts, Credentials
from storage.interfaces.received import Received
from storage.interfaces.upload_area import Landing, Piece, UploadArea
from storage.interfaces.uploads import Manifests, Uploads, UploadSessions

__all__ = [
    "READ_RANGE_BUFFER",
    "AccessLog",
    "Accounts",
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
    "FixityWalk",
    "Flags",
    "Fleet",
    "FleetRecorder",
    "FleetView",
    "Holds",
    "Index",
    "Landing",
    "LockingStore",
    "LogAppend",
    "LogCheckpoints",
    "LogIngests",
    "LogOriginStore",
    "LogTree",
    "Manifests",
    "Media",
    "ObjectIndexing",
    "ObjectLocks",
    "ObjectLookup",
    "Objects",
    "Officers",
    "Piece",
    "Received",
    "Rooms",
    "SignedDocuments",
    "UploadArea",
    "UploadSessions",
    "Uploads",
    "Verifications",
    "WeakLinks",
]
