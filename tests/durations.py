"""Writes tests/durations.json (seconds per test file) from a pytest log run with `--durations=0`.

    python -m tests.durations LOG [LOG ...]

The slowest files are started first (tests/conftest.py), so that no xdist worker is left with a
long file at the end. Several logs (one per backend): a file's figure is its largest.
"""
import json
import re
import sys
from collections import Counter
from pathlib import Path

OUT = Path(__file__).with_name("durations.json")


def per_file(text: str) -> Counter:
    files: Counter = Counter()
    for seconds, nodeid in re.findall(r"^([\d.]+)s (?:setup|call|teardown)\s+(\S+)", text, re.M):
        files[nodeid.split("::")[0]] += float(seconds)
    return files


def main(logs: list[str]) -> None:
    merged: dict[str, float] = {}
    for log in logs:
        text = Path(log).read_text(errors="replace")
        # A `make test` log holds one section per backend.
        for section in re.split(r"^======== \w+ ========$", text, flags=re.M):
            for name, seconds in per_file(section).items():
                merged[name] = max(merged.get(name, 0.0), round(seconds, 2))
    ordered = dict(sorted(merged.items(), key=lambda kv: -kv[1]))
    OUT.write_text(json.dumps(ordered, indent=1) + "\n")
    print(f"{len(ordered)} files, {sum(ordered.values()):.0f} s in all -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
