"""The custody log's primitives: an RFC 6962 / RFC 9162 Merkle log and its C2SP text forms.

Pure functions and frozen values; no I/O. The server's storage keeps the nodes and leaves,
this package says which nodes a proof needs and checks everything a verifier is handed.

    nodes        NodeId (level, index): a complete subtree; how a range splits into them
    compact      CompactRange: the root as leaves are appended, and the nodes to store
    prove        which stored nodes an inclusion or consistency proof needs, and its hashes
    verify       RFC 9162 §2.1.3.2 and §2.1.4.2: checking inclusion and consistency proofs
    codec        strict base64 and decimal, as the C2SP formats write them
    note         C2SP signed-note: parse, serialise, check the signatures by trusted keys
    note_keys    Ed25519 note signers and verifiers, and their vkey strings
    cosignature  C2SP tlog-cosignature (cosignature/v1): a witness's signature line
    checkpoint   C2SP tlog-checkpoint: origin, size, root; signed as a note
    tlog_proof   C2SP tlog-proof: index, inclusion hashes, checkpoint in one text
    trust        a verifier's policy: origin, log key, witnesses, fork and rollback
    leaves       the log's leaves: exact bytes, leaf hash, strict reading of every type
    leaf_events  ingest, access and fixity records
    leaf_backfill  objects stored before the log existed, logged when it began
    leaf_decisions  custody changes and compliance decisions
    leaf_parts   what records share: actor and role, object reference, UTC times

docs/custody-log.md describes the formats for people.
"""
