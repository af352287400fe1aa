"""API endpoints: thin wrappers that parse the query string and shape the JSON."""
import hashlib
import json

from flask import Response, current_app, request, url_for
from flask_babel import gettext as _

from app.api import bp, pagination, queries
from app.api import openapi as openapi_doc
from app.commitments import located as located_commitments
from app.core.clock import today
from app.core.errors import NotFound, ValidationError
from app.extensions import limiter
from app.maps.geojson import feature_collection
from app.opendata import all_datasets, dataset_by_slug
from app.plans.queries import plan_by_slug, requested_plan
from app.proposals import located as located_proposals
from app.standards.queries import document as standards_document

RESERVED = {"limit", "cursor"}


def _api_limit():
    return current_app.config["RATELIMIT_API"]


limiter.limit(_api_limit)(bp)


@bp.after_request
def _cross_origin(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
    response.headers["Access-Control-Expose-Headers"] = (
        "ETag, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After")
    response.headers["Vary"] = "Accept-Language"
    return response


def _json(payload: dict, mimetype: str = "application/json") -> Response:
    """A JSON response with an ETag; 304 without a body when the client already has it."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    response = Response(body, mimetype=mimetype)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32], weak=True)
    response.headers["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response.make_conditional(request)


def _dataset(slug: str):
    dataset = dataset_by_slug(slug)
    if dataset is None:
        raise NotFound(_("There is no collection %(name)s in this API. The list of collections is at %(url)s.",
                         name=slug[:80], url=url_for("api.index")))
    return dataset


@bp.get("/")
def index():
    return _json({
        "title": current_app.config["SITE_NAME"],
        "openapi": url_for("api.openapi", _external=True),
        "open_data": url_for("opendata.index", _external=True),
        "collections": [
            {
                "name": d.slug,
                "title": str(d.title),
                "description": str(d.description),
                "href": url_for("api.list_items", slug=d.slug, _external=True),
                "filters": [f.name for f in d.filters],
                "dictionary": url_for("opendata.dataset", slug=d.slug, _external=True),
            }
            for d in all_datasets()
        ],
    })


@bp.get("/openapi.json")
def openapi():
    return _json(openapi_doc.document(all_datasets()))


# The located things' maps: a FeatureCollection of the current plan's (or ?plan=<slug>'s) public,
# visible items that have a point (at most MAP_LIMIT, as the map pages).
GEOJSON_ARGS = ("plan",)


def _geojson(located) -> Response:
    unknown = sorted(set(request.args) - set(GEOJSON_ARGS))
    if unknown:
        raise ValidationError(_("Unknown parameter %(name)s. This collection accepts: %(known)s.",
                                name=unknown[0][:80], known=", ".join(GEOJSON_ARGS)))
    if request.args.get("plan") == "":
        raise ValidationError(_("plan must be a plan's address (slug); leave it out for the current plan."),
                              field="plan")
    plan = requested_plan()  # a published plan only: no one is logged in to the API
    items = located.located(plan) if plan is not None else []
    return _json(feature_collection([located.feature(item, external=True) for item in items]),
                 mimetype="application/geo+json")


@bp.get("/proposals.geojson")
def proposals_geojson():
    return _geojson(located_proposals)


@bp.get("/commitments.geojson")
def commitments_geojson():
    return _geojson(located_commitments)


@bp.get("/plans/<plan>/standards")
def plan_standards(plan: str):
    """The plan's co-creation standards, computed today (as its standards page's JSON file)."""
    found = plan_by_slug(plan[:200]) if plan else None  # a published plan only: no one is logged in here
    if found is None:
        raise NotFound(_("There is no plan at that address."))
    return _json({"data": standards_document(found, today())})


@bp.get("/<slug>")
def list_items(slug: str):
    dataset = _dataset(slug)
    args = request.args
    unknown = sorted(set(args) - RESERVED - {f.name for f in dataset.filters})
    if unknown:
        raise ValidationError(_("Unknown parameter %(name)s. This collection accepts: %(known)s.",
                                name=unknown[0][:80],
                                known=", ".join(["limit", "cursor", *(f.name for f in dataset.filters)])))
    limit = pagination.parse_limit(args.get("limit"))
    after = pagination.decode_cursor(args.get("cursor"), len(dataset.key))
    filters = {f.name: pagination.parse_filter_value(f, args[f.name]) for f in dataset.filters if f.name in args}
    rows, last_key = queries.page(dataset, filters, after, limit)
    next_url = None
    if last_key is not None:
        next_url = url_for("api.list_items", slug=slug, _external=True,
                           **{**args.to_dict(), "cursor": pagination.encode_cursor(last_key)})
    return _json({
        "data": rows,
        "links": {"self": request.url, "next": next_url},
        "meta": {"limit": limit, "count": len(rows)},
    })


@bp.get("/<slug>/<key>")
def show_item(slug: str, key: str):
    dataset = _dataset(slug)
    value = key.strip().upper() if dataset.lookup == "reference" else key
    if dataset.lookup_column.type == "integer":
        value = pagination.whole_number(key, pagination.MAX_ID)
        if value is None:
            raise NotFound(_("There is no item with that identifier."))
    row = queries.item(dataset, value) if len(value if isinstance(value, str) else "") <= 100 else None
    if row is None:
        raise NotFound(_("There is no item with that identifier."))
    return _json({"data": row})
