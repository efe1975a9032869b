"""``liuhen export`` and ``liuhen import-package``: evidence packages through the server's
API, as the person ``liuhen login`` signed in; ``liuhen verify-package`` checks one
offline, as its own verify.py does (docs/evidence-package.md)."""

from __future__ import annotations

import argparse
import asyncio
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from evidence.errors import BadRequest
from evidence.package.verify_package import verify_package
from evidence.wire import EXPORTS, PACKAGES
from liuhen.cli_command import command, group
from liuhen.cli_login import signed_in
from liuhen.settings import Settings

__all__ = ["add_package_commands"]

TAR = "application/x-tar"


def _new_archive(out: Path) -> Path:
    archive = out.with_name(out.name + ".tar")
    if out.exists() or archive.exists():
        raise BadRequest(f"{out} or {archive} exists already: name a new folder")
    return archive


def _unpack(archive: Path, out: Path) -> None:
    with tarfile.open(archive) as tar:
        tar.extractall(out, filter="data")


def _tar_folder(source: Path, archive: Path) -> None:
    with tarfile.open(archive, "x") as tar:
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            tar.add(path, arcname=str(path.relative_to(source)))


async def _export(settings: Settings, args: argparse.Namespace, body: dict[str, Any]) -> int:
    out: Path = args.out
    archive = _new_archive(out)
    async with signed_in(settings) as client:
        headers = await client.save(EXPORTS, {**body, "purpose": args.purpose}, archive)
    _unpack(archive, out)
    print(f"exported to {out} (and {archive}); logged as entry {headers['Liuhen-Log-Index']}")
    print(f"check it offline: python3 {out / 'verify.py'}")
    return 0


async def _export_case(settings: Settings, args: argparse.Namespace) -> int:
    return await _export(settings, args, {"case": args.case})


async def _export_recordings(settings: Settings, args: argparse.Namespace) -> int:
    return await _export(settings, args, {"evidence_ids": args.evidence_ids})


async def _import(settings: Settings, args: argparse.Namespace) -> int:
    source: Path = args.package
    async with signed_in(settings) as client:
        if await asyncio.to_thread(source.is_dir):  # a folder: sent as the tar it came in
            with tempfile.TemporaryDirectory() as scratch:
                archive = Path(scratch) / "package.tar"
                _tar_folder(source, archive)
                answer = await client.upload("POST", PACKAGES, archive, TAR)
        else:
            answer = await client.upload("POST", PACKAGES, source, TAR)
        again = client.status == 200
    held = "received before" if again else "received"
    print(f"package {answer['package_sha256']} {held}: {len(answer['objects'])} objects")
    print(f"from {answer['agency']} ({answer['origin']}), sent by {answer['sent_by']}")
    print(f"logged as entry {answer['log_index']}")
    return 0


async def _verify(settings: Settings, args: argparse.Namespace) -> int:
    report = verify_package(args.folder)
    for result in report.results:
        print(result.line())
    return 0 if report.ok else 1


def add_package_commands(groups: Any) -> None:
    export = group(groups, "export", "an evidence package, logged (docs/evidence-package.md)")
    case = command(export, "case", _export_case, "every recording of a case")
    case.add_argument("case")
    recordings = command(export, "recordings", _export_recordings, "these recordings")
    recordings.add_argument("evidence_ids", nargs="+")
    for sub in (case, recordings):
        sub.add_argument("--purpose", required=True, help="why it is exported (logged)")
        sub.add_argument("--out", type=Path, required=True, help="a new folder for the package")
    imported = groups.add_parser("import-package", help="another agency's evidence package")
    imported.set_defaults(run=_import)
    imported.add_argument("package", type=Path, help="the package's .tar, or its folder")
    verify = groups.add_parser("verify-package", help="check a package offline, as verify.py")
    verify.set_defaults(run=_verify)
    verify.add_argument("folder", type=Path)
