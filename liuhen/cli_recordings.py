"""``liuhen recordings``: the index on the server host: list, show, re-verify against the
store, match a clip, attach a transcript. Each builds the one service it needs from the
server's books; only attach-transcript loads the server's key (it signs), and none
creates it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from evidence.identifiers import EvidenceId
from ingest.books import load_server_key, server_public_key
from ingest.wiring import clip_matcher, recordings, transcripts, verifier
from liuhen.cli_command import command, group
from liuhen.cli_numbers import a_count
from liuhen.report import print_match, print_recordings, print_verification
from liuhen.server_host import acting_user, server_books
from liuhen.settings import Settings

__all__ = ["add_recording_commands"]


async def _list(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        found = await recordings(parts).find(args.case_number, limit=args.limit)
    print_recordings(found, as_json=args.json)
    return 0


async def _show(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        shown = await recordings(parts).get(EvidenceId(args.evidence_id))
    print(json.dumps(shown, ensure_ascii=False, indent=2))
    return 0


async def _verify(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        checks = verifier(parts, server_public_key(parts.config))
        result = await checks.verify(EvidenceId(args.evidence_id))
    print_verification(result, as_json=args.json)
    return 0 if result["ok"] else 1


async def _match(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        result = await clip_matcher(parts).match(EvidenceId(args.evidence_id), args.clip)
    print_match(result, as_json=args.json)
    return 0 if result["verdict"] == "match" else 1


async def _attach_transcript(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        user = await acting_user(parts, args.by)
        attaching = transcripts(parts, load_server_key(parts.config))
        text = args.file.read_bytes()
        stored = await attaching.attach(user, EvidenceId(args.evidence_id), text)
    print(f"transcript stored: sha256 {stored.sha256}, receipted")
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
    attach.add_argument("--by", required=True, help="the user attaching it (liuhen users add)")
