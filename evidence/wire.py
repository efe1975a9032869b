"""Wire constants the agent and the server agree on: routes, headers, metadata keys.

The two never import each other; this module (with the manifest) is their whole contract.
See docs/protocol.md.
"""

from __future__ import annotations

__all__ = [
    "ACT",
    "ACTS",
    "ACTS_IMPORT",
    "ACT_EXEMPTIONS",
    "AUDIT_ACCESS",
    "AUTH_CHALLENGE",
    "AUTH_TOKEN",
    "CASES",
    "CASES_IMPORT",
    "CATALOGUE",
    "COVERAGE",
    "CSV_CONTENT_TYPE",
    "DERIVATION_FAILED",
    "EXEMPTION_WITHDRAW",
    "EXPORTS",
    "FILES",
    "FINALIZE",
    "FLAGS",
    "FLAG_RESOLVE",
    "FLEET",
    "GRANT",
    "HEALTH",
    "HOLDS",
    "HOLD_LIFT",
    "KEYS",
    "LOG_CHECKPOINT",
    "LOG_CONSISTENCY",
    "LOG_KEY",
    "LOG_LEAF",
    "LOG_PROOF",
    "MANIFESTS",
    "META_EVIDENCE_ID",
    "META_FILENAME",
    "META_ROLE",
    "OFFICERS",
    "OFFICERS_IMPORT",
    "PACKAGES",
    "RECORDING",
    "RECORDINGS",
    "RECORDING_CONTENT",
    "RECORDING_GRANTS",
    "RECORDING_MANIFEST",
    "RECORDING_MATCH",
    "RECORDING_TRANSCRIPT",
    "RECORDING_VERIFY",
    "REPORT",
    "RETENTION",
    "SESSION",
    "SESSIONS",
    "SIGNATURE_HEADER",
    "SIGN_IN",
    "SIGN_IN_PASSWORD",
    "SUGGESTIONS",
    "SUGGESTION_CONFIRM",
    "SUGGESTION_REJECT",
    "UNASSIGNED",
    "USERS",
    "USER_ACCESS",
    "USER_DISABLE",
    "USER_ENABLE",
    "USER_PASSWORD",
    "USER_TOKEN",
    "XLSX_CONTENT_TYPE",
]

API = "/api/v1"
FILES = "/files/"
HEALTH = "/healthz"
AUTH_CHALLENGE = f"{API}/auth/challenge"
AUTH_TOKEN = f"{API}/auth/token"
MANIFESTS = f"{API}/manifests"
FINALIZE = API + "/evidence/{evidence_id}/{role}/finalize"
# The agent gave up making a derived copy of a receipted original (docs/protocol.md).
# Defined here first; the server's side is still to come, and the agent takes 404 or 405
# from a server without it as "not supported".
DERIVATION_FAILED = API + "/evidence/{evidence_id}/original/derivations/{role}/failed"
RECORDINGS = f"{API}/recordings"
RECORDING = API + "/recordings/{evidence_id}"
RECORDING_VERIFY = API + "/recordings/{evidence_id}/verify"
RECORDING_MANIFEST = API + "/recordings/{evidence_id}/{role}/manifest"
RECORDING_MATCH = API + "/recordings/{evidence_id}/match"
RECORDING_TRANSCRIPT = API + "/recordings/{evidence_id}/transcript"
SESSION = API + "/sessions/{session_id}"
SESSIONS = f"{API}/sessions"  # room sessions with their coverage (docs/mqtt.md)
FLEET = f"{API}/fleet"  # every station's liveness, queue and clocks (docs/mqtt.md)
FLAGS = f"{API}/flags"
FLAG_RESOLVE = API + "/flags/{flag_id}/resolve"

# People: sign in and out, one's own password; admins manage people (docs/people.md).
SIGN_IN = f"{API}/session"
SIGN_IN_PASSWORD = f"{API}/session/password"
USERS = f"{API}/users"
USER_PASSWORD = API + "/users/{name}/password"
USER_DISABLE = API + "/users/{name}/disable"
USER_ENABLE = API + "/users/{name}/enable"
USER_TOKEN = API + "/users/{name}/token"
USER_ACCESS = API + "/users/{name}/access"

# Compliance: the recording-duty catalogue, cases and acts, coverage and the report.
CATALOGUE = f"{API}/catalogue"
CASES = f"{API}/cases"
CASES_IMPORT = f"{API}/cases/import"
ACTS = f"{API}/acts"
ACTS_IMPORT = f"{API}/acts/import"
ACT = API + "/acts/{act_id}"
ACT_EXEMPTIONS = API + "/acts/{act_id}/exemptions"
EXEMPTION_WITHDRAW = API + "/exemptions/{exemption_id}/withdraw"
COVERAGE = f"{API}/compliance/coverage"
REPORT = f"{API}/compliance/report"
SUGGESTIONS = f"{API}/compliance/suggestions"
SUGGESTION_CONFIRM = f"{API}/compliance/suggestions/confirm"
SUGGESTION_REJECT = f"{API}/compliance/suggestions/reject"
UNASSIGNED = f"{API}/compliance/unassigned"
CSV_CONTENT_TYPE = "text/csv"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFFICERS = f"{API}/officers"
OFFICERS_IMPORT = f"{API}/officers/import"
# Legal holds and the retention report (docs/retention.md).
HOLDS = f"{API}/holds"
HOLD_LIFT = API + "/holds/{hold_id}/lift"
RETENTION = f"{API}/retention"

# The detached signature of a manifest travels beside its exact bytes, base64-encoded.
SIGNATURE_HEADER = "Liuhen-Signature"

# tus Upload-Metadata keys. An upload names the registered manifest it carries bytes for.
META_EVIDENCE_ID = "evidence_id"
META_ROLE = "role"
META_FILENAME = "filename"

# The custody log (docs/custody-log.md#the-api) and the public keys experts check it with.
LOG_CHECKPOINT = f"{API}/log/checkpoint"
LOG_PROOF = f"{API}/log/proof"
LOG_CONSISTENCY = f"{API}/log/consistency"
LOG_LEAF = API + "/log/leaves/{index}"
LOG_KEY = f"{API}/log/key"
KEYS = f"{API}/keys"

# Supervised retrieval (docs/protocol.md#retrieval-supervised-and-logged): every access
# states its purpose and is logged before the first byte.
RECORDING_CONTENT = API + "/recordings/{evidence_id}/{role}/content"
RECORDING_GRANTS = API + "/recordings/{evidence_id}/{role}/grants"
GRANT = API + "/grants/{grant}"
AUDIT_ACCESS = f"{API}/audit/access"
EXPORTS = f"{API}/exports"  # POST: an evidence package, logged (docs/evidence-package.md)
PACKAGES = f"{API}/packages"  # POST: import another agency's package
