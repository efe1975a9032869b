"""The scale-out setup on one machine (``./scripts/cluster``, docs/cluster.md): a
throwaway PostgreSQL, an S3 endpoint with Object Lock (moto's server), three ingest nodes
sharing them, and nginx round-robin in front. The multi-node tests start the same."""
