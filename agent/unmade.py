"""Tell the server, once, that a derived copy was given up (``unmade``), so a custodian
sees why a receipted original has no review copy (docs/protocol.md, "A derived copy that
could not be made").

The request goes until the server has answered it: a network failure or a busy server
is retried with the agent's backoff. A server without the endpoint (404 or 405: older
software) is noted as ``unsupported`` and logged once; one that refuses the report is
noted as ``refused``. Neither is asked again: the alarm stays in ``liuhen agent status``.
"""

from __future__ import annotations

import logging

from agent.file_row import FileRow
from agent.journal import Journal
from agent.retries import Outcome, outcome
from agent.server_api import ServerApi
from agent.setbacks import Setbacks
from evidence.errors import LiuhenError
from evidence.identifiers import Role

__all__ = ["report_unmade"]

log = logging.getLogger(__name__)


def _document(row: FileRow, profile: str | None) -> dict[str, object]:
    return {
        "reason": (row.error_message or "the copy could not be made")[:1000],
        "code": row.error_code,
        "attempts": row.refusals,
        "profile": profile if row.role is Role.PROXY else None,
    }


async def report_unmade(
    api: ServerApi, journal: Journal, setbacks: Setbacks, row: FileRow, profile: str | None
) -> FileRow:
    try:
        told = await api.report_unmade(row.evidence_id, row.role, _document(row, profile))
    except LiuhenError as exc:
        if outcome(exc) is Outcome.BACK_OFF:  # may pass: ask again later
            return await setbacks.postpone(row, exc)
        log.error(
            "the server refused to hear that the %s of %s was given up [%s]: %s",
            row.role.value,
            row.evidence_id,
            exc.code,
            exc.message,
        )
        await journal.mark(row, reported="refused")
        return await journal.get(row.id)
    if not told:
        log.warning(
            "the server cannot be told that the %s of %s was given up (it has no such "
            "endpoint yet); the alarm stays in 'liuhen agent status'",
            row.role.value,
            row.evidence_id,
        )
    await journal.mark(row, reported="sent" if told else "unsupported")
    return await journal.get(row.id)
