"""The standalone verifier: standard library only, runnable as a lone file, clear exit codes."""
import ast
import json
import subprocess
import sys
from pathlib import Path

from app.elections import verify
from tests.elections.test_properties import build_box

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
