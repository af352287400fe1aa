"""Fixtures of the records tests: a plan with two committees, its people, an uploads directory."""
import io
from dataclasses import dataclass

import pytest
from werkzeug.datastructures import FileStorage

from app.accounts.models import Role
from app.plans.models import ActionPlan, Committee
from tests.factories import make_admin, make_committee, make_moderator, make_organisation, make_user

PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def pdf_file(name: str = "acta.pdf", data: bytes = PDF) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


@dataclass
class Records:
    plan: ActionPlan
    committee: Committee
    other_committee: Committee
    admin: object
    facilitator: object  # of `committee`
    other_facilitator: object  # of `other_committee`
    citizen: object
    organisation: object
    unconfirmed_admin: object


@pytest.fixture(scope="module")
def records(module_worlds) -> Records:
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(_records)


def _records() -> Records:
    committee = make_committee()
    other = make_committee(committee.plan)
    return Records(
        plan=committee.plan, committee=committee, other_committee=other, admin=make_admin(),
        facilitator=make_moderator(committee), other_facilitator=make_moderator(other),
        citizen=make_user(), organisation=make_organisation(),
        unconfirmed_admin=make_user(Role.admin, confirmed=False),
    )


