"""Backends by name, imported only when chosen (as uvicorn maps protocol names): boto3
loads only where the S3 store or the S3 upload area is configured."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from evidence.errors import ConfigError
from storage.interfaces import BlobStore, Index, UploadArea

__all__ = [
    "BLOB_STORES",
    "INDEXES",
    "UPLOAD_AREAS",
    "open_blob_store",
    "open_index",
    "open_upload_area",
]

BLOB_STORES = {
    "local": "storage.local_blobs:LocalBlobStore",
    "s3": "storage.s3_blobs:open_s3_store",
}
INDEXES = {
    "sqlite": "storage.sqlite:open_sqlite_index",
    "postgres": "storage.postgres:open_postgres_index",
}
UPLOAD_AREAS = {
    "local": "storage.local_uploads:LocalUploadArea",
    "s3": "storage.s3_uploads:S3UploadArea",
}


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


def open_upload_area(name: str, root: Path, store: BlobStore) -> UploadArea:
    """Where uploads wait until finalize, and the store they go into then."""
    factory = _load(UPLOAD_AREAS, name, "upload area")
    area: UploadArea = factory(root, store)
    return area


async def open_index(name: str, path: Path, **options: Any) -> Index:
    factory = _load(INDEXES, name, "index")
    index: Index = await factory(path, **options)
    return index
