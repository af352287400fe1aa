"""The records' rules over every role: deny by default, a facilitator only for their committee's
minutes and agreements, the Declaratoria and the news for the guarantor body alone."""
from datetime import date

import pytest

from app.announcements import permissions as _announcements  # noqa: F401  (registers the rules)
from app.core.permissions import can, check
from app.documents import permissions as _documents  # noqa: F401
from app.documents.models import Document, DocumentKind

ROLES = ("anonymous", "citizen", "organisation", "facilitator", "other_facilitator",
         "unconfirmed_admin", "admin")


def actor(records, role):
    return None if role == "anonymous" else getattr(records, role)


def document(records, kind=DocumentKind.minutes):
    return Document(plan_id=records.plan.id, committee_id=records.committee.id, kind=kind,
                    title="t", document_date=date(2026, 1, 1))


@pytest.mark.parametrize("name, target, allowed", [
    ("documents.publish", None, {"facilitator", "other_facilitator", "admin"}),
    ("documents.publish", "minutes", {"facilitator", "admin"}),
    ("documents.publish", "report", {"admin"}),
    ("documents.add_version", "minutes", {"facilitator", "admin"}),
    ("documents.add_version", "agreement", {"facilitator", "admin"}),
    ("documents.add_version", "installation_record", {"admin"}),
    ("documents.edit_details", "minutes", {"facilitator", "admin"}),
    ("declarations.record", None, {"admin"}),
    ("announcements.manage", None, {"admin"}),
])
def test_each_role(records, name, target, allowed):
    target = document(records, DocumentKind(target)) if target else None
    for role in ROLES:
        assert can(actor(records, role), name, target) == (role in allowed), (name, role)


def test_a_refusal_says_why(records):
    decision = check(records.other_facilitator, "documents.add_version", document(records))
    assert not decision.allowed and "facilitadora" in decision.reason
