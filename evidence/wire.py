"""Wire constants the agent and the server agree on: routes, headers, metadata keys.

The two never import each other; this module (with the manifest) is their whole contract.
See docs/protocol.md.
"""

from __future__ import annotations

__all__ = [
    "AUTH_CHALLENGE",
    "AUTH_TOKEN",
    "FILES",
    "FINALIZE",
    "HEALTH",
    "MANIFESTS",
    "META_EVIDENCE_ID",
    "META_FILENAME",
    "META_ROLE",
    "RECORDING",
    "RECORDINGS",
    "RECORDING_MANIFEST",
    "RECORDING_MATCH",
    "RECORDING_TRANSCRIPT",
    "RECORDING_VERIFY",
    "SESSION",
    "SIGNATURE_HEADER",
]

API = "/api/v1"
FILES = "/files/"
HEALTH = "/healthz"
AUTH_CHALLENGE = f"{API}/auth/challenge"
AUTH_TOKEN = f"{API}/auth/token"
MANIFESTS = f"{API}/manifests"
FINALIZE = API + "/evidence/{evidence_id}/{role}/finalize"
RECORDINGS = f"{API}/recordings"
RECORDING = API + "/recordings/{evidence_id}"
RECORDING_VERIFY = API + "/recordings/{evidence_id}/verify"
RECORDING_MANIFEST = API + "/recordings/{evidence_id}/{role}/manifest"
RECORDING_MATCH = API + "/recordings/{evidence_id}/match"
RECORDING_TRANSCRIPT = API + "/recordings/{evidence_id}/transcript"
SESSION = API + "/sessions/{session_id}"

# The detached signature of a manifest travels beside its exact bytes, base64-encoded.
SIGNATURE_HEADER = "Liuhen-Signature"

# tus Upload-Metadata keys. An upload names the registered manifest it carries bytes for.
META_EVIDENCE_ID = "evidence_id"
META_ROLE = "role"
META_FILENAME = "filename"
