"""Writing a package's directory and its tar archive (docs/evidence-package.md#layout).

Synchronous, run in a worker thread. Originals and review copies are streamed from the
store one buffer at a time, never held whole; every file is private to the service user
(the package leaves the server only as the archive, which the API streams)."""

from __future__ import annotations

import json
import shutil
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence.package import README_VERIFY, VERIFY_PY
from evidence.package.verify_package import (
    CHECKPOINT_FILE,
    PACKAGE_FILE,
    chunks_path,
    entry_path,
    manifest_path,
    object_path,
    receipt_path,
)
from runtime.private_files import make_private_dirs, write_private
from storage.records import StoredObject

__all__ = ["PackageContents", "PackedObject", "remove_package", "tar_package", "write_package"]

Reader = Callable[[str], Iterator[bytes]]  # a locator's bytes, a buffer at a time


@dataclass(frozen=True, slots=True)
class PackedObject:
    stored: StoredObject
    manifest_body: bytes
    manifest_signature: bytes
    chunks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PackageContents:
    document: dict[str, Any]  # package.json
    objects: tuple[PackedObject, ...]
    entries: tuple[tuple[int, bytes, bytes], ...]  # (index, leaf bytes, tlog-proof)
    checkpoint: bytes  # the signed note every proof is against
    keys: dict[str, bytes]  # path in the package → PEM or vkey text


def _write(root: Path, name: str, data: bytes) -> None:
    path = root / name
    make_private_dirs(path.parent)
    write_private(path, data)


def _copy(root: Path, name: str, blocks: Iterator[bytes]) -> None:
    path = root / name
    make_private_dirs(path.parent)
    with path.open("xb") as out:
        path.chmod(0o600)
        for block in blocks:
            out.write(block)


def write_package(root: Path, contents: PackageContents, read: Reader) -> None:
    """Write the package's every file under ``root`` (which must not exist)."""
    make_private_dirs(root)
    _write(root, PACKAGE_FILE, _pretty(contents.document))
    for item in contents.objects:
        stored, sha = item.stored, item.stored.sha256.hex
        _copy(root, object_path(stored.role.value, sha), read(stored.locator))
        _write(root, manifest_path(sha), item.manifest_body)
        _write(root, manifest_path(sha, "sig"), item.manifest_signature)
        _write(root, receipt_path(sha), stored.receipt_body)
        _write(root, receipt_path(sha, "sig"), stored.receipt_signature)
        _write(root, chunks_path(sha), "".join(c + "\n" for c in item.chunks).encode())
    for index, body, proof in contents.entries:
        _write(root, entry_path(index), body)
        _write(root, entry_path(index, "tlog-proof"), proof)
    _write(root, CHECKPOINT_FILE, contents.checkpoint)
    for name, data in contents.keys.items():
        _write(root, name, data)
    _write(root, "verify.py", VERIFY_PY.read_bytes())
    _write(root, "README-VERIFY.md", README_VERIFY.read_bytes())


def _pretty(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def tar_package(root: Path, archive: Path) -> None:
    """A plain POSIX tar of the package's files, paths relative to the package (extract
    it into an empty folder: ``tar -xf package.tar -C folder``). Not compressed: footage
    does not shrink."""
    with tarfile.open(archive, "x", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                info = tar.gettarinfo(str(path), arcname=str(path.relative_to(root)))
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                info.mode = 0o644
                with path.open("rb") as handle:
                    tar.addfile(info, handle)


def remove_package(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
