"""The ``liuhen`` command. People's commands act through the server's API as the person
``liuhen login`` signed in; bootstrapping (the first admin, devices, keys, serving,
upgrade checks) works on the server's data directory on the server host; agent commands
on the agent's."""

# Each group of commands has a module of its own (cli_<group>.py); this one parses the
# root, the agent's run and status, config and demo, and runs the command.

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evidence.errors import LiuhenError
from liuhen.cli_agent import add_agent_commands
from liuhen.cli_audit import add_audit_commands
from liuhen.cli_cases import add_case_commands
from liuhen.cli_command import Command, command, group
from liuhen.cli_compliance import add_compliance_commands
from liuhen.cli_devices import add_device_commands
from liuhen.cli_flags import add_flag_commands
from liuhen.cli_fleet import add_fleet_commands
from liuhen.cli_keys import add_key_commands
from liuhen.cli_login import add_login_commands
from liuhen.cli_mqtt import add_mqtt_commands
from liuhen.cli_officers import add_officer_commands
from liuhen.cli_packages import add_package_commands
from liuhen.cli_recordings import add_recording_commands
from liuhen.cli_registry import add_registry_commands
from liuhen.cli_retention import add_retention_commands
from liuhen.cli_server import add_server_commands
from liuhen.cli_sessions import add_session_commands
from liuhen.cli_upgrade import add_upgrade_commands
from liuhen.cli_users import add_user_commands
from liuhen.settings import Settings, describe_defaults, load_settings

__all__ = ["main"]


async def _agent_run(settings: Settings, args: argparse.Namespace) -> int:
    from liuhen.cli_agent import agent_run

    return await agent_run(settings, args)


async def _agent_status(settings: Settings, args: argparse.Namespace) -> int:
    from liuhen.cli_agent import agent_status

    return await agent_status(settings, args)


async def _config_defaults(settings: Settings, args: argparse.Namespace) -> int:
    print("| option | default |\n| --- | --- |")
    for name, default in describe_defaults():
        print(f"| `{name}` | `{default}` |")
    return 0


async def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from liuhen.demo import run_demo

    return await run_demo(settings, clips=args.clips, workdir=args.workdir, serve=args.serve)


def _agent_commands(groups: Any) -> None:
    agent = group(groups, "agent", "the edge agent")
    run = command(agent, "run", _agent_run, "watch the dock folders and upload")
    run.add_argument("--once", action="store_true", help="stop when every file found is finished")
    run.add_argument("--timeout", type=float, help="give up after this many seconds")
    status = command(
        agent, "status", _agent_status, "alarms and a summary, then every file and its progress"
    )
    status.add_argument("--json", action="store_true")
    add_agent_commands(agent, status)


def _config_and_demo_commands(groups: Any) -> None:
    config = group(groups, "config", "configuration")
    command(config, "defaults", _config_defaults, "every option and its default (Markdown)")
    demo = groups.add_parser("demo", help="server, agent and simulated dock footage, end to end")
    demo.set_defaults(run=_demo)
    demo.add_argument(
        "--clips", type=int, default=4, help="how many clips the simulated cameras record"
    )
    demo.add_argument(
        "--workdir", type=Path, help="keep everything here instead of a temporary folder"
    )
    demo.add_argument(
        "--serve", action="store_true", help="keep the server up for the console until Ctrl-C"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="liuhen", description=__doc__)
    parser.add_argument(
        "--config", type=Path, help="TOML configuration file (default: built-in defaults)"
    )
    parser.add_argument("--log-level", help="override logging.level (DEBUG, INFO, WARNING…)")
    groups = parser.add_subparsers(dest="group", required=True)
    add_server_commands(groups)
    _agent_commands(groups)
    add_key_commands(groups)
    add_registry_commands(groups)
    add_login_commands(groups)
    add_user_commands(groups)
    add_recording_commands(groups)
    add_session_commands(groups)
    add_flag_commands(groups)
    add_case_commands(groups)
    add_compliance_commands(groups)
    add_officer_commands(groups)
    add_device_commands(groups)
    add_mqtt_commands(groups)
    add_fleet_commands(groups)
    add_upgrade_commands(groups)
    add_audit_commands(groups)
    add_package_commands(groups)
    add_retention_commands(groups)
    _config_and_demo_commands(groups)
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
