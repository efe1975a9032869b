"""nginx in front of the nodes: round-robin over their loopback ports on one port.

- Bodies stream through (``proxy_request_buffering off``): a PATCH reaches its node as it
  arrives, as the agent sends it, and nginx keeps no copy on its disk.
- ``Host`` is passed on, so the ``Location`` a node gives a new upload is nginx's address.
- A node that refuses the connection (down, restarting) is skipped for the next one,
  even for a PATCH or a POST: nothing of the request reached it.
- Each response names the node that answered (``X-Liuhen-Node``, its loopback address),
  and the access log says which node took each request: how the tests show that the
  PATCHes of one upload are spread over the nodes.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

__all__ = ["ClusterNginx", "nginx_config"]

LOG_FORMAT = "$request_method $uri $status $upstream_addr"


def nginx_config(root: Path, port: int, node_ports: list[int]) -> str:
    servers = "\n".join(
        f"        server 127.0.0.1:{node} max_fails=1 fail_timeout=2s;" for node in node_ports
    )
    return f"""daemon off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format nodes '{LOG_FORMAT}';
    access_log {root}/access.log nodes;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    upstream liuhen {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 0;
        location / {{
            proxy_pass http://liuhen;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_request_buffering off;
            proxy_buffering off;
            proxy_read_timeout 300s;
            proxy_next_upstream error non_idempotent;
            add_header X-Liuhen-Node $upstream_addr always;
        }}
    }}
}}
"""


class ClusterNginx:
    def __init__(self, root: Path, port: int, node_ports: list[int]) -> None:
        self.root = root
        self.port = port
        self.node_ports = node_ports
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.root / "access.log"

    def start(self) -> None:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.root.mkdir(parents=True, exist_ok=True)
        conf = self.root / "nginx.conf"
        conf.write_text(nginx_config(self.root, self.port, self.node_ports), "utf-8")
        output = open(self.root / "nginx.out", "ab")  # noqa: SIM115 - the process's, closed by it
        with output:
            self._process = subprocess.Popen(
                [binary, "-p", str(self.root), "-c", str(conf)],
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()  # nginx: TERM is a fast shutdown
            self._process.wait(10)
        self._process = None

    def nodes_of(self, method: str, path_part: str) -> list[str]:
        """The node (``127.0.0.1:port``) that took each such request, in order."""
        taken = []
        for line in self.access_log.read_text("utf-8").splitlines():
            verb, uri, _status, node = [*line.split(" ", 3), "", "", ""][:4]
            if verb == method and path_part in uri:
                taken.append(node)
        return taken
