"""The rules of the plan ledger's hash chain (standard library only; app/ledger/verify.py writes
them out again on its own, so that a mistake here cannot hide itself by checking its own work):

    canonical(obj)   JSON with sorted keys, no spaces, ASCII only
    content hash     SHA-256(canonical(the record's public content, its files' SHA-256 included))
    genesis hash     SHA-256(canonical({"domain": "cocrea-plan-ledger/1", "plan": plan id}))
    entry content    {"plan": id, "position": n, "kind": ..., "item": "kind-of-row:id",
                      "version": v, "sha256": content hash, "recorded_at": ISO 8601 UTC}
    entry hash       SHA-256(previous entry's hash as 64 ASCII hex characters || canonical(entry content))
"""
import hashlib
import json

FORMAT = "cocrea-plan-ledger/1"


def canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False, default=str).encode("ascii")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def genesis(plan_id: int) -> str:
    return sha256_hex(canonical({"domain": FORMAT, "plan": int(plan_id)}))


def entry_content(plan_id: int, position: int, kind: str, item: str, version: int, content_hash: str,
                  recorded_at: str) -> dict:
    return {"plan": int(plan_id), "position": int(position), "kind": kind, "item": item,
            "version": int(version), "sha256": content_hash, "recorded_at": recorded_at}


def entry_hash(prev_hash: str, content: dict) -> str:
    return sha256_hex(prev_hash.encode("ascii") + canonical(content))
