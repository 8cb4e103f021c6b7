#!/usr/bin/env python3
"""Checks an attest evidence bundle without attest.

An independent implementation of what `attest verify-bundle` does, written
from the bundle's documentation (docs/formats-bundle.md and the bundle's own
VERIFY.md) with only the Python standard library and `cryptography`:

  * the tree head's Ed25519 signature over its canonical JSON;
  * every record's and file's RFC 6962 inclusion proof against the signed root;
  * every file's SHA-256 and size, and its commitment in its logged entry.

Usage: verify_bundle.py BUNDLE.tar [--key HEX]
Exit status 0 when the bundle is sound, 1 with a message when it is not.
"""
import argparse
import hashlib
import json
import sys
import tarfile

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class Unsound(Exception):
    pass


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion(index: int, size: int, leaf: bytes, path: list) -> bytes:
    """RFC 9162 section 2.1.3.2, written out step by step."""
    if index >= size:
        raise Unsound("leaf index %d is outside a tree of %d" % (index, size))
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise Unsound("the proof is longer than the tree is high")
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise Unsound("the proof is shorter than the tree is high")
    return r


def canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def check_inclusion(item, what, size, root):
    entry = item.get("entry")
    if not isinstance(entry, str) or not isinstance(item.get("leaf_index"), int):
        raise Unsound("%s: no entry or leaf index" % what)
    path = [bytes.fromhex(h) for h in item.get("inclusion_proof", [])]
    got = root_from_inclusion(item["leaf_index"], size, leaf_hash(entry.encode()), path)
    if got != root:
        raise Unsound("%s: its entry is not in the signed log" % what)
    return json.loads(entry)


def verify(path, pinned_key=None):
    files = {}
    with tarfile.open(path) as tar:
        members = {m.name: m for m in tar.getmembers()}
        if "manifest.json" not in members:
            raise Unsound("no manifest.json")
        manifest = json.loads(tar.extractfile("manifest.json").read())
        for name, m in members.items():
            if name.startswith("files/") and m.isfile():
                data = tar.extractfile(m)
                h, n = hashlib.sha256(), 0
                for chunk in iter(lambda: data.read(1 << 16), b""):
                    h.update(chunk)
                    n += len(chunk)
                files[name] = (h.hexdigest(), n)
    if manifest.get("format") != "attest-bundle/1":
        raise Unsound("not an attest-bundle/1 manifest")
    key_hex = manifest["public_key"]
    if pinned_key and pinned_key.lower() != key_hex.lower():
        raise Unsound("signed by %s, not the pinned key" % key_hex)
    head = manifest["tree_head"]
    signed = canonical({k: head[k] for k in ("archive", "root", "signed_at", "size")})
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(key_hex)).verify(
            bytes.fromhex(head["signature"]), signed)
    except InvalidSignature:
        raise Unsound("the tree head's signature does not verify")
    size, root = head["size"], bytes.fromhex(head["root"])
    proven = 0
    for rec in manifest.get("records", []):
        if rec.get("redacted"):
            continue
        entry = check_inclusion(rec, "record %s" % rec.get("id"), size, root)
        if entry.get("id") != rec.get("id"):
            raise Unsound("record %s: its entry is about another record" % rec.get("id"))
        proven += 1
    for f in manifest.get("files", []):
        what = "file %s" % f.get("id")
        if f.get("path") not in files:
            raise Unsound("%s: %s is missing" % (what, f.get("path")))
        sha, n = files[f["path"]]
        if sha != f["sha256"] or n != f["size"]:
            raise Unsound("%s: its bytes are not the recorded ones" % what)
        entry = check_inclusion(f, what, size, root)
        commitment = hashlib.sha256(bytes.fromhex(f["salt"]) + bytes.fromhex(sha)).hexdigest()
        if entry.get("commitment") != commitment or entry.get("id") != f.get("id"):
            raise Unsound("%s: the logged entry does not commit to this file" % what)
        proven += 1
    return proven


def main(argv):
    parser = argparse.ArgumentParser(description="Check an attest evidence bundle.")
    parser.add_argument("bundle")
    parser.add_argument("--key", help="the archive's public key (hex) to pin")
    args = parser.parse_args(argv[1:])
    try:
        n = verify(args.bundle, args.key)
    except (Unsound, KeyError, ValueError, TypeError, tarfile.TarError) as e:
        print("verify_bundle.py: FAILED: %s" % e, file=sys.stderr)
        return 1
    print("verify_bundle.py: sound: %d records and files proven" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
