"""The standalone verifier: standard library only, runnable as a lone file, clear exit codes."""
import ast
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.elections import chain, tally, verify
from tests.elections.test_properties import build_box

# Box files and the standalone verifier, no database: the same on both; runs on PostgreSQL
# (tests/README.md).
pytestmark = pytest.mark.single_backend

VERIFY = Path(verify.__file__)
ROOT = VERIFY.parents[2]


def _box(tmp_path, box) -> Path:
    path = tmp_path / "box.json"
    path.write_text(json.dumps(box), encoding="utf-8")
    return path


def sample_box():
    return build_box({"codes": ["AAAAAA", "BBBBBB", "CCCCCC"], "roll_size": 6,
                      "choices": ["AAAAAA", "BBBBBB", "AAAAAA", None, "CCCCCC"],
                      "seats": ["cs_titular", "cs_suplente"], "seed": "5e" * 32,
                      "names": ["Ana \x1b[31m", "Beto", "Ceci"]})


def test_the_verifier_imports_only_the_standard_library():
    tree = ast.parse(VERIFY.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports"
            imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)


def test_the_lone_file_verifies_a_box_without_site_packages(tmp_path):
    path = _box(tmp_path, sample_box())
    alone = tmp_path / "verify.py"
    alone.write_bytes(VERIFY.read_bytes())
    # -I -S: isolated, no site-packages: only the standard library is importable.
    done = subprocess.run([sys.executable, "-I", "-S", str(alone), str(path)],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "The box verifies." in done.stdout
    assert "\x1b" not in done.stdout  # a name cannot drive the terminal


def test_python_m_app_elections_verify_reports_a_tampered_box_and_exits_1(tmp_path):
    box = sample_box()
    box["entries"][2]["choice"] = "BBBBBB"
    path = _box(tmp_path, box)
    done = subprocess.run([sys.executable, "-m", "app.elections.verify", str(path)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 1
    assert "FAIL" in done.stdout and "DOES NOT VERIFY" in done.stdout


def test_a_receipt_not_in_the_box_fails_and_an_unreadable_file_exits_2(tmp_path):
    path = _box(tmp_path, sample_box())
    assert verify.main([str(path), "--receipt", "AAAAA-BBBBB-CCCCC-DDDDD"]) == 1
    assert verify.main([str(path)]) == 0
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert verify.main([str(broken)]) == 2
    assert verify.main([str(tmp_path / "missing.json")]) == 2


def test_malformed_boxes_fail_without_a_traceback(tmp_path, capsys):
    for box in ([], {"format": "cocrea-ballot-box/1"}, {**sample_box(), "entries": [1, 2]},
                {**sample_box(), "roll": {"entries": [{"id": "x"}]}}):
        assert verify.verify(box) is False
    assert "Traceback" not in capsys.readouterr().out


# ---------------------------------------------------------------- anchors: --genesis and --head


def head_at(box, position: int) -> str:
    """The head hash an observer saw after `position` entries (0: the genesis, before any ballot)."""
    return box["genesis_hash"] if position == 0 else box["entries"][position - 1]["entry_hash"]


def rebuilt(box, choices=None, header=None):
    """What someone with the database could publish instead: ballots (or the header) changed and
    every hash, the close entry and the result computed again, so that the box verifies alone."""
    header = header or box["header"]
    election = header["election"]
    genesis = chain.genesis_hash(header)
    ballots = [(e["receipt_digest"], e["choice"]) for e in box["entries"][:-1]]
    for position, choice in (choices or {}).items():
        ballots[position - 1] = (ballots[position - 1][0], choice)
    entries = chain.build_entries(election, genesis, ballots)
    close = box["entries"][-1]
    entries.append(chain.close_entry(election, len(entries) + 1,
                                     entries[-1]["entry_hash"] if entries else genesis,
                                     close["voted_hash"], close["closed_at"], close["early_reason"]))
    head = entries[-1]["entry_hash"]
    counted = tally.tally([c for _d, c in ballots], [c["code"] for c in header["candidates"]],
                          header["seats"], seed=box["seed"], head_hash=head,
                          roll_size=box["roll"]["size"])
    return chain.box_document(header, box["roll"]["entries"], box["seed"], entries,
                              {**counted.as_dict(), "head_hash": head})


def checked(box, genesis=None, heads=()) -> tuple[bool, str]:
    out = io.StringIO()
    return verify.verify(box, out=out, genesis=genesis, heads=heads), out.getvalue()


def test_heads_noted_at_every_position_and_the_genesis_pass(tmp_path, capsys):
    box = sample_box()
    path = _box(tmp_path, box)
    for position in range(len(box["entries"]) + 1):  # 0 (the genesis) to the close entry
        assert verify.main([str(path), "--head", f"{head_at(box, position)}@{position}"]) == 0
        assert "where you noted it" in capsys.readouterr().out
    # Without a position, in capitals, several notes at once, with the genesis.
    assert verify.main([str(path), "--genesis", box["genesis_hash"].upper(),
                        "--head", head_at(box, 2).upper(), "--head", f" {head_at(box, 4)} @ 4 "]) == 0
    out = capsys.readouterr().out
    assert "starts from the genesis hash you noted" in out and "at position 2" in out


def test_a_noted_head_that_is_not_in_the_box_fails(tmp_path, capsys):
    box = sample_box()
    path = _box(tmp_path, box)
    unknown = "ab" * 32
    for noted in (unknown, f"{unknown}@3"):
        assert verify.main([str(path), "--head", noted]) == 1
        out = capsys.readouterr().out
        assert f"FAIL  the head hash you noted ({unknown})" in out and "is NOT in the chain" in out
        assert "DOES NOT VERIFY: 1 problem(s)" in out  # the box alone is fine


def test_a_noted_head_at_another_position_fails(tmp_path, capsys):
    box = sample_box()
    path = _box(tmp_path, box)
    assert verify.main([str(path), "--head", f"{head_at(box, 3)}@2"]) == 1
    assert "is at position 3, NOT at position 2 where you noted it" in capsys.readouterr().out
    assert verify.main([str(path), "--head", f"{head_at(box, 3)}@99"]) == 1
    assert "is at position 3, NOT at position 99" in capsys.readouterr().out


def test_a_box_from_another_genesis_fails(tmp_path, capsys):
    box = sample_box()
    other = build_box({"codes": ["AAAAAA"], "roll_size": 1, "choices": [], "seats": ["cs_titular"],
                       "seed": "5e" * 32, "names": ["Ana"]}, election_id=8)
    assert verify.main([str(_box(tmp_path, box)), "--genesis", other["genesis_hash"]]) == 1
    out = capsys.readouterr().out
    assert f"starts from the genesis hash {box['genesis_hash']}, NOT from the one you noted" in out


def test_a_box_rebuilt_on_another_header_verifies_alone_but_not_from_the_noted_genesis():
    box = sample_box()
    forged = rebuilt(box, header={**box["header"], "title": "Otra elección"})
    assert checked(forged)[0]
    assert not checked(forged, genesis=box["genesis_hash"])[0]


def test_a_ballot_rewritten_before_a_noted_head_verifies_alone_but_not_against_the_head():
    box = sample_box()
    forged = rebuilt(box, choices={2: "CCCCCC"})
    assert forged["result"] != box["result"]
    assert checked(forged)[0]  # all hashes recomputed: the box alone cannot tell
    good, out = checked(forged, genesis=box["genesis_hash"], heads=[(head_at(box, 3), 3)])
    assert not good and "at position 3 is NOT in the chain; position 3 holds" in out
    # The same genesis and an earlier head still check out: the change came after position 1.
    assert checked(forged, genesis=box["genesis_hash"], heads=[(head_at(box, 1), 1)])[0]


def test_a_noted_head_vouches_only_for_the_entries_up_to_it():
    box = sample_box()
    forged = rebuilt(box, choices={4: "BBBBBB"})  # was blank
    assert checked(forged, heads=[(head_at(box, 3), 3)])[0]
    assert not checked(forged, heads=[(head_at(box, 3), 3), (head_at(box, 5), 5)])[0]


def test_a_tampered_ballot_after_the_noted_head_is_still_detected():
    box = sample_box()
    box["entries"][3]["choice"] = "AAAAAA"  # position 4, not rehashed
    good, out = checked(box, genesis=box["genesis_hash"], heads=[(head_at(box, 2), 2)])
    assert not good
    assert "FAIL  entry 4: its hash does not match its content" in out
    assert "OK    the head hash you noted" in out and "position 2, where you noted it" in out
    # A head noted after the change cannot be found in the intact part of the chain.
    good, out = checked(box, heads=[(head_at(box, 5), 5)])
    assert not good and "NOT in the intact part of the chain (positions 0 to 3)" in out


@pytest.mark.parametrize("args", [
    ["--head", "xyz"], ["--head", "ab" * 31], ["--head", f"{'ab' * 32}@x"],
    ["--head", f"{'ab' * 32}@"], ["--head", f"{'ab' * 32}@-1"], ["--head", f"{'ab' * 32}@²"],
    ["--genesis", "ab" * 33], ["--genesis", "zz" * 32],
])
def test_a_malformed_hash_or_position_exits_2(tmp_path, capsys, args):
    path = _box(tmp_path, sample_box())
    with pytest.raises(SystemExit) as exit_:
        verify.main([str(path), *args])
    assert exit_.value.code == 2
    assert "is not a" in capsys.readouterr().err


def test_the_lone_file_checks_the_anchors(tmp_path):
    box = sample_box()
    path = _box(tmp_path, box)
    alone = tmp_path / "verify.py"
    alone.write_bytes(VERIFY.read_bytes())
    command = [sys.executable, "-I", "-S", str(alone), str(path), "--genesis", box["genesis_hash"]]
    done = subprocess.run([*command, "--head", f"{head_at(box, 3)}@3"],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    done = subprocess.run([*command, "--head", f"{head_at(box, 3)}@4"],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 1 and "NOT at position 4" in done.stdout
