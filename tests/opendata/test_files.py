"""Pre-built download files: marked stale by the writes that change them, built again, served as
the streamed download would be, in flat memory."""
import json
import tracemalloc

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.moderation import services as moderation
from app.opendata import dataset_by_slug, export, files
from app.opendata.models import OpenDataBuild
from app.proposals.models import Proposal
from tests.factories import make_admin
from tests.proposals.factories import World, bulk_proposals, make_proposal


@pytest.fixture
def world():
    return World()


@pytest.fixture
def slow_builds(app, monkeypatch):
    """As on a large plan: no build is quick enough to run inside a download."""
    monkeypatch.setitem(app.config, "OPEN_DATA_INLINE_BUILD_SECONDS", -1.0)


def _build(slug):
    figures = files.build(dataset_by_slug(slug))
    db.session.commit()
    return figures


def _streamed(slug, fmt):
    dataset = dataset_by_slug(slug)
    if fmt == "csv":
        return "".join(export.csv_chunks(dataset))
    from app.opendata import catalogue
    from app.opendata.files import _json_header

    build = db.session.get(OpenDataBuild, slug)
    header = _json_header(dataset, build.generated_at)
    assert header == {**header, **{"generated_at": header["generated_at"]}}
    return "".join(export.json_chunks(dataset, header)), catalogue


def test_a_first_download_builds_the_missing_files(client, world):
    bulk_proposals(world, 3)
    assert files.state("proposals").missing
    response = client.get("/open-data/proposals.csv")
    assert response.status_code == 200
    current = files.state("proposals")
    assert not current.missing and not current.stale
    assert files.path_of("proposals", current.token, "csv").exists()
    assert files.path_of("proposals", current.token, "json").exists()
    assert response.headers["X-Generated-At"].endswith("Z")
    # A file lost from the disk is built again, under a new token.
    files.path_of("proposals", current.token, "csv").unlink()
    assert client.get("/open-data/proposals.csv").status_code == 200


def test_served_bytes_are_the_streamed_ones(client, world):
    make_proposal(world, title='Señalética en Peñón Blanco: =¿dónde?')
    bulk_proposals(world, 30, start=10)
    _build("proposals")
    served_csv = client.get("/open-data/proposals.csv").get_data(as_text=True)
    assert served_csv == "".join(export.csv_chunks(dataset_by_slug("proposals")))
    served_json = client.get("/open-data/proposals.json").get_data(as_text=True)
    streamed_json, _ = _streamed("proposals", "json")
    assert served_json == streamed_json
    assert len(json.loads(served_json)["rows"]) == 31


def test_a_change_marks_the_dataset_stale_and_a_build_makes_it_current(client, world, slow_builds):
    proposal = make_proposal(world, title="Título de antes")
    _build("proposals")
    _build("plans")
    assert not files.state("proposals").stale
    proposal.title = "Título de después"
    db.session.commit()
    current = files.state("proposals")
    assert current.stale and not current.purge
    assert not files.state("plans").stale  # a dataset the change does not show stays current
    # Until the next build, the file is served as it was, and says so.
    response = client.get("/open-data/proposals.csv")
    assert "Título de antes" in response.get_data(as_text=True)
    assert response.headers["X-Data-Pending"] == "yes"
    page = client.get("/open-data/proposals/?lang=en").get_data(as_text=True)
    assert "The files were generated on" in page and "next generation" in page
    _build("proposals")
    assert not files.state("proposals").stale
    response = client.get("/open-data/proposals.csv")
    assert "Título de después" in response.get_data(as_text=True)
    assert response.headers["X-Data-Pending"] == "no"


def test_a_counter_written_by_a_statement_marks_stale(world, slow_builds):
    proposal = make_proposal(world)
    _build("proposals")
    db.session.execute(sa.update(Proposal).where(Proposal.id == proposal.id)
                       .values(support_count=Proposal.support_count + 1))
    db.session.commit()
    assert files.state("proposals").stale


def test_hidden_content_is_never_served_from_an_old_file(client, world, slow_builds):
    proposal = make_proposal(world, title="PROPUESTA-QUE-SE-OCULTA")
    _build("proposals")
    assert "PROPUESTA-QUE-SE-OCULTA" in client.get("/open-data/proposals.csv").get_data(as_text=True)
    moderation.hide_content(make_admin(), proposal, "Datos personales")
    db.session.commit()
    assert files.state("proposals").purge
    for fmt in ("csv", "json"):
        assert "PROPUESTA-QUE-SE-OCULTA" not in client.get(f"/open-data/proposals.{fmt}").get_data(as_text=True)


def test_a_rolled_back_change_marks_nothing(world, slow_builds):
    proposal = make_proposal(world)
    _build("proposals")
    proposal.title = "Nunca guardado"
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert not files.state("proposals").stale


def test_the_command_builds_only_the_stale_datasets(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["opendata", "build"])
    assert result.exit_code == 0, result.output
    assert "proposals:" in result.output and "plans:" in result.output
    make_proposal(world)
    result = runner.invoke(args=["opendata", "build", "--if-stale"])
    assert result.exit_code == 0, result.output
    assert "proposals:" in result.output and "plans:" not in result.output
    assert not files.state("proposals").stale
    result = runner.invoke(args=["opendata", "build", "--dataset", "nope"])
    assert result.exit_code != 0


def _insert_proposals(world, n, start):
    """Rows straight into the table: the ORM would take too long for this test's thousands."""
    template = bulk_proposals(world, 1, start=start)[0]
    row = {c.key: getattr(template, c.key) for c in sa.inspect(Proposal).column_attrs if c.key != "id"}
    db.session.execute(sa.insert(Proposal), [
        {**row, "reference": f"{row['reference']}-{i}", "sequence": start + i} for i in range(1, n)])
    db.session.commit()


def test_a_build_runs_in_flat_memory(world, small_batches):
    def peak():
        tracemalloc.start()
        figures = _build("proposals")
        _current, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return figures["rows"], top

    # Two batches of rows (small_batches), then sixty: a build that kept its rows would need
    # thirty times the memory.
    _insert_proposals(world, 2 * small_batches, start=1)
    rows_small, small = peak()
    _insert_proposals(world, 58 * small_batches, start=100_000)
    rows_large, large = peak()
    assert (rows_small, rows_large) == (2 * small_batches, 60 * small_batches)
    assert large < small * 1.5, (small, large)


# Cells that each rule of csv_value/csv.writer/json.dumps has to get right, in the proposals
# dataset's text columns (title, body, place, municipality, withdrawal_reason).
_AWKWARD_TEXTS = (
    'coma, "comillas" y\r\nsaltos\nde\rlínea', "=HYPERLINK(\"x\")", "+52 618", "-12.5", "+1e3", "-.5", "-",
    "@mención", "\t5", "\r-3", "-inf", "+nan", "-1_000", "-1 ", "=1", "control \x01\x1f\x7f", "barra \\ inclinada",
    "emoji 🎉 ñ\u2028", "", " espacio ", "'comilla simple", "a\tb", "1,5",
)


def _both_paths(dataset):
    """(bytes written by the database's lines, bytes written by Python) of one dataset's files."""
    import io

    header = {"dataset": dataset.slug}
    out = []
    for in_database in (True, False):
        csv_file, json_file = io.StringIO(newline=""), io.StringIO()
        rows = files.write_files(dataset, header, csv_file, json_file, in_database=in_database)
        out.append((rows, csv_file.getvalue(), json_file.getvalue()))
    return out


def _awkward_proposals(world) -> None:
    """A proposal per awkward text, with coordinates and moments of every shape, committed."""
    from app.accounts.models import User

    if db.engine.dialect.name != "postgresql":
        pytest.skip("the lines are written by the database on PostgreSQL only")
    import datetime as dt

    base = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    coordinates = [(25.0, -104.5), (24.123456, -103.000001), (0.000001, -0.00001), (None, None)]
    for i, text in enumerate(_AWKWARD_TEXTS):
        proposal = make_proposal(world, title=f"Propuesta número {i}")
        latitude, longitude = coordinates[i % len(coordinates)]
        db.session.execute(sa.update(Proposal).where(Proposal.id == proposal.id).values(
            title=text or "x", body=text or "x", place=text, municipality=None if i % 2 else text,
            withdrawal_reason=text if i % 3 else None, latitude=latitude, longitude=longitude,
            created_at=base + dt.timedelta(microseconds=i * 1234 if i % 2 else 0)))
    db.session.execute(sa.update(User).where(User.id == world.author.id).values(name='Autora "=1", ñ'))
    db.session.commit()


def _database_path(dataset):
    """(rows, CSV, JSON) of one dataset's files as the database writes them."""
    import io

    csv_file, json_file = io.StringIO(newline=""), io.StringIO()
    rows = files.write_files(dataset, {"dataset": dataset.slug}, csv_file, json_file)
    return rows, csv_file.getvalue(), json_file.getvalue()


def test_the_database_writes_the_bytes_python_writes(world):
    """On PostgreSQL the rows' CSV and JSON come from SQL (app/opendata/lines.py): byte for byte
    what the generic path writes, over every dataset and every awkward cell."""
    from app.opendata import all_datasets, lines

    _awkward_proposals(world)
    assert lines.statement(dataset_by_slug("proposals")) is not None
    for dataset in all_datasets():
        (rows, csv_db, json_db), (rows_py, csv_py, json_py) = _both_paths(dataset)
        assert rows == rows_py
        assert csv_db == csv_py, dataset.slug
        assert json_db == json_py, dataset.slug
    (rows, csv_text, json_text), _ = _both_paths(dataset_by_slug("proposals"))
    assert rows == len(_AWKWARD_TEXTS)
    assert json.loads(json_text)["rows"][0]["title"] == _AWKWARD_TEXTS[0]


@pytest.mark.real_commits
def test_the_two_connection_build_writes_the_bytes_of_one(app, world, monkeypatch, small_batches):
    """Production's build reads the CSV lines and the JSON objects on two connections at once
    (files._two_halves): the same bytes as one statement on the session's connection, over every
    dataset; its connections go back to the pool with the planner settings undone."""
    from app.opendata import all_datasets

    _awkward_proposals(world)
    bulk_proposals(world, 5 * small_batches // 2, start=1000)  # more than two batches of lines
    db.session.commit()
    written = {}
    for connections in (1, 2):
        monkeypatch.setitem(app.config, "OPEN_DATA_BUILD_CONNECTIONS", connections)
        written[connections] = {dataset.slug: _database_path(dataset) for dataset in all_datasets()}
    assert written[2] == written[1]
    assert written[2]["proposals"][0] == len(_AWKWARD_TEXTS) + 5 * small_batches // 2
    with db.engine.connect() as connection:  # SET LOCAL: undone with the halves' transactions
        assert connection.execute(sa.text("SHOW cursor_tuple_fraction")).scalar_one() == "0.1"


def test_only_plain_numbers_escape_the_formula_guard():
    """A cell starting with + - = @ tab or CR is prefixed with ' unless it is a plain number as a
    spreadsheet reads one; Python's float() took "-inf", "-1_000" or "\\t5" for numbers too."""
    from app.opendata.schema import csv_value

    for number in ("-12.5", "+1e3", "-.5", "-7", "+0.25E-3"):
        assert csv_value(number) == number
    for text in ("-inf", "+nan", "-1_000", "\t5", "\r-3", "-1 ", "=1", "-", "@x", "+52 618"):
        assert csv_value(text) == "'" + text


def test_the_planner_settings_of_a_build_do_not_outlive_it(world):
    """The database-written path turns JIT off and plans for every row, for its statement only."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL settings")
    bulk_proposals(world, 3)
    settings = sa.text("SELECT current_setting('jit'), current_setting('cursor_tuple_fraction')")
    before = db.session.execute(settings).one()
    (rows, _, _), _ = _both_paths(dataset_by_slug("proposals"))
    assert rows == 3
    assert db.session.execute(settings).one() == before
