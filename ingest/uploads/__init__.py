"""The tus upload path: the protocol's rules, the upload session, partial files, the
server's upload state machine, finalize and the expiry sweep."""
