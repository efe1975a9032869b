"""Supervised retrieval (docs/protocol.md#retrieval-supervised-and-logged): footage is
served only after an access naming who, in what role, why, what and when is committed to
the custody log; if that entry cannot be written, nothing is served.

    purposes       the stated purpose: required, bounded, plain text
    byte_ranges    HTTP Range (RFC 9110 §14): one range, or the whole; pure
    grants         Grants: short-lived stream grants, each covered by one logged access
    retrieval      Retrieval: find the object, log the access, read its bytes in bounded memory
    access_audit   AccessAudit: who looked at what, when and why
"""
