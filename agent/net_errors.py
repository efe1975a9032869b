"""Say why a request failed in a few plain words, for the one-line messages the agent
logs and keeps ("POST http://… failed: cannot connect (connection refused)"), never a
Python repr. aiohttp's and the OS's errors are read here, and nowhere else."""

from __future__ import annotations

import os
import ssl

import aiohttp

__all__ = ["SendStalled", "cause"]


class SendStalled(TimeoutError):
    """A request body that stopped moving: not one byte of it accepted for the timeout."""


def _os_reason(error: OSError | None) -> str:
    if error is None:
        return "unknown reason"
    if isinstance(error, ssl.SSLError):
        return f"TLS: {error.reason or error}".lower()
    if error.errno:  # asyncio words a refusal "Connect call failed (…)": say what it was
        return os.strerror(error.errno).lower()
    return (error.strerror or str(error) or type(error).__name__).lower()


def cause(exc: BaseException) -> str:
    """What went wrong on the wire, in one line."""
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return f"the server's TLS certificate was refused ({exc.certificate_error})"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot connect to {exc.host}:{exc.port} ({_os_reason(exc.os_error)})"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "the server closed the connection before it answered"
    if isinstance(exc, SendStalled):
        return f"{exc} (agent.request_timeout_seconds)"
    if isinstance(exc, TimeoutError):
        return "no answer in time (agent.request_timeout_seconds)"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "the answer was cut short"
    if isinstance(exc, aiohttp.InvalidURL):
        return "not a usable URL (check agent.server_url)"
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"a malformed answer ({exc.status} {exc.message})"
    if isinstance(exc, aiohttp.ClientOSError):
        return f"connection failed ({_os_reason(exc)})"
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
