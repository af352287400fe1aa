"""`make bench`: every benchmark, figures printed and written to bench/results.json."""
import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import export

RESULTS = Path(__file__).with_name("results.json")


def main() -> int:
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(),
                    "cpus": __import__("os").cpu_count()},
        "export": export.main(),
    }
    RESULTS.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
