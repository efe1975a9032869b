"""``liuhen keys generate``: a key pair for this agent's device (the default), for the
server, or written where asked. Never overwrites a key."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import Any

from liuhen.cli_command import command, group
from liuhen.settings import Settings
from runtime.key_files import generate_key_pair

__all__ = ["add_key_commands"]


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
        command_line = shlex.join(
            ["liuhen", "--config", "liuhen.toml", *register, str(public.resolve())]
        )
        print(
            f"Register this device on the server host (copy the public key there):\n  {command_line}"
        )
    return 0


def add_key_commands(groups: Any) -> None:
    keys = group(groups, "keys", "Ed25519 keys")
    generate = command(keys, "generate", _keys_generate, "make a key pair (never overwrites)")
    which = generate.add_mutually_exclusive_group()
    which.add_argument("--server", action="store_true", help="the server's receipt key")
    which.add_argument(
        "--device", action="store_true", help="this agent's device key (the default)"
    )
    which.add_argument(
        "--out", type=Path, help="write the private key here, the public key beside it"
    )
