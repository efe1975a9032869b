"""The ingest server: tus uploads, verification, storage, indexing and the custodian API."""
