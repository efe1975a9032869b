"""Compliance: enforcement acts, their recording duties, the footage that covers them, and
the supervisor's report (R2, R3, R10, R11). See docs/compliance.md."""
