"""Upload one file to a Liuhen ingest server as a third-party device, from the docs alone.

Signs in with the device's Ed25519 key, signs and registers a manifest, uploads the bytes
with tuspy (a stock tus client), and verifies the server's signed receipt.

    python third_party_upload.py URL DEVICE_ID DEVICE_KEY.pem SERVER_KEY.pub.pem FILE

Needs: cryptography, requests, tuspy. Prints the verified receipt as JSON.
"""

import argparse
import base64
import hashlib
import json
import os
import uuid
from datetime import UTC, datetime

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from tusclient import client as tus

CHUNK_SIZE = 8 * 1024 * 1024  # a power of two from 64 KiB to 64 MiB
TIMEOUT = 60  # seconds for each request
CASE_NUMBER = "冀石执罚〔2026〕第0012号"


def pae(payload_type: str, body: bytes) -> bytes:
    """What is signed: DSSE's pre-authentication encoding of the type and the exact bytes."""
    kind = payload_type.encode()
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(body), body)


def canonical(document: dict) -> bytes:
    return json.dumps(
        document, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def sign_in(url: str, device_id: str, key: Ed25519PrivateKey) -> str:
    issued = requests.post(
        f"{url}/api/v1/auth/challenge", json={"device_id": device_id}, timeout=TIMEOUT
    )
    issued.raise_for_status()
    challenge = base64.b64decode(issued.json()["challenge"])
    answer = key.sign(pae("application/vnd.liuhen.token-request.v1+json", challenge))
    granted = requests.post(
        f"{url}/api/v1/auth/token",
        json={
            "challenge": issued.json()["challenge"],
            "challenge_signature": issued.json()["signature"],
            "device_signature": b64(answer),
        },
        timeout=TIMEOUT,
    )
    granted.raise_for_status()
    return granted.json()["token"]


def merkle_root(leaves: list[bytes]) -> bytes:
    """RFC 6962: leaf = SHA-256(0x00 || digest), node = SHA-256(0x01 || left || right)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    split = 1 << ((len(leaves) - 1).bit_length() - 1)  # largest power of two below n
    left, right = merkle_root(leaves[:split]), merkle_root(leaves[split:])
    return hashlib.sha256(b"\x01" + left + right).digest()


def manifest_for(path: str, device_id: str, key: Ed25519PrivateKey) -> dict:
    with open(path, "rb") as handle:
        data = handle.read()  # a small example file: read whole
    chunks = [
        hashlib.sha256(data[i : i + CHUNK_SIZE]).digest() for i in range(0, len(data), CHUNK_SIZE)
    ]
    raw_public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    started = datetime.fromtimestamp(os.stat(path).st_mtime, UTC)
    return {
        "type": "liuhen.manifest",
        "version": 1,
        "evidence_id": str(uuid.uuid4()),
        "role": "original",
        "case_number": CASE_NUMBER,
        "capture": {
            "started_at": started.isoformat(),
            "ended_at": None,
            "time_source": "file_mtime",
            "place": "石家庄市长安区中山东路12号",
            "captured_by": {"officer_id": "130102001", "name": "张伟"},
            "proves": "查封现场物品清点过程",
        },
        "origin": {"device_model": None, "device_serial": None, "software": "example/1.0"},
        "signer": {"device_id": device_id, "key_id": hashlib.sha256(raw_public).hexdigest()},
        "file": {
            "name": os.path.basename(path),
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "media_type": "video/mp4",
        },
        "chunks": {
            "size": CHUNK_SIZE,
            "sha256": [chunk.hex() for chunk in chunks],
            "root": merkle_root(chunks).hex(),
        },
        # The device's own counter: 1 for its first manifest, then 2, 3… naming the last.
        "chain": {"sequence": 1, "previous_manifest_sha256": None},
        "derived_from": None,
        "created_at": datetime.now(UTC).isoformat(),
        "media": None,
        "session": None,
        "perceptual": None,
    }


def register(url: str, token: str, body: bytes, key: Ed25519PrivateKey) -> None:
    signature = key.sign(pae("application/vnd.liuhen.manifest.v1+json", body))
    reply = requests.post(
        f"{url}/api/v1/manifests",
        data=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/vnd.liuhen.manifest.v1+json",
            "Liuhen-Signature": b64(signature),
        },
        timeout=TIMEOUT,
    )
    reply.raise_for_status()


def upload(url: str, token: str, path: str, manifest: dict) -> None:
    metadata = {
        "evidence_id": manifest["evidence_id"],
        "role": manifest["role"],
        "filename": manifest["file"]["name"],
    }
    client = tus.TusClient(f"{url}/files/", headers={"Authorization": f"Bearer {token}"})
    with open(path, "rb") as stream:
        client.uploader(file_stream=stream, metadata=metadata, upload_checksum=True).upload()


def receipt(url: str, token: str, manifest: dict, body: bytes, server_key_path: str) -> dict:
    reply = requests.post(
        f"{url}/api/v1/evidence/{manifest['evidence_id']}/original/finalize",
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )
    reply.raise_for_status()
    receipt_bytes = base64.b64decode(reply.json()["receipt"])
    signature = base64.b64decode(reply.json()["signature"])
    with open(server_key_path, "rb") as handle:
        server_key = serialization.load_pem_public_key(handle.read())
    # Raises InvalidSignature unless the server's key signed exactly these bytes.
    server_key.verify(signature, pae("application/vnd.liuhen.receipt.v1+json", receipt_bytes))
    stated = json.loads(receipt_bytes)
    wanted = {"size": manifest["file"]["size"], "sha256": manifest["file"]["sha256"]}
    if stated["manifest_sha256"] != hashlib.sha256(body).hexdigest() or stated["file"] != wanted:
        raise SystemExit(f"the receipt names another manifest or file: {stated}")
    return {"receipt": reply.json()["receipt"], "signature": reply.json()["signature"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("url", "device_id", "device_key", "server_key", "file"):
        parser.add_argument(name)
    args = parser.parse_args()
    with open(args.device_key, "rb") as handle:
        key = serialization.load_pem_private_key(handle.read(), password=None)
    url = args.url.rstrip("/")
    token = sign_in(url, args.device_id, key)
    manifest = manifest_for(args.file, args.device_id, key)
    body = canonical(manifest)
    register(url, token, body, key)
    upload(url, token, args.file, manifest)
    print(json.dumps(receipt(url, token, manifest, body, args.server_key)))


if __name__ == "__main__":
    main()
