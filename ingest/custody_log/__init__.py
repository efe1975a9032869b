"""The custody log on the server (docs/custody-log.md): the log's key and origin, signed
checkpoints on a cadence and on demand, proofs handed out in the C2SP forms, and the keys
published for experts. The leaves themselves are appended by the index, in the
transaction of the event they record (``storage.interfaces.CustodyLog``).

    config           CustodyConfig: the [custody] section
    identity         the log's Ed25519 key (keys/log.pem), its origin, kept by the index
    checkpoints      Checkpointer: sign now, or when due (every N seconds or M entries)
    proofs           LogProofs: checkpoints, inclusion (tlog-proof), consistency, leaves
    published_keys   KeyDirectory: the server's, the log's and the devices' public keys
"""
