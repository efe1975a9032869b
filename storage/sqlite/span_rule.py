"""The one overlap rule, in SQL: which recordings an act's window attaches (see
``coverage_queries``, whose docstring states it, and ``act_spans``, whose triggers keep
each act's fold by it). Apart from both so that each can import it."""

from __future__ import annotations

__all__ = ["_by_case", "_confirmed", "_overlaps"]


def _overlaps(a: str, b: str, span: str = "s") -> str:
    """The span ``span`` (an alias of recording_spans) overlaps the window from ``a`` to
    ``b`` (SQL expressions, in milliseconds). The first two terms let an index on
    start_ms narrow the search."""
    s = span
    return (
        f"{s}.start_ms <= {b} AND {s}.end_ms >= {a} "
        f"AND ({s}.start_ms < {b} AND {s}.end_ms > {a} OR {s}.start_ms = {s}.end_ms)"
    )


def _by_case(act: str) -> str:
    """The spans attached to the act ``act`` (an alias with case_number, a0 and b0, its
    window in milliseconds) by its case number: what follows FROM."""
    return (
        f"recording_spans s WHERE s.case_number = {act}.case_number "
        f"AND {_overlaps(f'{act}.a0', f'{act}.b0')}"
    )


def _confirmed(act: str) -> str:
    """The spans a person confirmed for the act ``act`` that overlap it: what follows FROM."""
    return (
        "decisions d JOIN recording_spans s ON s.evidence_id = d.evidence_id "
        f"WHERE d.act_id = {act}.act_id AND d.decision = 'confirmed' "
        f"AND {_overlaps(f'{act}.a0', f'{act}.b0')}"
    )
