"""Fixity audits (docs/custody-log.md#fixity-audits): stored objects re-read and held
against their signatures, the custody log against its checkpoints and the index.

    audit       FixityAudit: a scheduled round, everything, or a case; FixitySchedule
    log_audit   LogAudit: the log against its entries, nodes, checkpoints and the index
"""
