"""The ballot box's hash chain, receipts, the roll's hash and the seed commitment (stdlib only).

Everything here is a pure function of public data, so that the standalone verifier
(app/elections/verify.py, which re-implements these rules without importing this module) and
anyone else can recompute every hash the site publishes:

    canonical(obj)    JSON with sorted keys, no spaces, ASCII only, as UTF-8 bytes
    header            {"election", "title", "committee", "seats", "candidates": [{"code",
                       "name", "organisation"}], "roll_hash", "seed_commitment",
                       "voting_opens_at", "voting_closes_at"}: fixed when voting opens
    genesis hash      SHA-256(canonical({"domain": "cocrea-ballot-box/1", **header}))
    entry hash        SHA-256(prev_hash as 64 ASCII hex characters || canonical(content))
    ballot content    {"kind": "ballot", "election": id, "position": n,
                       "receipt_digest": hex, "choice": candidate code or null}
    close content     {"kind": "close", "election": id, "position": n + 1, "ballots": n,
                       "voted_hash": ..., "closed_at": ISO 8601 UTC, "early_reason": text or null}
    voted hash        SHA-256(canonical({"domain": "cocrea-voted/1", "voted": [sorted ids]}))
    receipt digest    SHA-256(receipt code in capitals without dashes or spaces)
    roll hash         SHA-256(canonical({"domain": "cocrea-roll/1",
                                         "roll": [{"id": ..., "name": ...}, ...]}))
    seed commitment   SHA-256(seed as its 64 ASCII hex characters)
"""
import hashlib
import json
import secrets
import unicodedata

BOX_FORMAT = "cocrea-ballot-box/1"
ROLL_DOMAIN = "cocrea-roll/1"
VOTED_DOMAIN = "cocrea-voted/1"
RECEIPT_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648 base32: 5 bits a character
RECEIPT_LENGTH = 20  # 100 random bits
CODE_LENGTH = 6  # a candidate's public code: 30 random bits, unique within its election


def canonical(obj) -> bytes:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    ).encode("ascii")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- receipts and codes


def new_receipt() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def new_candidate_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_receipt(code: str) -> str:
    """What the voter typed, in capitals without spaces or dashes (it is read aloud, copied...)."""
    return "".join(ch for ch in str(code or "").upper() if ch not in " -\t\r\n")


def format_receipt(code: str) -> str:
    """ABCDE-FGHIJ-KLMNO-PQRST: groups of five are easier to copy and read out."""
    code = normalise_receipt(code)
    return "-".join(code[i:i + 5] for i in range(0, len(code), 5))


def receipt_digest(code: str) -> str:
    return sha256_hex(normalise_receipt(code).encode("ascii", errors="replace"))


def is_receipt(code: str) -> bool:
    code = normalise_receipt(code)
    return len(code) == RECEIPT_LENGTH and all(ch in RECEIPT_ALPHABET for ch in code)


def has_hidden_characters(text: str) -> bool:
    """Whether `text` holds a control (Cc) or format (Cf) character: NUL, escapes, DEL,
    zero-width spaces, bidirectional overrides. A ballot's choice with one is refused, not cleaned."""
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


# ---------------------------------------------------------------- the seed and the roll


def new_seed() -> str:
    return secrets.token_hex(32)


def seed_commitment(seed: str) -> str:
    return sha256_hex(seed.encode("ascii"))


def roll_hash(roll: list[dict]) -> str:
    """`roll`: [{"id": organisation id, "name": name}] in the roll's published order."""
    entries = [{"id": int(item["id"]), "name": str(item["name"])} for item in roll]
    return sha256_hex(canonical({"domain": ROLL_DOMAIN, "roll": entries}))


# ---------------------------------------------------------------- the chain


def box_header(*, election_id: int, title: str, committee: str, seats: list[str],
               candidates: list[dict], roll_hash_: str, commitment: str, voting_opens_at: str,
               voting_closes_at: str) -> dict:
    """What the genesis hash binds the box to; all of it is published when voting opens."""
    return {
        "election": int(election_id),
        "title": str(title),
        "committee": str(committee),
        "seats": list(seats),
        "candidates": sorted(
            ({"code": c["code"], "name": str(c["name"]), "organisation": str(c["organisation"])}
             for c in candidates),
            key=lambda c: c["code"],
        ),
        "roll_hash": roll_hash_,
        "seed_commitment": commitment,
        "voting_opens_at": voting_opens_at,
        "voting_closes_at": voting_closes_at,
    }


def voted_hash(organisation_ids) -> str:
    """Who voted, as the close entry seals it (the roll's voted flags must match)."""
    return sha256_hex(canonical({"domain": VOTED_DOMAIN,
                                 "voted": sorted(int(i) for i in organisation_ids)}))


def genesis_hash(header: dict) -> str:
    return sha256_hex(canonical({"domain": BOX_FORMAT, **header}))


def ballot_content(election_id: int, position: int, digest: str, choice: str | None) -> dict:
    return {
        "kind": "ballot",
        "election": int(election_id),
        "position": int(position),
        "receipt_digest": digest,
        "choice": choice,
    }


def close_content(election_id: int, position: int, ballots: int, voted: str, closed_at: str,
                  early_reason: str | None) -> dict:
    return {"kind": "close", "election": int(election_id), "position": int(position),
            "ballots": int(ballots), "voted_hash": voted, "closed_at": closed_at,
            "early_reason": early_reason}


def entry_hash(prev_hash: str, content: dict) -> str:
    return sha256_hex(prev_hash.encode("ascii") + canonical(content))


def ballot_entry(election_id: int, position: int, prev: str, digest: str,
                 choice: str | None) -> dict:
    content = ballot_content(election_id, position, digest, choice)
    return {"position": position, "kind": "ballot", "receipt_digest": digest, "choice": choice,
            "prev_hash": prev, "entry_hash": entry_hash(prev, content)}


def close_entry(election_id: int, position: int, prev: str, voted: str, closed_at: str,
                early_reason: str | None) -> dict:
    content = close_content(election_id, position, position - 1, voted, closed_at, early_reason)
    return {"position": position, "kind": "close", "ballots": position - 1, "voted_hash": voted,
            "closed_at": closed_at, "early_reason": early_reason, "prev_hash": prev,
            "entry_hash": entry_hash(prev, content)}


def build_entries(election_id: int, genesis: str, ballots) -> list[dict]:
    """The ballot entries for (receipt digest, choice) pairs in order (the close not included).

    The same rule as cast_ballot; used by the box export's tests and by the benchmark.
    """
    entries = []
    prev = genesis
    for position, (digest, choice) in enumerate(ballots, start=1):
        entry = ballot_entry(election_id, position, prev, digest, choice)
        entries.append(entry)
        prev = entry["entry_hash"]
    return entries


def box_document(header: dict, roll: list[dict], seed: str, entries: list[dict],
                 result: dict | None = None, genesis: str | None = None) -> dict:
    """The published ballot box: `roll` is [{"id", "name", "voted"}] in order, `entries` ends
    with the close entry. The format the verifier reads (docs/elections.md)."""
    return {
        "format": BOX_FORMAT,
        "header": header,
        # As published when voting opened (recomputed only when not given).
        "genesis_hash": genesis or genesis_hash(header),
        "roll": {"entries": roll, "size": len(roll), "voted": sum(1 for e in roll if e["voted"])},
        "seed": seed,
        "entries": entries,
        "head_hash": entries[-1]["entry_hash"],
        "result": result,
    }
