"""axe-core and phone width on the repository, a document's page, the Declaratoria and the news,
with hostile titles everywhere (a script that ran would show up as a dialog)."""
from datetime import date

import pytest

from app.announcements import services as news
from app.documents import services
from app.extensions import db
from tests.browser.conftest import assert_no_sideways_scroll, check_axe
from tests.documents.conftest import pdf_file, records  # noqa: F401  (fixtures)
from tests.factories import HOSTILE

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("uploads")]


def test_records_pages_are_accessible_on_desktop_and_phone(records, page, phone_page):  # noqa: F811
    document = services.publish_document(records.admin, records.plan, {
        "kind": "minutes", "committee_id": records.committee.id, "title": f"Minuta {HOSTILE}",
        "description": HOSTILE, "document_date": date(2026, 3, 1)}, pdf_file())
    services.add_version(records.admin, document, {"reason": HOSTILE}, pdf_file("v2.pdf"))
    declaration = services.record_declaration(records.admin, records.plan, {
        "signed_on": date(2026, 2, 1), "place": HOSTILE}, pdf_file())
    services.add_signatory(records.admin, declaration, {"name": HOSTILE, "institution": HOSTILE})
    announcement = news.create_announcement(records.admin, records.plan,
                                            {"title": HOSTILE, "body": f"**{HOSTILE}**"})
    news.publish_announcement(records.admin, announcement)
    db.session.commit()
    dialogs = []
    for viewer in (page, phone_page):
        viewer.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in ("/documents/", f"/documents/{document.id}", "/declaratoria", "/news/",
                 f"/news/{announcement.id}", "/"):
        for viewer, label in ((page, "desktop"), (phone_page, "phone")):
            response = viewer.goto(path)
            assert response.status == 200, path
            check_axe(viewer)
            if label == "phone":
                assert_no_sideways_scroll(viewer)
    assert dialogs == []
