"""A real mosquitto for the tests: its own port on loopback, its own folder with a generated
configuration, a hashed password file (mosquitto_passwd) and an access list
(evidence.mqtt_wire.mosquitto_acl, as docs/mqtt.md shows an operator to write it), with
persistence on so sessions and queued messages outlive a restart, as on a real broker.
``scripts/test`` installs the Debian package."""

from __future__ import annotations

import getpass
import os
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

__all__ = ["Mosquitto", "free_port"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mosquitto:
    def __init__(self, root: Path, users: list[str], acl: str) -> None:
        if shutil.which("mosquitto") is None or shutil.which("mosquitto_passwd") is None:
            raise RuntimeError("mosquitto is not installed: run ./scripts/test (Debian: mosquitto)")
        self.root = root
        self.port = free_port()
        self.passwords = {user: secrets.token_urlsafe(12) for user in users}
        self._process: subprocess.Popen[bytes] | None = None
        root.mkdir(parents=True, exist_ok=True)
        (root / "data").mkdir(exist_ok=True)
        (root / "acl").write_text(acl)
        self._write_passwords()
        (root / "mosquitto.conf").write_text(self._configuration())

    def _write_passwords(self) -> None:
        passwd = self.root / "passwd"
        passwd.write_text("".join(f"{user}:{word}\n" for user, word in self.passwords.items()))
        passwd.chmod(0o600)
        subprocess.run(["mosquitto_passwd", "-U", str(passwd)], check=True, capture_output=True)

    def _configuration(self) -> str:
        lines = [
            f"listener {self.port} 127.0.0.1",
            "allow_anonymous false",
            f"password_file {self.root / 'passwd'}",
            f"acl_file {self.root / 'acl'}",
            "persistence true",
            f"persistence_location {self.root / 'data'}/",
            f"log_dest file {self.root / 'mosquitto.log'}",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
        ]
        if os.geteuid() == 0:
            lines.append(f"user {getpass.getuser()}")  # or it drops to 'mosquitto'
        return "\n".join(lines) + "\n"

    def password_file(self, user: str) -> Path:
        """The user's password in a file of its own, as the agent reads it."""
        path = self.root / f"{user}.password"
        path.write_text(self.passwords[user] + "\n")
        path.chmod(0o600)
        return path

    def start(self) -> None:
        self._process = subprocess.Popen(
            ["mosquitto", "-c", str(self.root / "mosquitto.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"mosquitto exited: {self.log()}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.02)
        raise RuntimeError("mosquitto did not start listening")

    def stop(self) -> None:
        """A clean stop: mosquitto saves its sessions and queued messages first. A SIGTERM
        that lands just as mosquitto starts is lost (it sets its run flag after installing
        the handler), so it is sent again until mosquitto goes."""
        process, self._process = self._process, None
        if process is None:
            return
        for _ in range(20):
            process.terminate()
            try:
                process.wait(timeout=0.5)
                return
            except subprocess.TimeoutExpired:
                continue
        process.kill()
        process.wait()
        raise RuntimeError("mosquitto ignored SIGTERM for 10 s")

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        path = self.root / "mosquitto.log"
        return path.read_text(errors="replace") if path.exists() else ""
