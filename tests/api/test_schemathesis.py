"""Schemathesis against the live app: every operation of the OpenAPI document, generated inputs.

No server error, every response (problems included) conforms to the document: status, content
type, headers and body schema. The figures are printed for the record.
"""
import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from schemathesis.specs.openapi.checks import positive_data_acceptance

# HTTP only: the same on both databases; runs on PostgreSQL (tests/README.md).
pytestmark = pytest.mark.single_backend

EXAMPLES = 15


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
                # Left out: "schema-valid data must be accepted". A cursor matching the pattern but not
                # issued by us is refused with a 400 on purpose; every other check runs.
                case.call_and_validate(base_url=live_server, excluded_checks=[positive_data_acceptance])
            except Exception as exc:  # collected, so that one run reports every failing operation
                failures.append(f"{case.operation.label}: {type(exc).__name__}: {str(exc)[:400]}")

        check()
    with capsys.disabled():
        print(f"\nschemathesis: {len(operations)} operations, {cases} cases, {len(failures)} failures")
    assert not failures, "\n".join(failures[:10])
