#!/usr/bin/env python3
"""Check a Liuhen evidence package offline: python3 verify.py [PACKAGE_DIR]

Needs only Python 3.11+ and the ``cryptography`` package; opens no network connection
and trusts nothing but the signatures and the keys in ``keys/`` (compare their
fingerprints, printed at the step ``keys``, with the ones the agency published). Prints
PASS or FAIL for each step and exits 1 if any step failed. README-VERIFY.md does every
step by hand with sha256sum and openssl.

    package         package.json is well formed
    keys            the trust roots: server, log (its vkey agrees with its PEM), devices
    checkpoint      the log's checkpoint is signed by the log key, for this package's log
    log_entries     every log entry is in the signed log (its tlog-proof leads to the
                    checkpoint's root), and every proof is against that same checkpoint
    export_entry    the export is logged, naming exactly the objects in the package
    receipts        every receipt is signed by the server and names its object
    manifests       every manifest is the one its receipt names, signed by its device
    ingest_entries  every object's ingest is logged with that manifest and receipt
    files           every file has its signed size, chunks (a damaged one is named),
                    chunk root and SHA-256

This file is Liuhen's ``evidence/package/verify_package.py``, copied verbatim: the
server that imports a package runs the same checks (docs/evidence-package.md).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

PACKAGE_FILE = "package.json"
PACKAGE_TYPE = "liuhen.package"
PACKAGE_VERSION = 1
CHECKPOINT_FILE = "log/checkpoint"
SERVER_KEY = "keys/server.pub.pem"
LOG_KEY = "keys/log.pub.pem"
LOG_VKEY = "keys/log.vkey"
ROLE_FOLDERS = {"original": "originals", "proxy": "review-copies", "transcript": "transcripts"}
MANIFEST_TYPE = "application/vnd.liuhen.manifest.v1+json"
RECEIPT_TYPE = "application/vnd.liuhen.receipt.v1+json"
PROOF_HEADER = "c2sp.org/tlog-proof@v1"
STEPS = (
    "package",
    "keys",
    "checkpoint",
    "log_entries",
    "export_entry",
    "receipts",
    "manifests",
    "ingest_entries",
    "files",
)
MAX_DOCUMENT = 16 * 1024 * 1024
READ_BUFFER = 1024 * 1024
_HEX64 = re.compile(r"[0-9a-f]{64}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DEVICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def object_path(role: str, sha256: str) -> str:
    return f"{ROLE_FOLDERS[role]}/{sha256}"


def manifest_path(sha256: str, suffix: str = "json") -> str:
    return f"manifests/{sha256}.{suffix}"


def receipt_path(sha256: str, suffix: str = "json") -> str:
    return f"receipts/{sha256}.{suffix}"


def chunks_path(sha256: str) -> str:
    return f"chunks/{sha256}.txt"


def entry_path(index: int, suffix: str = "json") -> str:
    return f"log/entries/{index}.{suffix}"


def device_key_path(device_id: str) -> str:
    return f"keys/devices/{device_id}.pub.pem"


class Failure(Exception):
    """What one step found wrong; the message names the file, entry or chunk."""


@dataclass(frozen=True)
class StepResult:
    step: str
    ok: bool
    message: str

    def line(self) -> str:
        return f"{'PASS' if self.ok else 'FAIL'}  {self.step:<15} {self.message}"


@dataclass
class Report:
    results: list[StepResult] = field(default_factory=list)
    package: dict[str, Any] = field(default_factory=dict)
    checkpoint_root: bytes = b""

    @property
    def ok(self) -> bool:
        return len(self.results) == len(STEPS) and all(r.ok for r in self.results)

    @property
    def first_failure(self) -> StepResult | None:
        return next((r for r in self.results if not r.ok), None)


# --- hashing, as RFC 6962 and DSSE write them ---------------------------------------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(hashes: list[bytes]) -> bytes:
    """The RFC 6962 root over leaves whose leaf hashes are given."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return node_hash(merkle_root(hashes[:k]), merkle_root(hashes[k:]))


def chunk_root(chunks: list[str]) -> str:
    """The chunk root: RFC 6962 over the 32-byte chunk digests as leaf data."""
    return merkle_root([leaf_hash(bytes.fromhex(c)) for c in chunks]).hex()


def inclusion_root(leaf: bytes, index: int, size: int, proof: list[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2: the root the proof leads to, or None if it cannot be one."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def pae(payload_type: str, body: bytes) -> bytes:
    kind = payload_type.encode("ascii")
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(body), body)


def signed_by(key: Ed25519PublicKey, message: bytes, signature: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def b64(text: str, what: str) -> bytes:
    try:
        data = base64.b64decode(text, validate=True)
    except ValueError:
        raise Failure(f"{what} is not base64") from None
    if base64.b64encode(data).decode("ascii") != text:
        raise Failure(f"{what} is not canonical base64")
    return data


def raw_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


# --- the package as read -------------------------------------------------------------


class Package:
    """The package directory, and what the steps found so far."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.doc: dict[str, Any] = {}
        self.objects: list[dict[str, Any]] = []
        self.keys: dict[str, Ed25519PublicKey] = {}
        self.checkpoint = b""
        self.size = 0
        self.root_hash = b""
        self.leaves: dict[int, dict[str, Any]] = {}
        self.leaf_bytes: dict[int, bytes] = {}

    def read(self, name: str, limit: int = MAX_DOCUMENT) -> bytes:
        path = self.root / name
        if not path.is_file() or path.is_symlink():
            raise Failure(f"{name} is missing")
        if path.stat().st_size > limit:
            raise Failure(f"{name} is larger than {limit} bytes")
        return path.read_bytes()

    def json(self, name: str) -> dict[str, Any]:
        try:
            value = json.loads(self.read(name))
        except (ValueError, UnicodeDecodeError):
            raise Failure(f"{name} is not JSON") from None
        if not isinstance(value, dict):
            raise Failure(f"{name} is not a JSON object")
        return value

    def pem_key(self, name: str) -> Ed25519PublicKey:
        try:
            key = serialization.load_pem_public_key(self.read(name))
        except ValueError:
            raise Failure(f"{name} is not a PEM public key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise Failure(f"{name} is not an Ed25519 key")
        return key


def _each(items: list[Any], check: Callable[[Any], None]) -> None:
    """Run ``check`` on every item; fail with every problem found, not just the first."""
    problems = []
    for item in items:
        try:
            check(item)
        except Failure as exc:
            problems.append(str(exc))
    if problems:
        raise Failure("; ".join(problems))


# --- the steps -----------------------------------------------------------------------


def check_package(p: Package) -> str:
    doc = p.json(PACKAGE_FILE)
    if doc.get("type") != PACKAGE_TYPE or doc.get("version") != PACKAGE_VERSION:
        raise Failure(f"{PACKAGE_FILE} is not a {PACKAGE_TYPE} version {PACKAGE_VERSION}")
    objects, entries = doc.get("objects"), doc.get("entries")
    if not isinstance(objects, list) or not objects or not isinstance(entries, list):
        raise Failure(f"{PACKAGE_FILE} lists no objects or no log entries")
    for name in ("origin", "purpose", "exported_at"):
        if not isinstance(doc.get(name), str):
            raise Failure(f"{PACKAGE_FILE}: {name} is missing")
    if not all(type(i) is int and i >= 0 for i in [*entries, doc.get("export_entry")]):
        raise Failure(f"{PACKAGE_FILE}: log entries are numbers from 0")
    if doc["export_entry"] not in entries or type(doc.get("checkpoint_size")) is not int:
        raise Failure(f"{PACKAGE_FILE}: the export's entry and the checkpoint are named")
    for item in objects:
        _check_object(item)
    p.doc, p.objects = doc, objects
    return f"{len(objects)} objects, {len(entries)} log entries"


def _check_object(item: Any) -> None:
    if not isinstance(item, dict):
        raise Failure(f"{PACKAGE_FILE}: an object is a JSON object")
    sha, role, device = item.get("sha256"), item.get("role"), item.get("device_id")
    evidence_id, size = item.get("evidence_id"), item.get("size")
    if not (isinstance(sha, str) and _HEX64.fullmatch(sha)) or role not in ROLE_FOLDERS:
        raise Failure(f"{PACKAGE_FILE}: an object has a SHA-256 and a role")
    if not (isinstance(device, str) and _DEVICE.fullmatch(device)):
        raise Failure(f"{PACKAGE_FILE}: object {sha} names no device")
    if not (isinstance(evidence_id, str) and _UUID.fullmatch(evidence_id)):
        raise Failure(f"{PACKAGE_FILE}: object {sha} has no evidence id")
    if type(size) is not int or size < 0:
        raise Failure(f"{PACKAGE_FILE}: object {sha} has no size")


def check_keys(p: Package) -> str:
    p.keys["server"] = p.pem_key(SERVER_KEY)
    log_key = p.keys["log"] = p.pem_key(LOG_KEY)
    vkey = p.read(LOG_VKEY).decode("ascii", "replace").strip()
    parts = vkey.split("+", 2)
    if len(parts) != 3 or parts[0] != p.doc["origin"]:
        raise Failure(f"{LOG_VKEY} is not the vkey of the log {p.doc['origin']}")
    material = b64(parts[2], LOG_VKEY)
    if material != b"\x01" + raw_key(log_key):
        raise Failure(f"{LOG_VKEY} and {LOG_KEY} are not the same key")
    if _note_key_id(parts[0], raw_key(log_key)).hex() != parts[1]:
        raise Failure(f"{LOG_VKEY}: its key id does not match its name and key")
    for device in sorted({item["device_id"] for item in p.objects}):
        p.keys[f"device {device}"] = p.pem_key(device_key_path(device))
    prints = [f"{name} {hashlib.sha256(raw_key(k)).hexdigest()}" for name, k in p.keys.items()]
    return "fingerprints (SHA-256 of the raw key): " + "; ".join(prints)


def _note_key_id(name: str, raw: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n\x01" + raw).digest()[:4]


def check_checkpoint(p: Package) -> str:
    data = p.read(CHECKPOINT_FILE)
    text, size, root = _signed_checkpoint(p, data, CHECKPOINT_FILE)
    if size != p.doc["checkpoint_size"]:
        raise Failure(f"{CHECKPOINT_FILE} is of {size} entries, package.json says otherwise")
    p.checkpoint, p.size, p.root_hash = data, size, root
    for index in p.doc["entries"]:
        _same_checkpoint(p, index)
    return f"{text.splitlines()[0]}, {size} entries, root {root.hex()}"


def _same_checkpoint(p: Package, index: int) -> None:
    """Every proof carries the checkpoint it was made against: it must be the package's.
    Two signed checkpoints of one size with two roots are a fork; a package checkpoint
    smaller than its proofs' was rolled back."""
    where = entry_path(index, "tlog-proof")
    if not (p.root / where).is_file():
        return  # log_entries names it
    _, _, carried = p.read(where).partition(b"\n\n")
    if carried == p.checkpoint:
        return
    _, size, root = _signed_checkpoint(p, carried, where)
    if size == p.size and root != p.root_hash:
        raise Failure(
            f"a fork: {where} carries a checkpoint of the same {size} entries with another "
            f"root ({root.hex()}, not {p.root_hash.hex()})"
        )
    if size > p.size:
        raise Failure(
            f"rolled back: {CHECKPOINT_FILE} is of {p.size} entries, older than the "
            f"checkpoint of {size} that {where} was made against"
        )
    if size != p.size:
        raise Failure(f"{where} is against a checkpoint of {size} entries, not {p.size}")


def _signed_checkpoint(p: Package, data: bytes, where: str) -> tuple[str, int, bytes]:
    """The checkpoint's text, size and root, once its signature by the log key holds."""
    try:
        note = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Failure(f"{where} is not UTF-8") from None
    text, sep, signatures = note.partition("\n\n")
    lines = text.split("\n")
    if not sep or len(lines) < 3 or lines[0] != p.doc["origin"]:
        raise Failure(f"{where} is not a checkpoint of the log {p.doc['origin']}")
    key_id = _note_key_id(lines[0], raw_key(p.keys["log"]))
    signed = False
    for line in signatures.rstrip("\n").split("\n"):
        name, _, encoded = line.removeprefix("\u2014 ").partition(" ")
        blob = b64(encoded, f"{where}: a signature")
        if name == lines[0] and blob[:4] == key_id:
            if not signed_by(p.keys["log"], (text + "\n").encode(), blob[4:]):
                raise Failure(f"{where}: the log key's signature does not verify")
            signed = True
    if not signed or not lines[1].isdigit():
        raise Failure(f"{where} is not signed by the log key")
    return text + "\n", int(lines[1]), b64(lines[2], f"{where}: the root")


def check_log_entries(p: Package) -> str:
    def entry(index: int) -> None:
        body = p.read(entry_path(index))
        proof = p.read(entry_path(index, "tlog-proof")).decode("utf-8", "replace")
        head, sep, checkpoint = proof.partition("\n\n")
        lines = head.split("\n")
        if not sep or lines[0] != PROOF_HEADER or lines[1] != f"index {index}":
            raise Failure(f"entry {index}: its tlog-proof is not a proof of entry {index}")
        where = entry_path(index, "tlog-proof")
        _, size, root = _signed_checkpoint(p, checkpoint.encode(), where)
        if (size, root) != (p.size, p.root_hash):
            kind = "a fork" if size == p.size else "rolled back or replaced"
            raise Failure(
                f"entry {index}: its proof is against a checkpoint of {size} entries, root "
                f"{root.hex()}, not the package's ({p.size}, {p.root_hash.hex()}): {kind}"
            )
        hashes = [b64(h, f"entry {index}: a proof hash") for h in lines[2:]]
        if inclusion_root(leaf_hash(body), index, p.size, hashes) != p.root_hash:
            raise Failure(f"entry {index}: not in the signed log (the entry or its proof changed)")
        try:
            p.leaves[index], p.leaf_bytes[index] = json.loads(body), body
        except ValueError:
            raise Failure(f"entry {index} is not JSON") from None

    _each(p.doc["entries"], entry)
    return f"{len(p.leaves)} entries in the log of {p.size}"


def check_export_entry(p: Package) -> str:
    index = p.doc["export_entry"]
    leaf = p.leaves.get(index, {})
    if leaf.get("type") != "liuhen.log.access" or leaf.get("action") != "export":
        raise Failure(f"entry {index} is not an export")
    logged = sorted((o["evidence_id"], o["role"]) for o in leaf.get("objects", []))
    listed = sorted((o["evidence_id"], o["role"]) for o in p.objects)
    if logged != listed:
        raise Failure(f"entry {index} exported other objects than package.json lists")
    if leaf.get("purpose") != p.doc["purpose"] or leaf.get("actor") != p.doc.get("exported_by"):
        raise Failure(f"entry {index} names another person or purpose than package.json")
    actor = leaf["actor"]
    return f"entry {index}: {actor['name']} ({actor['role']}) at {leaf['at']}: {leaf['purpose']}"


def check_receipts(p: Package) -> str:
    def receipt(item: dict[str, Any]) -> None:
        sha = item["sha256"]
        body, signature = p.read(receipt_path(sha)), p.read(receipt_path(sha, "sig"))
        if not signed_by(p.keys["server"], pae(RECEIPT_TYPE, body), signature):
            raise Failure(f"{receipt_path(sha)}: the server's signature does not verify")
        doc = json.loads(body)
        said = (doc["evidence_id"], doc["role"], doc["file"]["sha256"], doc["file"]["size"])
        if said != (item["evidence_id"], item["role"], sha, item["size"]):
            raise Failure(f"{receipt_path(sha)} is the receipt of another object")

    _each(p.objects, receipt)
    return f"{len(p.objects)} receipts signed by the server"


def check_manifests(p: Package) -> str:
    def manifest(item: dict[str, Any]) -> None:
        sha = item["sha256"]
        body, signature = p.read(manifest_path(sha)), p.read(manifest_path(sha, "sig"))
        named = json.loads(p.read(receipt_path(sha)))["manifest_sha256"]
        if hashlib.sha256(body).hexdigest() != named:
            raise Failure(f"{manifest_path(sha)} is not the manifest its receipt names")
        key = p.keys[f"device {item['device_id']}"]
        doc = json.loads(body)
        if doc["signer"] != {
            "device_id": item["device_id"],
            "key_id": hashlib.sha256(raw_key(key)).hexdigest(),
        }:
            raise Failure(f"{manifest_path(sha)} is signed by another device or key")
        if not signed_by(key, pae(MANIFEST_TYPE, body), signature):
            raise Failure(f"{manifest_path(sha)}: the device's signature does not verify")
        listed = p.read(chunks_path(sha)).decode("ascii", "replace").split()
        if listed != doc["chunks"]["sha256"] or chunk_root(listed) != doc["chunks"]["root"]:
            raise Failure(f"{chunks_path(sha)} is not the manifest's chunk list and root")

    _each(p.objects, manifest)
    return f"{len(p.objects)} manifests signed by their devices"


def check_ingest_entries(p: Package) -> str:
    def logged(item: dict[str, Any]) -> None:
        sha = item["sha256"]
        expected = {
            "evidence_id": item["evidence_id"],
            "role": item["role"],
            "sha256": sha,
            "manifest_sha256": hashlib.sha256(p.read(manifest_path(sha))).hexdigest(),
            "receipt_sha256": hashlib.sha256(p.read(receipt_path(sha))).hexdigest(),
        }
        for leaf in p.leaves.values():
            if leaf.get("type") in {"liuhen.log.ingest", "liuhen.log.backfill"} and all(
                leaf.get(k) == v for k, v in expected.items()
            ):
                return
        raise Failure(f"no logged ingest of {object_path(item['role'], sha)} with its documents")

    _each(p.objects, logged)
    return f"{len(p.objects)} ingests logged"


def check_files(p: Package) -> str:
    def one(item: dict[str, Any]) -> None:
        sha = item["sha256"]
        doc = json.loads(p.read(manifest_path(sha)))
        name, size = object_path(item["role"], sha), doc["file"]["size"]
        chunk_size, chunks = doc["chunks"]["size"], doc["chunks"]["sha256"]
        found, whole, damaged = 0, hashlib.sha256(), []
        for n, block in enumerate(_chunks(p.root / name, chunk_size)):
            found += len(block)
            whole.update(block)
            if n >= len(chunks) or hashlib.sha256(block).hexdigest() != chunks[n]:
                damaged.append(n)
        if found != size:
            how = "truncated" if found < size else "bytes appended"
            raise Failure(f"{name}: {found} bytes, signed {size} ({how})")
        if damaged:
            listed = ", ".join(f"chunk {n} (bytes {n * chunk_size}-)" for n in damaged[:5])
            raise Failure(f"{name}: damaged {listed}")
        if whole.hexdigest() != doc["file"]["sha256"] or sha != doc["file"]["sha256"]:
            raise Failure(f"{name}: its SHA-256 is not the signed one")

    _each(p.objects, one)
    total = sum(item["size"] for item in p.objects)
    return f"{len(p.objects)} files, {total} bytes, every chunk as signed"


def _chunks(path: Path, chunk_size: int) -> Iterator[bytes]:
    """The file in chunks of ``chunk_size``, read through a bounded buffer."""
    with open(path, "rb") as handle:
        while True:
            parts, want = [], chunk_size
            while want and (block := handle.read(min(want, READ_BUFFER))):
                parts.append(block)
                want -= len(block)
            if not parts:
                return
            yield b"".join(parts)


CHECKS: dict[str, Callable[[Package], str]] = {
    "package": check_package,
    "keys": check_keys,
    "checkpoint": check_checkpoint,
    "log_entries": check_log_entries,
    "export_entry": check_export_entry,
    "receipts": check_receipts,
    "manifests": check_manifests,
    "ingest_entries": check_ingest_entries,
    "files": check_files,
}
_NEEDED = {"package", "keys", "checkpoint"}  # nothing else can be checked without these


def verify_package(root: Path) -> Report:
    """Run every step on the package at ``root``; never raises for what it finds."""
    p, report = Package(root), Report()
    for step in STEPS:
        try:
            report.results.append(StepResult(step, True, CHECKS[step](p)))
        except Failure as exc:
            report.results.append(StepResult(step, False, str(exc)))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            report.results.append(StepResult(step, False, f"malformed: {exc!r}"))
        if not report.results[-1].ok and step in _NEEDED:
            skipped = STEPS[len(report.results) :]
            report.results += [StepResult(s, False, f"not checked: {step} failed") for s in skipped]
            break
    report.package, report.checkpoint_root = p.doc, p.root_hash
    return report


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    if len(argv) > 2 or not root.is_dir():
        print("usage: python3 verify.py [PACKAGE_DIR]", file=sys.stderr)
        return 2
    report = verify_package(root)
    for result in report.results:
        print(result.line())
    print("PASS: the package is intact" if report.ok else "FAIL: do not rely on this package")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
