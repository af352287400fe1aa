"""Check a published ballot box of Cocrea, independently of the site that published it.

    python -m app.elections.verify box.json [--receipt CODE] [--genesis HASH] [--head HASH[@N]]...
    python3 verify.py box.json [...]        (this file alone; standard library only)

It checks that the secret seed matches the commitment published when voting opened, that the
roll matches its published hash, that every entry of the hash chain is intact and in order
(nothing changed, removed, added or reordered), that the number of ballots equals the number
of organisations marked as voted, and it recounts the votes and the winners (with the same
tie-break drawing) and compares them with the published result. With --receipt it also says
whether a receipt's ballot is in the box and with which choice.

Anchors: a box that verifies alone could still have been rebuilt from scratch by whoever runs
the site. Hashes noted by an observer pin it to what was public earlier:
  --genesis HASH    the genesis hash published when voting opened: the chain must start there;
  --head HASH@N     a head hash noted while voting was open, with its position N (the number of
                    ballots shown next to it): the box must hold that hash at position N. Without
                    @N the hash must be somewhere in the chain. Repeat --head for several notes.

Exit code 0 when everything checks out, 1 otherwise (2 for a file that cannot be read or a
malformed hash or position).

On purpose this file imports nothing from the site's code: the rules are written out again
here (they are described in docs/elections.md), so that a mistake in the site's code cannot
hide itself by being used to check its own work.
"""
import argparse
import hashlib
import json
import sys

FORMAT = "cocrea-ballot-box/1"
ROLL_DOMAIN = "cocrea-roll/1"
VOTED_DOMAIN = "cocrea-voted/1"
HEX = frozenset("0123456789abcdef")


def canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False).encode("ascii")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_hash(value) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= HEX


def normalise_receipt(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch not in " -\t\r\n")


def printable(text: str) -> str:
    """Names come from the box: never let them send control sequences to the terminal."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in str(text))


class Report:
    def __init__(self, out):
        self.out = out
        self.failures = 0

    def ok(self, message: str) -> None:
        print(f"OK    {printable(message)}", file=self.out)

    def fail(self, message: str) -> None:
        self.failures += 1
        print(f"FAIL  {printable(message)}", file=self.out)

    def info(self, message: str) -> None:
        print(f"      {printable(message)}", file=self.out)

    def check(self, condition: bool, good: str, bad: str) -> bool:
        (self.ok if condition else self.fail)(good if condition else bad)
        return condition


def check_seed(box: dict, report: Report) -> str | None:
    value, commitment = box.get("seed"), box["header"].get("seed_commitment")
    if not (isinstance(value, str) and is_hash(commitment)):
        report.fail("the seed or its commitment is missing")
        return None
    good = sha(value.encode("ascii", errors="replace")) == commitment
    report.check(good, "the revealed seed matches the commitment published when voting opened",
                 "the revealed seed does NOT match its commitment")
    return value if good else None


def check_roll(box: dict, report: Report) -> tuple[int, list[int]] | None:
    """The roll's size and the ids marked as voted, or None when the roll does not check."""
    roll = box.get("roll")
    entries = roll.get("entries") if isinstance(roll, dict) else None
    if not isinstance(entries, list):
        report.fail("the roll is missing")
        return None
    listed, voted = [], []
    for entry in entries:
        if (not isinstance(entry, dict) or set(entry) != {"id", "name", "voted"}
                or type(entry["id"]) is not int or not isinstance(entry["name"], str)
                or not isinstance(entry["voted"], bool)):
            report.fail(f"an entry of the roll is malformed: {entry!r}")
            return None
        listed.append({"id": entry["id"], "name": entry["name"]})
        if entry["voted"]:
            voted.append(entry["id"])
    good = report.check(
        sha(canonical({"domain": ROLL_DOMAIN, "roll": listed})) == box["header"].get("roll_hash"),
        f"the roll ({len(listed)} organisations) matches the hash published when voting opened",
        "the roll does NOT match the hash published when voting opened")
    good &= report.check(len({e["id"] for e in listed}) == len(listed),
                         "no organisation is twice on the roll",
                         "an organisation appears twice on the roll")
    good &= report.check(roll.get("size") == len(listed) and roll.get("voted") == len(voted),
                         f"{len(voted)} of {len(listed)} organisations are marked as voted",
                         "the roll's stated size or number of voters does not match its entries")
    return (len(listed), voted) if good else None


BALLOT_FIELDS = {"position", "kind", "receipt_digest", "choice", "prev_hash", "entry_hash"}
CLOSE_FIELDS = {"position", "kind", "ballots", "voted_hash", "closed_at", "early_reason",
                "prev_hash", "entry_hash"}


def genesis_of(header: dict) -> str:
    return sha(canonical({"domain": FORMAT, **header}))


def check_chain(box: dict, report: Report, hashes: list) -> tuple[list, dict] | None:
    """The ballots' choices in order and the close entry, or None when the chain is broken.

    `hashes` receives the hash at each position as far as the chain checks out: the genesis at
    position 0, then each entry's recomputed hash.
    """
    header = box["header"]
    election_id = header.get("election")
    genesis = genesis_of(header)
    if not report.check(genesis == box.get("genesis_hash"),
                        "the chain starts from the data published when voting opened "
                        "(genesis hash)",
                        "the genesis hash does not match the election's published data"):
        return None
    hashes.append(genesis)
    entries = box.get("entries")
    if not isinstance(entries, list) or not entries:
        report.fail("the box has no entries (not even the close)")
        return None
    known = {c["code"] for c in header["candidates"]}
    prev = genesis
    choices = []
    digests = set()
    for index, entry in enumerate(entries, start=1):
        last = index == len(entries)
        kind = "close" if last else "ballot"
        if not isinstance(entry, dict) or entry.get("kind") != kind or entry.get("position") != index:
            found = (entry.get("kind"), entry.get("position")) if isinstance(entry, dict) else entry
            report.fail(f"entry {index}: expected a {kind} at position {index}, found {found!r} "
                        "(an entry was removed, added or moved)")
            return None
        if set(entry) != (CLOSE_FIELDS if last else BALLOT_FIELDS):
            report.fail(f"entry {index}: unexpected fields {sorted(entry)}")
            return None
        if entry["prev_hash"] != prev:
            report.fail(f"entry {index}: it does not point to the previous entry's hash")
            return None
        if kind == "ballot":
            digest, choice = entry["receipt_digest"], entry["choice"]
            if not is_hash(digest) or digest in digests:
                report.fail(f"entry {index}: the receipt digest is malformed or repeated")
                return None
            if choice is not None and choice not in known:
                report.fail(f"entry {index}: the choice {choice!r} is not a candidate")
                return None
            digests.add(digest)
            content = {"kind": "ballot", "election": election_id, "position": index,
                       "receipt_digest": digest, "choice": choice}
            choices.append(choice)
        else:
            if type(entry["ballots"]) is not int or entry["ballots"] != index - 1:
                report.fail(f"the close entry counts {entry['ballots']!r} ballots; the box has "
                            f"{index - 1}")
                return None
            content = {"kind": "close", "election": election_id, "position": index,
                       "ballots": entry["ballots"], "voted_hash": entry["voted_hash"],
                       "closed_at": entry["closed_at"], "early_reason": entry["early_reason"]}
        current = sha(prev.encode("ascii") + canonical(content))
        if entry["entry_hash"] != current:
            report.fail(f"entry {index}: its hash does not match its content (it was changed)")
            return None
        hashes.append(current)
        prev = current
    report.ok(f"all {len(entries)} entries of the chain are intact and in order "
              f"({len(choices)} ballots and the close)")
    if not report.check(prev == box.get("head_hash"), f"the final head hash is {prev}",
                        "the box's head hash is not the hash of its last entry"):
        return None
    close = entries[-1]
    if close["early_reason"] is not None:
        report.info(f"voting was closed early, at {close['closed_at']}: {close['early_reason']}")
    return choices, close


def recount(choices, codes, seats, seed, head_hash, roll_size) -> dict:
    counts = dict.fromkeys(sorted(codes), 0)
    blank = 0
    for choice in choices:
        if choice is None:
            blank += 1
        else:
            counts[choice] += 1
    keys = {c: sha((seed + head_hash + c).encode("ascii")) for c in counts}
    ranking = sorted((c for c in counts if counts[c] > 0), key=lambda c: (-counts[c], keys[c]))
    filled = []
    for i, kind in enumerate(seats):
        winner = ranking[i] if i < len(ranking) else None
        filled.append({"kind": kind, "winner": winner, "votes": counts[winner] if winner else 0})
    draws = []
    for votes in sorted({counts[c] for c in ranking}, reverse=True):
        positions = [i for i, c in enumerate(ranking) if counts[c] == votes]
        decided = [seats[i] for i in positions if i < len(seats)]
        if len(positions) > 1 and decided:
            tied = [ranking[i] for i in positions]
            draws.append({"votes": votes, "candidates": tied, "keys": {c: keys[c] for c in tied},
                          "seats": decided})
    return {"counts": counts, "blank": blank, "ballots": len(choices), "roll_size": roll_size,
            "seats": filled, "ranking": ranking, "draws": draws}


def check_result(box, choices, seed, roll_size, report: Report) -> None:
    header = box["header"]
    codes = [c["code"] for c in header["candidates"]]
    names = {c["code"]: c["name"] for c in header["candidates"]}
    ours = recount(choices, codes, header["seats"], seed, box["head_hash"], roll_size)
    for code in codes:
        report.info(f"{names[code]} [{code}]: {ours['counts'][code]} votes")
    report.info(f"blank ballots: {ours['blank']}; ballots: {ours['ballots']} of {roll_size} "
                "on the roll")
    for seat in ours["seats"]:
        winner = f"{names[seat['winner']]} [{seat['winner']}]" if seat["winner"] else "vacant"
        report.info(f"seat {seat['kind']}: {winner}")
    for draw in ours["draws"]:
        report.info(f"tie at {draw['votes']} votes broken by the drawing: "
                    f"{' > '.join(draw['candidates'])} (decides {', '.join(draw['seats'])})")
    published = box.get("result")
    if published is None:
        report.info("no result is published yet: nothing to compare the recount with")
        return
    expected = {**ours, "head_hash": box["head_hash"]}
    for key in sorted(set(expected) | set(published)):
        report.check(published.get(key) == expected.get(key),
                     f"the published {key} match the recount",
                     f"the published {key} do NOT match the recount: published "
                     f"{published.get(key)!r}, recounted {expected.get(key)!r}")


def check_genesis(box: dict, noted: str, report: Report) -> None:
    genesis = genesis_of(box["header"])
    report.check(genesis == noted,
                 "the chain starts from the genesis hash you noted",
                 f"the chain starts from the genesis hash {genesis}, NOT from the one you noted "
                 f"({noted}): this is another box, or its published data were changed")


def check_head(hashes: list, complete: bool, noted: str, position: int | None,
               report: Report) -> None:
    """A head hash noted while voting: present (at the noted position) in the checked chain."""
    where = [i for i, value in enumerate(hashes) if value == noted]
    if complete:
        checked = "the chain"
    elif hashes:
        checked = f"the intact part of the chain (positions 0 to {len(hashes) - 1})"
    else:
        checked = "the chain, which is broken from its start"
    if position is None:
        if where:
            report.ok(f"the head hash you noted ({noted}) is in the box at position {where[0]}: "
                      "nothing up to it changed since")
        else:
            report.fail(f"the head hash you noted ({noted}) is NOT in {checked}: entries before "
                        "it were changed, removed or reordered, or it is from another box")
        return
    if position in where:
        report.ok(f"the head hash you noted ({noted}) is in the box at position {position}, "
                  "where you noted it: nothing up to it changed since")
    elif where:
        report.fail(f"the head hash you noted ({noted}) is at position {where[0]}, NOT at "
                    f"position {position} where you noted it")
    else:
        found = (f"; position {position} holds {hashes[position]}" if position < len(hashes)
                 else f"; {checked} has no position {position}")
        report.fail(f"the head hash you noted ({noted}) at position {position} is NOT in "
                    f"{checked}{found}: entries up to it were changed, removed or reordered, or "
                    "it is from another box")


def check_receipt(box: dict, code: str, report: Report) -> None:
    digest = sha(normalise_receipt(code).encode("ascii", errors="replace"))
    names = {c["code"]: c["name"] for c in box["header"]["candidates"]}
    for entry in box.get("entries") or []:
        if isinstance(entry, dict) and entry.get("receipt_digest") == digest:
            choice = entry.get("choice")
            shown = f"{names.get(choice, choice)} [{choice}]" if choice else "a blank ballot"
            report.ok(f"the receipt's ballot is in the box at position {entry.get('position')}: "
                      f"{shown}")
            return
    report.fail("the receipt's ballot is NOT in the box")


def well_formed_header(header) -> bool:
    keys = {"election", "title", "committee", "seats", "candidates", "roll_hash",
            "seed_commitment", "voting_opens_at", "voting_closes_at"}
    if not isinstance(header, dict) or set(header) != keys:
        return False
    candidates = header["candidates"]
    if not (isinstance(header["seats"], list) and isinstance(candidates, list)):
        return False
    if not all(isinstance(c, dict) and set(c) == {"code", "name", "organisation"}
               and isinstance(c["code"], str) and c["code"].isascii() for c in candidates):
        return False
    return len({c["code"] for c in candidates}) == len(candidates)


def verify(box: dict, receipt: str | None = None, out=None, *, genesis: str | None = None,
           heads=()) -> bool:
    """Print the report to `out` (standard output by default); True when the box verifies.

    `genesis` and `heads` ((hash, position or None) pairs) are hashes noted by an observer while
    voting was open; the box fails unless it starts from that genesis and holds those heads.
    """
    report = Report(out or sys.stdout)
    try:
        return _verify(box, receipt, report, genesis, heads)
    except (KeyError, TypeError, ValueError, AttributeError, UnicodeError) as exc:
        report.fail(f"the box is malformed ({type(exc).__name__}: {exc})")
        print(f"\nTHE BOX DOES NOT VERIFY: {report.failures} problem(s).", file=report.out)
        return False


def _verify(box, receipt, report: Report, genesis=None, heads=()) -> bool:
    if not isinstance(box, dict) or box.get("format") != FORMAT:
        report.fail(f"this is not a ballot box in the {FORMAT} format")
        return False
    if not well_formed_header(box.get("header")):
        report.fail("the box's header (election, seats, candidates...) is malformed")
        return False
    header = box["header"]
    report.info(f"election {header['election']}: {header['title']} ({header['committee']})")
    seed = check_seed(box, report)
    roll = check_roll(box, report)
    hashes = []
    chain = check_chain(box, report, hashes)
    if genesis is not None:
        check_genesis(box, genesis, report)
    for noted, position in heads:
        check_head(hashes, chain is not None, noted, position, report)
    if roll is not None and chain is not None:
        choices, close = chain
        roll_size, voted = roll
        report.check(
            close["voted_hash"] == sha(canonical({"domain": VOTED_DOMAIN, "voted": sorted(voted)})),
            "the organisations marked as voted are those sealed in the close entry",
            "the organisations marked as voted are NOT those sealed in the close entry")
        report.check(len(choices) == len(voted) <= roll_size,
                     f"the number of ballots ({len(choices)}) equals the number of "
                     "organisations marked as voted",
                     f"the box holds {len(choices)} ballots but {len(voted)} organisations are "
                     "marked as voted")
        if seed is not None:
            check_result(box, choices, seed, roll_size, report)
    if receipt:
        check_receipt(box, receipt, report)
    if set(box) - {"format", "header", "genesis_hash", "roll", "seed", "entries", "head_hash",
                   "result"}:
        report.fail("the box has unexpected parts")
    if report.failures:
        print(f"\nTHE BOX DOES NOT VERIFY: {report.failures} problem(s).", file=report.out)
        return False
    print("\nThe box verifies.", file=report.out)
    return True


def noted_hash(text: str) -> str:
    value = text.strip().lower()
    if not is_hash(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a SHA-256 hash (64 hexadecimal "
                                         "characters)")
    return value


def noted_head(text: str) -> tuple[str, int | None]:
    """HASH or HASH@POSITION, as noted from the election's page while voting was open."""
    value, at, position = text.partition("@")
    position = position.strip()
    if at and not (position.isascii() and position.isdigit()):
        raise argparse.ArgumentTypeError(f"the position in {text!r} is not a whole number")
    return noted_hash(value), int(position) if at else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Verify a published Cocrea ballot box.")
    parser.add_argument("box", help="the box.json file downloaded from the election's page")
    parser.add_argument("--receipt", help="a receipt code, to check that its ballot is in the box")
    parser.add_argument("--genesis", type=noted_hash, metavar="HASH",
                        help="the genesis hash published when voting opened: the chain must "
                             "start from it")
    parser.add_argument("--head", type=noted_head, action="append", default=[],
                        metavar="HASH[@POSITION]", dest="heads",
                        help="a head hash noted while voting was open, with its position (the "
                             "number of ballots shown next to it): the box must hold it there. "
                             "Repeat for several notes")
    args = parser.parse_args(argv)
    try:
        with open(args.box, encoding="utf-8") as handle:
            box = json.load(handle)
    except (OSError, ValueError) as exc:
        print(f"cannot read {args.box}: {exc}", file=sys.stderr)
        return 2
    return 0 if verify(box, args.receipt, genesis=args.genesis, heads=args.heads) else 1


if __name__ == "__main__":
    sys.exit(main())
