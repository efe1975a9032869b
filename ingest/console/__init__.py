"""The custodian console: server-rendered pages over the same services the API uses
(docs/console.md). This room holds what is pure — templates, words, view-models, the
CSRF rule, the pictures; the routes are in ``ingest/http/console_routes.py``."""
