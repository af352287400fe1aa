"""The open-data page, each dataset's dictionary and downloads, and the DCAT catalogue."""
from flask import Response, current_app, jsonify, render_template, stream_with_context

from app.core.db import utcnow
from app.core.errors import NotFound
from app.extensions import limiter
from app.opendata import all_datasets, bp, catalogue, dataset_by_slug, export
from app.opendata.schema import TYPE_LABELS


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
                           licence=catalogue.licence())


@bp.get("/<slug>/")
def dataset(slug: str):
    return render_template("opendata/dataset.html", dataset=_dataset(slug), type_labels=TYPE_LABELS,
                           generated_at=utcnow(), licence=catalogue.licence())


def _stream(chunks, mimetype: str, filename: str) -> Response:
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.get("/<slug>.csv")
@limiter.limit(_download_limit)
def download_csv(slug: str):
    dataset = _dataset(slug)
    generated = utcnow()
    response = _stream(export.csv_chunks(dataset), "text/csv",
                       f"cocrea-{dataset.slug}-{generated:%Y%m%d}.csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return response


@bp.get("/<slug>.json")
@limiter.limit(_download_limit)
def download_json(slug: str):
    dataset = _dataset(slug)
    header = catalogue.json_header(dataset, utcnow())
    return _stream(export.json_chunks(dataset, header), "application/json",
                   f"cocrea-{dataset.slug}-{header['generated_at'][:10].replace('-', '')}.json")


@bp.get("/<slug>/schema.json")
def table_schema(slug: str):
    """The data dictionary, machine-readable (a Frictionless Table Schema)."""
    response = jsonify(catalogue.table_schema(_dataset(slug)))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/catalog.jsonld")
def catalog():
    response = jsonify(catalogue.dcat_catalog(all_datasets(), utcnow()))
    response.mimetype = "application/ld+json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


