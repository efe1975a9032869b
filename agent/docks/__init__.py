"""Dock bays: cameras docked as storage, copied into the staging area (docs/sidecar.md)."""
