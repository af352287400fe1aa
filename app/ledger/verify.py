"""Check a plan's public ledger of Cocrea, independently of the site that published it.

    python -m app.ledger.verify LEDGER.json [--head HASH[@N]]...
    python -m app.ledger.verify --pack PACK.zip [--head HASH[@N]]...
    python3 verify.py LEDGER.json [...]        (this file alone; standard library only)

It checks that the chain starts at the plan's genesis hash, that the entries are numbered 1, 2, 3…
with nothing missing or repeated, that each entry points at the hash of the one before it, and
that each entry's hash is the hash of its own fields: an entry edited, removed, added or moved
fails. A chain could still have been rebuilt whole by whoever runs the site, so:

  --head HASH@N   a head hash noted earlier, with its position N (the number of entries shown
                  next to it): the ledger must hold that hash at position N, which proves that
                  nothing up to there was changed since. Without @N the hash must be somewhere
                  in the chain. Repeat --head for several notes.

With --pack it checks a plan's evidence pack (a ZIP): every file it holds is in its manifest
with the right SHA-256 and size, nothing is missing or added, and the ledger inside verifies.

Exit code 0 when everything checks out, 1 otherwise (2 for a file that cannot be read or a
malformed argument). The rules are written out here again on purpose (the site's own are in
app/ledger/chain.py): this file imports nothing of the site.
"""
import argparse
import hashlib
import json
import sys
import zipfile

FORMAT = "cocrea-plan-ledger/1"
HEX = frozenset("0123456789abcdef")
FIELDS = ("position", "kind", "item", "version", "sha256", "recorded_at", "prev_hash", "entry_hash")


def canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False).encode("ascii")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_hash(value) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= HEX


def printable(text) -> str:
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in str(text))


def check(ledger: dict, heads: list[tuple[str, int | None]], out=sys.stdout) -> bool:
    failures = []

    def fail(message: str) -> None:
        failures.append(message)
        print(f"FAIL  {printable(message)}", file=out)

    if not isinstance(ledger, dict) or ledger.get("format") != FORMAT:
        fail(f"not a Cocrea plan ledger (format {FORMAT!r} expected)")
        return False
    plan = ledger.get("plan") or {}
    plan_id = plan.get("id")
    if not isinstance(plan_id, int) or isinstance(plan_id, bool):
        fail("the ledger names no plan")
        return False
    genesis = sha(canonical({"domain": FORMAT, "plan": plan_id}))
    if ledger.get("genesis") != genesis:
        fail("the genesis hash is not the plan's")
    entries = ledger.get("entries")
    if not isinstance(entries, list):
        fail("the ledger has no list of entries")
        return False
    prev, seen = genesis, {}
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or any(name not in entry for name in FIELDS):
            fail(f"entry {index}: fields missing")
            break
        if entry["position"] != index:
            fail(f"entry {index}: numbered {entry['position']!r} (an entry was removed, added or moved)")
            break
        if entry["prev_hash"] != prev:
            fail(f"entry {index}: does not follow the entry before it")
            break
        body = {"plan": plan_id, "position": entry["position"], "kind": entry["kind"],
                "item": entry["item"], "version": entry["version"], "sha256": entry["sha256"],
                "recorded_at": entry["recorded_at"]}
        if not is_hash(entry["sha256"]) or sha(prev.encode("ascii") + canonical(body)) != entry["entry_hash"]:
            fail(f"entry {index} ({entry['kind']} {entry['item']}): its hash does not match its "
                 "fields (the entry was changed)")
            break
        seen[entry["entry_hash"]] = index
        prev = entry["entry_hash"]
    else:
        print(f"OK    {len(entries)} entries chained from the plan's genesis, each hash matching its fields",
              file=out)
        head = ledger.get("head") or {}
        if head.get("hash") != prev or head.get("position") != len(entries):
            fail("the published head is not the last entry")
    for value, position in heads:
        found = seen.get(value) if value != genesis else 0
        if found is None or (position is not None and found != position):
            where = f" at position {position}" if position is not None else ""
            fail(f"the head hash noted earlier {value[:12]}…{where} is not in this ledger: something "
                 "up to there changed since")
        else:
            print(f"OK    the head hash noted earlier {value[:12]}… is entry {found}: nothing up to it "
                  "changed since", file=out)
    if not failures:
        print(f"OK    the ledger of plan {plan_id} ({printable(plan.get('name', ''))}) verifies; head "
              f"{prev}", file=out)
    return not failures


PACK_FORMAT = "cocrea-evidence-pack/1"


def check_pack(path: str, heads: list[tuple[str, int | None]], out=sys.stdout) -> bool:
    """The pack's files against its manifest, then its ledger."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except (KeyError, ValueError):
            print("FAIL  the pack has no readable manifest.json", file=out)
            return False
        if manifest.get("format") != PACK_FORMAT:
            print(f"FAIL  not a Cocrea evidence pack (format {PACK_FORMAT!r} expected)", file=out)
            return False
        good, listed = True, set()
        for item in manifest.get("files") or []:
            name = item.get("path")
            listed.add(name)
            if name not in names:
                print(f"FAIL  {printable(name)}: listed in the manifest, missing from the pack", file=out)
                good = False
                continue
            data = archive.read(name)
            if sha(data) != item.get("sha256") or len(data) != item.get("size"):
                print(f"FAIL  {printable(name)}: its SHA-256 or size differs from the manifest's", file=out)
                good = False
        for name in sorted(names - listed - {"manifest.json"}):
            print(f"FAIL  {printable(name)}: in the pack but not in its manifest", file=out)
            good = False
        if good:
            print(f"OK    {len(listed)} files match the manifest", file=out)
        if "ledger.json" not in listed:
            print("FAIL  the pack holds no ledger.json", file=out)
            return False
        return check(json.loads(archive.read("ledger.json")), heads, out=out) and good


def _head(text: str) -> tuple[str, int | None]:
    value, _, position = text.partition("@")
    value = value.strip().lower()
    if not is_hash(value) or (position and not position.isdigit()):
        raise argparse.ArgumentTypeError(f"not a hash, or HASH@N: {text!r}")
    return value, int(position) if position else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Check a Cocrea plan ledger.")
    parser.add_argument("ledger", help="the ledger (JSON), or with --pack the evidence pack (ZIP)")
    parser.add_argument("--pack", action="store_true", help="the file is an evidence pack")
    parser.add_argument("--head", action="append", type=_head, default=[],
                        help="a head hash noted earlier, HASH or HASH@N")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    if args.pack:
        try:
            return 0 if check_pack(args.ledger, args.head) else 1
        except (OSError, zipfile.BadZipFile) as exc:
            print(f"cannot read {args.ledger}: {exc}", file=sys.stderr)
            return 2
    try:
        with open(args.ledger, encoding="utf-8") as handle:
            ledger = json.load(handle)
    except (OSError, ValueError) as exc:
        print(f"cannot read {args.ledger}: {exc}", file=sys.stderr)
        return 2
    return 0 if check(ledger, args.head) else 1


if __name__ == "__main__":
    sys.exit(main())
