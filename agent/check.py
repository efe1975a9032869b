"""``liuhen agent check``: can this dock work? Each check gives one finding, in order:

    bay …         each folder in agent.watch exists, is a folder and can be read
    keys          the device key and the pinned server key can be read
    server        the server answers /healthz (the URL and the cause when not)
    server key    the key it signs receipts with is the pinned one (both key ids when not)
    device        it lets this device sign in (the register command when it does not know
                  the device: the server says so only to the key's holder)
    clock         its Date header and this machine's clock agree within a tolerance

A check that cannot run because an earlier one failed is reported as skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import aiohttp

from agent.bays import bay_problem
from agent.config import AgentConfig
from agent.server_api import Reply, ServerApi
from evidence.errors import DeviceRevoked, LiuhenError, UnknownDevice
from evidence.identifiers import DeviceId
from evidence.keys import Ed25519PrivateKey, Ed25519PublicKey, key_id
from evidence.wire import HEALTH
from runtime.key_files import load_private_key, load_public_key

__all__ = ["Finding", "check_agent"]


@dataclass(frozen=True, slots=True)
class Finding:
    what: str
    ok: bool | None  # None: not checked, an earlier check failed
    detail: str


def _bays(config: AgentConfig) -> list[Finding]:
    return [
        Finding(f"bay {bay}", problem is None, problem or "a readable folder")
        for bay in config.watch
        for problem in [bay_problem(bay)]
    ]


def _keys(config: AgentConfig) -> tuple[Finding, Ed25519PrivateKey | None, Ed25519PublicKey | None]:
    try:
        device, server = (
            load_private_key(config.key_path),
            load_public_key(config.server_public_key),
        )
    except LiuhenError as exc:
        return Finding("keys", False, exc.message), None, None
    detail = f"device key {key_id(device.public_key())}, pinned server key {key_id(server)}"
    return Finding("keys", True, detail), device, server


def _server_key(reply: Reply, pinned: Ed25519PublicKey, path: str) -> Finding:
    served, ours = reply.json().get("server_key_id"), key_id(pinned)
    if served == ours:
        return Finding("server key", True, f"the pinned key {ours}")
    return Finding(
        "server key",
        False,
        f"the server signs receipts with key {served}, but agent.server_public_key ({path}) "
        f"pins key {ours}: receipts would not verify and nothing would be freed",
    )


def _clock(reply: Reply, sent: float, heard: float, tolerance: float) -> Finding:
    date = reply.headers.get("Date")
    if date is None:
        return Finding("clock", None, "the server sent no Date header")
    server = parsedate_to_datetime(date).timestamp()
    skew = (sent + heard) / 2 - server  # the Date header has whole seconds only
    if abs(skew) <= tolerance + 1:
        return Finding("clock", True, f"agrees with the server's within {abs(skew):.0f} s")
    ahead = "ahead of" if skew > 0 else "behind"
    return Finding(
        "clock",
        False,
        f"this machine's clock is {abs(skew):.0f} s {ahead} the server's (more than "
        f"{tolerance:g} s): set it right (NTP); capture times and receipts go by it",
    )


async def _device(api: ServerApi, config: AgentConfig, key: Ed25519PrivateKey) -> Finding:
    try:
        await api.sign_in()
    except UnknownDevice:
        return Finding(
            "device",
            False,
            f"the server does not know device {config.device_id} with key "
            f"{key_id(key.public_key())}; register it on the server host: liuhen device "
            f"register {config.device_id} --public-key {config.public_key_path.resolve()}",
        )
    except DeviceRevoked as exc:
        return Finding("device", False, exc.message)
    except LiuhenError as exc:
        return Finding("device", False, f"sign-in failed: [{exc.code}] {exc.message}")
    return Finding("device", True, f"{config.device_id} signs in")


async def check_agent(
    config: AgentConfig,
    session: aiohttp.ClientSession,
    clock: Callable[[], float] = time.time,
    clock_tolerance: float = 30.0,
) -> list[Finding]:
    findings = _bays(config)
    keys, device_key, server_key = _keys(config)
    findings.append(keys)
    api = ServerApi(
        session,
        config.server_url,
        DeviceId(config.device_id),
        device_key or Ed25519PrivateKey.generate(),
    )
    sent = clock()
    try:
        reply = await api.send("GET", HEALTH, authenticated=False)
    except LiuhenError as exc:
        findings.append(Finding("server", False, exc.message))
        return findings + [
            Finding(what, None, "not checked") for what in ("server key", "device", "clock")
        ]
    heard = clock()
    findings.append(
        Finding("server", True, f"{config.server_url} answers ({reply.json().get('software')})")
    )
    if server_key is None or device_key is None:
        findings += [
            Finding(what, None, "not checked: no keys") for what in ("server key", "device")
        ]
    else:
        findings.append(_server_key(reply, server_key, str(config.server_public_key)))
        findings.append(await _device(api, config, device_key))
    findings.append(_clock(reply, sent, heard, clock_tolerance))
    return findings
