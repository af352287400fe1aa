"""One date style across the site: the long date and the time to the minute, in the plan's zone,
in Spanish ("5 de diciembre de 2026, 6:00 p.m.") and English ("December 5, 2026, 6:00 PM");
never the short ("05/12/26") or medium ("5 dic 2026") forms, never seconds."""
import re
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from app.core import clock
from app.core.i18n import end_sentence, local_date, local_datetime, local_when
from tests.commitments.factories import make_published, milestone

# 00:00 UTC on 6 December is 6:00 p.m. on 5 December in the plan's zone (America/Monterrey).
MOMENT = datetime(2026, 12, 6, 0, 0, tzinfo=UTC)
SHORT_FORMS = re.compile(r"\b\d{2}/\d{2}/\d{2}\b|\d{1,2}:\d{2}:\d{2}|\b5 dic\b|\bDec 5\b")


def _plain(text: str) -> str:
    """Babel puts a narrow no-break space before "p.m."; people read a space."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _shown(page: str) -> str:
    """The text people read: machine formats in attributes (<time datetime="...">) left out."""
    return re.sub(r"<[^>]*>", " ", page)


@pytest.mark.parametrize("locale, day, moment", [
    ("es_MX", "5 de diciembre de 2026", "5 de diciembre de 2026, 6:00 p.m."),
    ("en", "December 5, 2026", "December 5, 2026, 6:00 PM"),
])
def test_the_filters_give_the_long_date_and_the_time_to_the_minute(locale, day, moment):
    with force_locale(locale):
        assert _plain(local_date(MOMENT)) == day
        assert _plain(local_date(date(2026, 12, 5))) == day
        assert _plain(local_datetime(MOMENT)) == moment
        assert _plain(local_when(MOMENT)) == moment
        # Templates written with a width still get the one style.
        for width in ("short", "medium"):
            assert _plain(local_date(MOMENT, width)) == day
            assert _plain(local_datetime(MOMENT, width)) == moment
        assert local_date(None) == local_datetime(None) == ""


def test_a_month_pattern_is_kept_and_a_sentence_ends_with_one_period():
    with force_locale("es_MX"):
        assert local_date(MOMENT, "MMMM y") == "diciembre 2026"
        assert _plain(end_sentence(local_when(MOMENT))) == "5 de diciembre de 2026, 6:00 p.m"
    assert end_sentence("Observatorio Ciudadano, A.C.") == "Observatorio Ciudadano, A.C"
    assert end_sentence("Mesa de Diálogo") == "Mesa de Diálogo"
    assert end_sentence(None) == ""


@pytest.fixture
def published(world):
    with clock.use(lambda: MOMENT):
        return make_published(world, milestones=[milestone(1, starts_on=date(2026, 12, 5),
                                                           ends_on=date(2027, 1, 31))])


@pytest.mark.parametrize("lang, day, moment", [
    ("es_MX", "5 de diciembre de 2026", "5 de diciembre de 2026, 6:00 p.m."),
    ("en", "December 5, 2026", "December 5, 2026, 6:00 PM"),
])
def test_pages_show_the_long_date_and_never_the_short_forms(published, client, lang, day, moment):
    page = _plain(client.get(f"/commitments/{published.id}?lang={lang}").get_data(as_text=True))
    assert f'<time datetime="2026-12-05">{day}</time>' in page  # the milestone's start
    assert not SHORT_FORMS.search(_shown(page)), SHORT_FORMS.search(_shown(page))
    history = _plain(client.get(f"/commitments/{published.id}/versions?lang={lang}").get_data(as_text=True))
    assert f'<time datetime="{MOMENT.isoformat()}">{moment}</time>' in history
    assert not SHORT_FORMS.search(_shown(history)), SHORT_FORMS.search(_shown(history))
