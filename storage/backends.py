"""Backends by name, imported only when chosen (as uvicorn maps protocol names)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from evidence.errors import ConfigError
from storage.interfaces import BlobStore, Index

__all__ = ["BLOB_STORES", "INDEXES", "open_blob_store", "open_index"]

BLOB_STORES = {"local": "storage.local_blobs:LocalBlobStore"}
INDEXES = {"sqlite": "storage.sqlite:open_sqlite_index"}


def _load(table: dict[str, str], name: str, kind: str) -> Any:
    try:
        module_name, attribute = table[name].split(":")
    except KeyError:
        raise ConfigError(f"unknown {kind} {name!r}; choose one of {sorted(table)}") from None
    return getattr(importlib.import_module(module_name), attribute)


def open_blob_store(name: str, root: Path, **options: Any) -> BlobStore:
    factory = _load(BLOB_STORES, name, "blob store")
    store: BlobStore = factory(root, **options)
    return store


async def open_index(name: str, path: Path, **options: Any) -> Index:
    factory = _load(INDEXES, name, "index")
    index: Index = await factory(path, **options)
    return index
