"""The open-data page, each dataset's dictionary and downloads, and the DCAT catalogue."""
from flask import Response, current_app, jsonify, render_template, send_file, stream_with_context

from app.core.db import utcnow
from app.core.errors import NotFound
from app.extensions import limiter
from app.opendata import all_datasets, bp, catalogue, dataset_by_slug, export, files
from app.opendata.schema import TYPE_LABELS, json_value
from app.plans.queries import published_plans


def _dataset(slug: str):
    dataset = dataset_by_slug(slug)
    if dataset is None:
        from flask_babel import gettext as _

        raise NotFound(_("There is no dataset with that name."))
    return dataset


def _download_limit():
    return current_app.config["RATELIMIT_DOWNLOADS"]


@bp.get("/")
def index():
    return render_template("opendata/index.html", datasets=all_datasets(), generated_at=utcnow(),
                           licence=catalogue.licence(), plans=published_plans(with_phases=False))


@bp.get("/<slug>/")
def dataset(slug: str):
    dataset = _dataset(slug)
    return render_template("opendata/dataset.html", dataset=dataset, type_labels=TYPE_LABELS,
                           generated_at=utcnow(), files=files.state(dataset.slug), licence=catalogue.licence())


def _stream(chunks, mimetype: str, filename: str) -> Response:
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _serve(dataset, fmt: str) -> Response:
    """The pre-built file: built now when there is none (or the last build was quick, so it is
    kept current); streamed from the database when a change may have taken rows out of it and a
    build would take long; else served with its date, even if changes wait for the next build."""
    current = files.state(dataset.slug)
    quick = current.seconds <= current_app.config["OPEN_DATA_INLINE_BUILD_SECONDS"]
    if current.missing or ((current.stale or current.purge) and quick):
        files.build(dataset)
        current = files.state(dataset.slug)
    elif current.purge:
        return _streamed(dataset, fmt)
    try:
        response = send_file(files.path_of(dataset.slug, current.token, fmt), mimetype=MEDIA[fmt],
                             as_attachment=True,
                             download_name=f"cocrea-{dataset.slug}-{current.generated_at:%Y%m%d}.{fmt}",
                             conditional=True, etag=True, last_modified=current.generated_at, max_age=60)
    except FileNotFoundError:  # replaced by a build in between, or not on this server's disk
        return _streamed(dataset, fmt)
    response.headers["Content-Type"] = MEDIA[fmt]
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["X-Generated-At"] = json_value(current.generated_at)
    response.headers["X-Data-Pending"] = "yes" if current.stale else "no"
    return response


def _streamed(dataset, fmt: str) -> Response:
    generated = utcnow()
    if fmt == "csv":
        response = _stream(export.csv_chunks(dataset), "text/csv", f"cocrea-{dataset.slug}-{generated:%Y%m%d}.csv")
        response.headers["Content-Type"] = MEDIA["csv"]
    else:
        header = catalogue.json_header(dataset, generated)
        response = _stream(export.json_chunks(dataset, header), "application/json",
                           f"cocrea-{dataset.slug}-{generated:%Y%m%d}.json")
    response.headers["X-Generated-At"] = json_value(generated)
    return response


@bp.get("/<slug>.csv")
@limiter.limit(_download_limit)
def download_csv(slug: str):
    return _serve(_dataset(slug), "csv")


@bp.get("/<slug>.json")
@limiter.limit(_download_limit)
def download_json(slug: str):
    return _serve(_dataset(slug), "json")


@bp.get("/<slug>/schema.json")
def table_schema(slug: str):
    """The data dictionary, machine-readable (a Frictionless Table Schema)."""
    response = jsonify(catalogue.table_schema(_dataset(slug)))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/catalog.jsonld")
def catalog():
    response = jsonify(catalogue.dcat_catalog(all_datasets(), utcnow(), published_plans(with_phases=False)))
    response.mimetype = "application/ld+json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


