"""GET /feeds/<name>.atom: the feeds, absolute links from BASE_URL, in the reader's language."""

from flask import Response, current_app, url_for
from flask_babel import gettext as _

from app.announcements.queries import latest_everywhere as latest_announcements
from app.commitments.models import MILESTONE_STATUS_LABELS
from app.core.i18n import html_lang, local_date
from app.core.rendered import stored_summary
from app.core.text import plain_excerpt
from app.elections.models import ELECTION_STATE_LABELS
from app.feeds import bp, queries
from app.feeds.atom import CONTENT_TYPE, Entry, build_feed

SUMMARY_LENGTH = 400


def _absolute(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def _plain(markdown_text: str) -> str:
    # Unescaped: the feed's serialiser escapes it itself.
    return plain_excerpt(markdown_text, SUMMARY_LENGTH)


def _atom(key: str, title: str, endpoint: str, alternate: str, entries: list[Entry]) -> Response:
    body = build_feed(
        base_url=current_app.config["BASE_URL"], key=key,
        title=f"{current_app.config['SITE_NAME']}: {title}",
        self_url=_absolute(endpoint), alternate_url=alternate,
        author=current_app.config["SITE_NAME"], lang=html_lang(), entries=entries,
    )
    return Response(body, content_type=CONTENT_TYPE)


@bp.get("/proposals.atom")
def proposals():
    entries = [
        Entry(key=f"proposal/{p.reference}", title=f"{p.reference}: {p.title}",
              url=_absolute("proposals.show", reference=p.reference),
              published=p.created_at, updated=p.updated_at or p.created_at,
              summary=stored_summary(p, "body", SUMMARY_LENGTH))
        for p in queries.latest_proposals()
    ]
    return _atom("feeds/proposals", _("Latest proposals"), "feeds.proposals",
                 _absolute("proposals.index"), entries)


@bp.get("/progress.atom")
def progress():
    entries = [
        Entry(key=f"progress-note/{note_id}",
              title=_("Progress on “%(commitment)s”: %(status)s", commitment=commitment_title,
                      status=MILESTONE_STATUS_LABELS[status]),
              url=_absolute("commitments.show", commitment_id=commitment_id),
              published=created_at, updated=created_at,
              summary=_("Milestone: %(milestone)s. Reported on %(date)s. %(note)s",
                        milestone=milestone, date=local_date(noted_on), note=_plain(note)))
        for note_id, note, status, noted_on, created_at, milestone, commitment_id, commitment_title
        in queries.latest_progress_notes()
    ]
    return _atom("feeds/progress", _("Progress on commitments"), "feeds.progress",
                 _absolute("commitments.index"), entries)


def _seat_line(result) -> str:
    if not result.winner_name:
        return _("%(seat)s: vacant", seat=result.seat_label)
    if result.winner_organisation:
        return _("%(seat)s: %(name)s (%(organisation)s)", seat=result.seat_label,
                 name=result.winner_name, organisation=result.winner_organisation)
    return _("%(seat)s: %(name)s", seat=result.seat_label, name=result.winner_name)


@bp.get("/results.atom")
def results():
    entries = [
        Entry(key=f"election-result/{election.id}",
              title=_("%(state)s: %(election)s", state=ELECTION_STATE_LABELS[election.state],
                      election=election.title),
              url=_absolute("elections.show", election_id=election.id),
              published=election.published_at, updated=election.published_at,
              summary=" ".join([_("Committee: %(committee)s.", committee=election.committee.name)]
                               + [_seat_line(r) + "." for r in seats]))
        for election, seats in queries.published_results()
    ]
    return _atom("feeds/results", _("Election results and self-selection agreements"),
                 "feeds.results", _absolute("elections.index"), entries)


@bp.get("/news.atom")
def news():
    entries = [
        Entry(key=f"announcement/{a.id}", title=a.title,
              url=_absolute("announcements.show", announcement_id=a.id),
              published=a.published_at, updated=max(a.updated_at, a.published_at),
              summary=stored_summary(a, "body", SUMMARY_LENGTH))
        for a in latest_announcements()
    ]
    return _atom("feeds/news", _("News"), "feeds.news", _absolute("announcements.index"), entries)
