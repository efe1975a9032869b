"""Unpacking an uploaded package archive, refusing anything that is not a plain package.

A tar archive of regular files only, with relative paths that stay inside the package
(no ``..``, no absolute path, no link, device or duplicate), at most ``MAX_MEMBERS``
members, each streamed to its file. What is refused is ``bad_package``, naming why;
nothing outside ``folder`` is ever written."""

from __future__ import annotations

import hashlib
import tarfile
from pathlib import Path, PurePosixPath

from evidence.errors import MalformedPackage
from runtime.private_files import make_private_dirs

__all__ = ["MAX_MEMBERS", "sha256_of", "unpack"]

MAX_MEMBERS = 200_000
_BUFFER = 1024 * 1024


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_BUFFER):
            digest.update(block)
    return digest.hexdigest()


def _safe_name(member: tarfile.TarInfo) -> PurePosixPath:
    if not member.isreg():
        raise MalformedPackage(f"{member.name!r} is not a plain file: a package holds only files")
    name = PurePosixPath(member.name)
    if name.is_absolute() or not name.parts or any(p in {"..", "."} for p in name.parts):
        raise MalformedPackage(f"{member.name!r} would land outside the package")
    if "\\" in member.name or len(name.parts) > 8 or len(member.name) > 255:
        raise MalformedPackage(f"{member.name!r} is not a package's file name")
    return name


def unpack(archive: Path, folder: Path) -> int:
    """Extract ``archive`` into the new folder ``folder``; return the number of files."""
    make_private_dirs(folder)
    seen: set[PurePosixPath] = set()
    try:
        with tarfile.open(archive, "r:") as tar:
            for member in tar:
                name = _safe_name(member)
                if name in seen or len(seen) >= MAX_MEMBERS:
                    raise MalformedPackage(f"{member.name!r} twice, or too many files")
                seen.add(name)
                _extract(tar, member, folder / name)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise MalformedPackage(f"not a whole tar archive: {exc}") from None
    if not seen:
        raise MalformedPackage("the archive is empty")
    return len(seen)


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    source = tar.extractfile(member)
    if source is None:
        raise MalformedPackage(f"{member.name!r} cannot be read")
    make_private_dirs(target.parent)
    with source, target.open("xb") as out:
        target.chmod(0o600)
        left = member.size
        while left and (block := source.read(min(_BUFFER, left))):
            out.write(block)
            left -= len(block)
    if left:
        raise MalformedPackage(f"{member.name!r} is cut short")
