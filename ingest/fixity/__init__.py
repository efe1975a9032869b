"""Fixity audits (docs/custody-log.md#fixity-audits)."""
