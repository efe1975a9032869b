"""``liuhen recordings``: list, show, re-verify against the store, match a clip, attach a
transcript: through the server's API, as the person ``liuhen login`` signed in."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from evidence.wire import (
    RECORDING,
    RECORDING_MATCH,
    RECORDING_TRANSCRIPT,
    RECORDING_VERIFY,
    RECORDINGS,
)
from liuhen.cli_command import command, group
from liuhen.cli_login import signed_in
from liuhen.cli_numbers import a_count
from liuhen.report import print_match, print_recordings, print_verification
from liuhen.settings import Settings

__all__ = ["add_recording_commands"]


async def _list(settings: Settings, args: argparse.Namespace) -> int:
    query = {"case_number": args.case_number, "limit": args.limit}
    async with signed_in(settings) as client:
        found = (await client.json("GET", RECORDINGS, query=query))["recordings"]
    print_recordings(found, as_json=args.json)
    return 0


async def _show(settings: Settings, args: argparse.Namespace) -> int:
    async with signed_in(settings) as client:
        shown = await client.json("GET", RECORDING.format(evidence_id=args.evidence_id))
    print(json.dumps(shown, ensure_ascii=False, indent=2))
    return 0


async def _verify(settings: Settings, args: argparse.Namespace) -> int:
    async with signed_in(settings) as client:
        result = await client.json("POST", RECORDING_VERIFY.format(evidence_id=args.evidence_id))
    print_verification(result, as_json=args.json)
    return 0 if result["ok"] else 1


async def _match(settings: Settings, args: argparse.Namespace) -> int:
    path = RECORDING_MATCH.format(evidence_id=args.evidence_id)
    async with signed_in(settings) as client:
        result = await client.upload("POST", path, args.clip, "application/octet-stream")
    print_match(result, as_json=args.json)
    return 0 if result["verdict"] == "match" else 1


async def _attach_transcript(settings: Settings, args: argparse.Namespace) -> int:
    path = RECORDING_TRANSCRIPT.format(evidence_id=args.evidence_id)
    async with signed_in(settings) as client:
        stored = await client.upload("POST", path, args.file, "text/plain; charset=utf-8")
    print(f"transcript stored: sha256 {stored['sha256']}, receipted")
    return 0


def add_recording_commands(groups: Any) -> None:
    parent = group(groups, "recordings", "the index")
    listing = command(parent, "list", _list, "recordings, newest first")
    listing.add_argument("--case-number")
    listing.add_argument("--limit", type=a_count, default=100)
    listing.add_argument("--json", action="store_true")
    show = command(parent, "show", _show, "one recording in full (JSON)")
    show.add_argument("evidence_id")
    verify = command(parent, "verify", _verify, "re-verify a recording against storage now")
    verify.add_argument("evidence_id")
    verify.add_argument("--json", action="store_true")
    match = command(parent, "match", _match, "is this clip from that recording, and where?")
    match.add_argument("evidence_id")
    match.add_argument("clip", type=Path)
    match.add_argument("--json", action="store_true")
    attach = command(parent, "attach-transcript", _attach_transcript, "attach a UTF-8 transcript")
    attach.add_argument("evidence_id")
    attach.add_argument("file", type=Path)
