"""The ``liuhen`` command. Server-side commands work on the server's data directory
directly (run them on the server host); agent commands on the agent's."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import shlex
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from evidence.errors import LiuhenError
from evidence.identifiers import DeviceId, EvidenceId
from evidence.keys import generate_key_pair
from ingest.admin import register_device, revoke_device
from ingest.flags import FlagKind, flag_json, list_flags, resolve_flag
from ingest.matching import match_recording
from ingest.recordings import get_recording, list_recordings
from ingest.reverify import verify_recording
from ingest.server import serve
from ingest.sessions import session_timeline
from ingest.transcripts import attach_transcript
from liuhen.cli_agent import add_agent_commands
from liuhen.cli_compliance import add_compliance_commands
from liuhen.cli_devices import add_device_commands
from liuhen.cli_numbers import a_count, an_id
from liuhen.cli_upgrade import add_upgrade_commands
from liuhen.cli_users import add_user_commands
from liuhen.report import (
    print_flags,
    print_match,
    print_recordings,
    print_session,
    print_verification,
)
from liuhen.server_host import acting_user, server_books
from liuhen.settings import Settings, describe_defaults, load_settings

__all__ = ["main"]

Command = Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]


async def _ingest_serve(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        await serve(ctx)
    return 0


async def _agent_run(settings: Settings, args: argparse.Namespace) -> int:
    from liuhen.cli_agent import agent_run

    return await agent_run(settings, args)


async def _agent_status(settings: Settings, args: argparse.Namespace) -> int:
    from liuhen.cli_agent import agent_status

    return await agent_status(settings, args)


async def _keys_generate(settings: Settings, args: argparse.Namespace) -> int:
    if args.out is not None:
        private, public = args.out, args.out.with_suffix(".pub.pem")
    elif args.server:
        private, public = settings.server.server_key_path, settings.server.server_public_key_path
    else:
        private, public = settings.agent.key_path, settings.agent.public_key_path
    generate_key_pair(private, public)
    print(f"private key: {private}\npublic key:  {public}")
    if not args.server and args.out is None:
        register = ["device", "register", settings.agent.device_id, "--public-key"]
        command = shlex.join(
            ["liuhen", "--config", "liuhen.toml", *register, str(public.resolve())]
        )
        print(f"Register this device on the server host (copy the public key there):\n  {command}")
    return 0


async def _device_register(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        record = await register_device(
            ctx.index, DeviceId(args.device_id), args.public_key.read_bytes(), args.label
        )
    print(f"registered {record.device_id}")
    return 0


async def _device_revoke(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        record = await revoke_device(ctx.index, DeviceId(args.device_id))
    print(f"revoked {record.device_id} at {record.revoked_at}")
    return 0


async def _device_list(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        for device in await ctx.index.devices.list_all():
            print(f"{device.device_id}\t{device.status.value}\t{device.label or ''}")
    return 0


async def _recordings_list(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        found = await list_recordings(ctx, args.case_number, limit=args.limit)
    print_recordings(found, as_json=args.json)
    return 0


async def _recordings_show(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        print(
            json.dumps(
                await get_recording(ctx, EvidenceId(args.evidence_id)), ensure_ascii=False, indent=2
            )
        )
    return 0


async def _recordings_verify(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        result = await verify_recording(ctx, EvidenceId(args.evidence_id))
    print_verification(result, as_json=args.json)
    return 0 if result["ok"] else 1


async def _recordings_match(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        result = await match_recording(ctx, EvidenceId(args.evidence_id), args.clip)
    print_match(result, as_json=args.json)
    return 0 if result["verdict"] == "match" else 1


async def _recordings_attach_transcript(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        user = await acting_user(ctx, args.by)
        stored = await attach_transcript(
            ctx, user, EvidenceId(args.evidence_id), args.file.read_bytes()
        )
    print(f"transcript stored: sha256 {stored.sha256}, receipted")
    return 0


async def _flags_list(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        found = await list_flags(ctx, args.kind, not args.resolved, limit=args.limit)
    print_flags([flag_json(flag) for flag in found], as_json=args.json)
    return 0


async def _flags_resolve(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        by = await acting_user(ctx, args.by)
        flag = await resolve_flag(ctx, args.flag_id, args.reason, by.name)
    print(f"flag {flag.flag_id} ({flag.kind} {flag.subject}) resolved by {flag.resolved_by}")
    return 0


async def _sessions_show(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as ctx:
        timeline = await session_timeline(ctx, args.session_id)
    print_session(timeline, as_json=args.json)
    return 0 if timeline["complete"] else 1


async def _config_defaults(settings: Settings, args: argparse.Namespace) -> int:
    print("| option | default |\n| --- | --- |")
    for name, default in describe_defaults():
        print(f"| `{name}` | `{default}` |")
    return 0


async def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from liuhen.demo import run_demo

    return await run_demo(settings, clips=args.clips, workdir=args.workdir)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="liuhen", description=__doc__)
    parser.add_argument(
        "--config", type=Path, help="TOML configuration file (default: built-in defaults)"
    )
    parser.add_argument("--log-level", help="override logging.level (DEBUG, INFO, WARNING…)")
    groups = parser.add_subparsers(dest="group", required=True)

    def command(group: Any, name: str, run: Command, help_text: str) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = group.add_parser(name, help=help_text)
        sub.set_defaults(run=run)
        return sub

    ingest = groups.add_parser("ingest", help="the ingest server").add_subparsers(
        dest="command", required=True
    )
    command(ingest, "serve", _ingest_serve, "run the ingest server")

    agent = groups.add_parser("agent", help="the edge agent").add_subparsers(
        dest="command", required=True
    )
    run = command(agent, "run", _agent_run, "watch the dock folders and upload")
    run.add_argument("--once", action="store_true", help="stop when every file found is finished")
    run.add_argument("--timeout", type=float, help="give up after this many seconds")
    status = command(
        agent, "status", _agent_status, "alarms and a summary, then every file and its progress"
    )
    status.add_argument("--json", action="store_true")
    add_agent_commands(agent, status)

    keys = groups.add_parser("keys", help="Ed25519 keys").add_subparsers(
        dest="command", required=True
    )
    generate = command(keys, "generate", _keys_generate, "make a key pair (never overwrites)")
    which = generate.add_mutually_exclusive_group()
    which.add_argument("--server", action="store_true", help="the server's receipt key")
    which.add_argument(
        "--device", action="store_true", help="this agent's device key (the default)"
    )
    which.add_argument(
        "--out", type=Path, help="write the private key here, the public key beside it"
    )

    device = groups.add_parser("device", help="registered devices").add_subparsers(
        dest="command", required=True
    )
    register = command(device, "register", _device_register, "register a device and its public key")
    register.add_argument("device_id")
    register.add_argument(
        "--public-key", type=Path, required=True, help="the device's public key (PEM)"
    )
    register.add_argument("--label")
    revoke = command(device, "revoke", _device_revoke, "refuse a device from now on")
    revoke.add_argument("device_id")
    command(device, "list", _device_list, "list registered devices")

    add_user_commands(groups)

    recordings = groups.add_parser("recordings", help="the index").add_subparsers(
        dest="command", required=True
    )
    listing = command(recordings, "list", _recordings_list, "recordings, newest first")
    listing.add_argument("--case-number")
    listing.add_argument("--limit", type=a_count, default=100)
    listing.add_argument("--json", action="store_true")
    show = command(recordings, "show", _recordings_show, "one recording in full (JSON)")
    show.add_argument("evidence_id")
    verify = command(
        recordings, "verify", _recordings_verify, "re-verify a recording against storage now"
    )
    verify.add_argument("evidence_id")
    verify.add_argument("--json", action="store_true")

    match = command(
        recordings, "match", _recordings_match, "is this clip from that recording, and where?"
    )
    match.add_argument("evidence_id")
    match.add_argument("clip", type=Path)
    match.add_argument("--json", action="store_true")
    attach = command(
        recordings, "attach-transcript", _recordings_attach_transcript, "attach a UTF-8 transcript"
    )
    attach.add_argument("evidence_id")
    attach.add_argument("file", type=Path)
    attach.add_argument("--by", required=True, help="the user attaching it (liuhen users add)")

    sessions = groups.add_parser("sessions", help="room sessions").add_subparsers(
        dest="command", required=True
    )
    session = command(sessions, "show", _sessions_show, "a session's segments and holes")
    session.add_argument("session_id")
    session.add_argument("--json", action="store_true")

    flags = groups.add_parser("flags", help="what a custodian must look at").add_subparsers(
        dest="command", required=True
    )
    listed = command(flags, "list", _flags_list, "open flags (or resolved ones), oldest first")
    listed.add_argument("--kind", choices=[kind.value for kind in FlagKind])
    listed.add_argument("--resolved", action="store_true", help="resolved flags instead")
    listed.add_argument("--limit", type=a_count, default=100)
    listed.add_argument("--json", action="store_true")
    resolve = command(flags, "resolve", _flags_resolve, "resolve a flag, with why (final)")
    resolve.add_argument("flag_id", type=an_id)
    resolve.add_argument("--reason", required=True, help="why it is resolved")
    resolve.add_argument("--by", required=True, help="who resolves it (kept with it)")

    add_compliance_commands(groups)
    add_device_commands(groups)
    add_upgrade_commands(groups)

    config = groups.add_parser("config", help="configuration").add_subparsers(
        dest="command", required=True
    )
    command(config, "defaults", _config_defaults, "every option and its default (Markdown)")

    demo = groups.add_parser("demo", help="server, agent and simulated dock footage, end to end")
    demo.set_defaults(run=_demo)
    demo.add_argument(
        "--clips", type=int, default=4, help="how many clips the simulated cameras record"
    )
    demo.add_argument(
        "--workdir", type=Path, help="keep everything here instead of a temporary folder"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
        # The demo tells its own story; its logs would drown it unless asked for.
        quiet = "WARNING" if args.group == "demo" else settings.logging.level
        logging.basicConfig(
            level=(args.log_level or quiet).upper(),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        run: Command = args.run
        return asyncio.run(run(settings, args))
    except LiuhenError as exc:
        print(f"error [{exc.code}]: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
