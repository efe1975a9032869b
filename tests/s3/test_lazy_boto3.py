"""boto3 is imported only where the S3 store is configured: a server with the local
store, and every command module, run without it."""

import subprocess
import sys

SCRIPT = """
import asyncio, sys, tempfile
from pathlib import Path
import liuhen.cli
from evidence.case_number import CaseNumberRule
from ingest.server_config import IngestConfig
from ingest.startup import open_server

async def main():
    with tempfile.TemporaryDirectory() as root:
        server = await open_server(IngestConfig(data_dir=Path(root)), CaseNumberRule())
        await server.close()

asyncio.run(main())
loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("boto3", "botocore"))
print(",".join(loaded) or "none")
"""


def test_a_server_with_the_local_store_never_imports_boto3():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "none", done.stdout
