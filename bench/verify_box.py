"""Time the standalone verifier on a generated ballot box (default: 100,000 ballots).

    .venv/bin/python bench/verify_box.py [BALLOTS]

The box is built with the site's own chain and tally code (app/elections/chain.py, tally.py),
written to a temporary file, and verified the way a citizen would: `python -m
app.elections.verify box.json` in a fresh process. Prints the seconds it took.
"""
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.elections import chain, tally  # noqa: E402


def build(ballots: int) -> dict:
    rng = random.Random(2026)
    codes = ["ANA234", "BETO56", "CECI77", "DAVI22"]
    roll = [{"id": i, "name": f"Organización {i:06d}", "voted": i <= ballots}
            for i in range(1, ballots + ballots // 10 + 1)]
    seed = secrets.token_hex(32)
    header = chain.box_header(
        election_id=1, title="Elección de prueba", committee="Comité",
        seats=["cs_titular", "cs_suplente"],
        candidates=[{"code": c, "name": c, "organisation": "Org"} for c in codes],
        roll_hash_=chain.roll_hash(roll), commitment=chain.seed_commitment(seed),
        voting_opens_at="2026-03-01T15:00:00Z", voting_closes_at="2026-03-03T15:00:00Z")
    choices = [rng.choice([*codes, None]) for _ in range(ballots)]
    digests = (chain.receipt_digest(secrets.token_hex(13)) for _ in range(ballots))
    genesis = chain.genesis_hash(header)
    entries = chain.build_entries(1, genesis, zip(digests, choices, strict=False))
    voted = [r["id"] for r in roll if r["voted"]]
    entries.append(chain.close_entry(1, ballots + 1, entries[-1]["entry_hash"] if entries else genesis,
                                     chain.voted_hash(voted), "2026-03-03T15:00:00Z", None))
    head = entries[-1]["entry_hash"]
    result = tally.tally(choices, codes, header["seats"], seed=seed, head_hash=head,
                         roll_size=len(roll))
    return chain.box_document(header, roll, seed, entries, {**result.as_dict(), "head_hash": head})


def main() -> int:
    ballots = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    started = time.perf_counter()
    box = build(ballots)
    built = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "box.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(box, handle)
        size = os.path.getsize(path)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "app.elections.verify", path],
                              cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - started
    print(done.stdout.splitlines()[-1] if done.stdout else done.stderr)
    print(f"{ballots} ballots, box of {size / 1e6:.1f} MB built in {built:.1f} s; "
          f"verified in {seconds:.2f} s (exit code {done.returncode})")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
