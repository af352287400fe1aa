"""Schemathesis against the live app: every operation of the OpenAPI document, generated inputs.

No server error, every response (problems included) conforms to the document: status, content
type, headers and body schema. The figures are printed for the record.
"""
import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck

# HTTP only: the same on both databases; runs on PostgreSQL (tests/README.md).
pytestmark = pytest.mark.single_backend

EXAMPLES = 10


@pytest.fixture
def schema(live_server, demo):
    return schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json")


def test_every_operation_conforms_to_the_openapi_document(schema, live_server, capsys):
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40  # a list and an item operation per dataset
    cases = 0
    failures = []
    for operation in operations:

        @hypothesis.settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                             suppress_health_check=list(HealthCheck), phases=[hypothesis.Phase.generate,
                                                                             hypothesis.Phase.explicit])
        @hypothesis.given(case=operation.as_strategy())
        def check(case):
            nonlocal cases
            cases += 1
            try:
                # Every check, "schema-valid data is accepted" and "an undeclared method gets 405"
                # included: the document says exactly what the server accepts.
                case.call_and_validate(base_url=live_server)
            except Exception as exc:  # collected, so that one run reports every failing operation
                failures.append(f"{case.operation.label}: {type(exc).__name__}: {str(exc)[:400]}")

        check()
    with capsys.disabled():
        print(f"\nschemathesis: {len(operations)} operations, {cases} cases, {len(failures)} failures")
    assert not failures, "\n".join(failures[:10])


def test_the_coverage_phase_with_every_check_passes(live_server, demo, capsys):
    """Schemathesis's own runner, coverage phase, every check on: among its cases, each
    operation called with methods the document does not list (405 with an Allow header
    expected) and with values at the edges of every declared schema (accepted when valid)."""
    import subprocess
    import sys
    from pathlib import Path

    runner = Path(sys.executable).with_name("schemathesis")
    done = subprocess.run([str(runner), "run", f"{live_server}/api/v1/openapi.json", "--checks", "all",
                           "--phases", "coverage", "--max-examples", "5", "--no-color"],
                          capture_output=True, text=True, timeout=600)
    summary = done.stdout[-3000:]
    with capsys.disabled():
        print("\n" + next((line for line in done.stdout.splitlines() if "generated" in line), summary))
    assert done.returncode == 0, summary
    assert " passed" in summary and "failed" not in summary.split("Test cases:")[-1], summary

