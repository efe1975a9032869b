"""Helpers for the compliance tests: recordings through the real upload path, cases and
acts through the API."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evidence.manifest import Capture, Officer, Origin, TimeSource
from evidence.strict_json import format_time
from evidence.wire import ACTS, CASES
from tests.builders import CASE, CHINA, media_lasting
from tests.conftest import Server
from tests.ingest.helpers import Prepared, created, prepared, upload_all

T0 = datetime(2026, 3, 12, 9, 30, tzinfo=CHINA)
OFFICER = "130102001"
SERIAL = "BWC-00042"
AGENCY = "石家庄市城市管理综合行政执法局"


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def recording(
    server: Server,
    start: float,
    end: float | None,
    *,
    case_number: str | None = CASE,
    officer: str | None = OFFICER,
    serial: str | None = SERIAL,
    claims: float | None = None,
) -> Prepared:
    """An original whose footage runs from ``start`` to ``end`` minutes after T0 (None: its
    length could not be probed), whose sidecar claims it ended at ``claims`` (by default,
    where it did), uploaded and stored (each on a new dock, so each is sequence 1 of its
    own device)."""
    claimed_end = end if claims is None else claims
    capture = Capture(
        started_at=at(start),
        ended_at=None if claimed_end is None else at(claimed_end),
        time_source=TimeSource.SIDECAR,
        place="石家庄市长安区中山东路12号",
        captured_by=None if officer is None else Officer(officer, "张伟"),
        proves="查封现场物品清点过程",
    )
    ready = await prepared(
        server,
        size=1000,
        case_number=case_number,
        capture=capture,
        origin=Origin("DSJ-V9", serial, "liuhen-agent/test"),
        media=None if end is None else media_lasting((end - start) * 60),
    )
    await upload_all(server, ready, await created(server, ready))
    return ready


def body(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


async def add_case(server: Server, token: str, case_number: str = CASE, agency: str = AGENCY):
    reply = await server.send(
        "POST",
        CASES,
        token=token,
        body=body({"case_number": case_number, "agency": agency, "subject": "某建材公司"}),
    )
    assert reply.status in (200, 201), reply.body
    return reply


async def add_act(
    server: Server,
    token: str,
    act_type: str,
    start: float,
    end: float,
    *,
    case_number: str = CASE,
    officers: tuple[str, ...] = (OFFICER,),
    devices: tuple[str, ...] = (),
) -> int:
    reply = await server.send(
        "POST",
        ACTS,
        token=token,
        body=body(
            {
                "case_number": case_number,
                "act_type": act_type,
                "started_at": format_time(at(start)),
                "ended_at": format_time(at(end)),
                "place": "中山东路12号",
                "officers": list(officers),
                "devices": list(devices),
            }
        ),
    )
    assert reply.status == 201, reply.body
    return int(reply.json()["act_id"])
