"""The OpenAPI 3.1 document, generated from the datasets so it always says what the API serves."""
from flask import current_app, url_for
from flask_babel import gettext as _

from app.api.pagination import DEFAULT_LIMIT, MAX_ID, MAX_LIMIT, cursor_pattern
from app.commitments.models import CommitmentState, ImplementationStatus
from app.maps.geojson import MAP_LIMIT
from app.plans.queries import guarantor, open_data_licence
from app.proposals.models import ProposalState

PROBLEM = {"$ref": "#/components/responses/Problem"}


def _item_schema(dataset) -> dict:
    return {
        "type": "object",
        "properties": {c.name: {**c.json_schema(), "description": str(c.meaning)} for c in dataset.columns},
        "required": dataset.column_names,
        "additionalProperties": False,
    }


def _filter_parameter(f) -> dict:
    if f.type == "integer":
        schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    elif f.type == "enum":
        schema = {"type": "string", "enum": list(f.choices)}
    else:
        schema = {"type": "string", "maxLength": 200}
    return {"name": f.name, "in": "query", "required": False, "description": str(f.meaning), "schema": schema}


def _errors(*codes) -> dict:
    return {str(code): PROBLEM for code in codes}


def _json_ok(description: str, schema: dict) -> dict:
    return {
        "description": description,
        "headers": {"ETag": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": schema}},
    }


def _cursor_parameter(width: int) -> dict:
    return {"name": "cursor", "in": "query", "required": False,
            "description": _("Where the page starts: the cursor in links.next of the previous page (the key "
                             "of that page's last row; the page holds the rows after it)."),
            "schema": {"type": "string", "pattern": cursor_pattern(width)}}


def _paths(dataset) -> dict:
    name = "".join(part.title() for part in dataset.slug.split("-"))
    item_ref = {"$ref": f"#/components/schemas/{name}"}
    lookup_type = {"type": "integer", "minimum": 1, "maximum": MAX_ID} if dataset.lookup_column.type == "integer" \
        else {"type": "string", "minLength": 1, "maxLength": 100}
    list_path = f"/api/v1/{dataset.slug}"
    return {
        list_path: {"get": {
            "operationId": f"list{name}",
            "summary": str(dataset.title),
            "description": str(dataset.description),
            "tags": [dataset.slug],
            "parameters": [
                {"$ref": "#/components/parameters/limit"},
                _cursor_parameter(len(dataset.key)),
                *(_filter_parameter(f) for f in dataset.filters),
            ],
            "responses": {
                "200": _json_ok(_("One page of the collection."), {
                    "type": "object",
                    "required": ["data", "links", "meta"],
                    "properties": {
                        "data": {"type": "array", "items": item_ref},
                        "links": {"$ref": "#/components/schemas/Links"},
                        "meta": {"$ref": "#/components/schemas/Meta"},
                    },
                }),
                "304": {"description": _("Not modified since the ETag given in If-None-Match.")},
                **_errors(400, 404, 429),
            },
        }},
        f"{list_path}/{{{dataset.lookup}}}": {"get": {
            "operationId": f"get{name}",
            "summary": str(dataset.title),
            "tags": [dataset.slug],
            "parameters": [{"name": dataset.lookup, "in": "path", "required": True, "schema": lookup_type}],
            "responses": {
                "200": _json_ok(_("One item."), {
                    "type": "object", "required": ["data"], "properties": {"data": item_ref}}),
                "304": {"description": _("Not modified since the ETag given in If-None-Match.")},
                **_errors(400, 404, 429),
            },
        }},
    }


def _feature_schema(id_schema: dict, properties: dict) -> dict:
    return {
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"const": "Feature"},
            "id": id_schema,
            "geometry": {"$ref": "#/components/schemas/Point"},
            "properties": {
                "type": "object",
                "required": ["title", "url", "state", "state_label", "place", *properties],
                "properties": {
                    "title": {"type": "string"},
                    "url": {"type": "string", "format": "uri"},
                    "state": {"type": "string"},
                    "state_label": {"type": "string"},
                    "place": {"type": "string"},
                    **properties,
                },
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    }


def _geojson_schemas() -> dict:
    proposal = _feature_schema({"type": "string"}, {})
    proposal["properties"]["properties"]["properties"]["state"]["enum"] = [s.value for s in ProposalState]
    commitment = _feature_schema({"type": "integer", "minimum": 1},
                                 {"status": {"type": "string", "enum": [s.value for s in ImplementationStatus]}})
    commitment["properties"]["properties"]["properties"]["state"]["enum"] = [s.value for s in CommitmentState]
    return {
        "Point": {
            "type": "object",
            "required": ["type", "coordinates"],
            "properties": {
                "type": {"const": "Point"},
                "coordinates": {"type": "array", "minItems": 2, "maxItems": 2,
                                "prefixItems": [{"type": "number", "minimum": -180, "maximum": 180},
                                                {"type": "number", "minimum": -90, "maximum": 90}],
                                "items": {"type": "number"}},
            },
            "additionalProperties": False,
        },
        "ProposalFeature": proposal,
        "CommitmentFeature": commitment,
    }


def _plan_parameter(where: str, description: str) -> dict:
    """A plan named by its slug: in the path (required) or the query string (optional)."""
    return {"name": "plan", "in": where, "required": where == "path", "description": description,
            "schema": {"type": "string", "minLength": 1, "maxLength": 200}}


def _geojson_path(name: str, summary: str, description: str) -> dict:
    return {"get": {
        "operationId": f"map{name}s",
        "summary": summary,
        "description": description,
        "tags": ["maps"],
        "parameters": [_plan_parameter("query", _("The plan's short name (slug); the current plan when it "
                                                  "is not given."))],
        "responses": {
            "200": {
                "description": _("A GeoJSON FeatureCollection (RFC 7946): one Point feature per item."),
                "headers": {"ETag": {"schema": {"type": "string"}}},
                "content": {"application/geo+json": {"schema": {
                    "type": "object",
                    "required": ["type", "features"],
                    "properties": {
                        "type": {"const": "FeatureCollection"},
                        "features": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}Feature"}},
                    },
                    "additionalProperties": False,
                }}},
            },
            "304": {"description": _("Not modified since the ETag given in If-None-Match.")},
            **_errors(400, 404, 429),
        },
    }}


def _geojson_paths() -> dict:
    return {
        "/api/v1/proposals.geojson": _geojson_path(
            "Proposal", _("Map of proposals"),
            _("The plan's public proposals that have a location, withdrawn ones left out, newest "
              "first (at most %(max)d).", max=MAP_LIMIT)),
        "/api/v1/commitments.geojson": _geojson_path(
            "Commitment", _("Map of commitments"),
            _("The plan's commitments in consultation or in force that have a location (at most "
              "%(max)d).", max=MAP_LIMIT)),
    }


def _standards_schemas() -> dict:
    count = {"type": "integer", "minimum": 0}
    return {
        "StandardsFigure": {
            "type": "object",
            "required": ["key", "title", "rule", "met", "done", "total", "rate", "falling_short",
                         "falling_short_count", "source"],
            "properties": {
                "key": {"type": "string", "description": _("The figure's name, the same in every plan.")},
                "title": {"type": "string"},
                "rule": {"type": "string", "description": _("What the figure counts, and when it is met.")},
                "met": {"type": "boolean"},
                "done": count,
                "total": count,
                "rate": {"type": ["integer", "null"], "minimum": 0, "maximum": 100,
                         "description": _("done as a percentage of total; null when there is nothing to count.")},
                "falling_short": {"type": "array", "items": {
                    "type": "object", "required": ["label", "path"],
                    "properties": {"label": {"type": "string"}, "path": {"type": "string"}},
                    "additionalProperties": False}},
                "falling_short_count": count,
                "source": {"type": "string", "description": _("The page that lists every item the figure counts.")},
            },
            "additionalProperties": False,
        },
        "PlanStandards": {
            "type": "object",
            "required": ["plan", "computed_on", "figures"],
            "properties": {
                "plan": {"type": "object", "required": ["id", "slug", "name"],
                         "properties": {"id": {"type": "integer"}, "slug": {"type": "string"},
                                        "name": {"type": "string"}},
                         "additionalProperties": False},
                "computed_on": {"type": "string", "format": "date"},
                "figures": {"type": "array", "items": {"$ref": "#/components/schemas/StandardsFigure"}},
            },
            "additionalProperties": False,
        },
    }


def _standards_path() -> dict:
    return {"/api/v1/plans/{plan}/standards": {"get": {
        "operationId": "planStandards",
        "summary": _("Co-creation standards of a plan"),
        "description": _("How the plan meets the minimum requirements of OGP's Participation and Co-Creation "
                         "Standards, computed today from the platform's data (the plan's standards page)."),
        "tags": ["standards"],
        "parameters": [_plan_parameter("path", _("The plan's short name (slug)."))],
        "responses": {
            "200": _json_ok(_("The figures."), {
                "type": "object", "required": ["data"],
                "properties": {"data": {"$ref": "#/components/schemas/PlanStandards"}},
                "additionalProperties": False}),
            "304": {"description": _("Not modified since the ETag given in If-None-Match.")},
            **_errors(404, 429),
        },
    }}}


def document(datasets) -> dict:
    paths: dict = {}
    schemas: dict = {
        "Problem": {
            "type": "object",
            "required": ["type", "title", "status"],
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
            },
        },
        "Links": {
            "type": "object",
            "required": ["self", "next"],
            "properties": {"self": {"type": "string"}, "next": {"type": ["string", "null"]}},
        },
        "Meta": {
            "type": "object",
            "required": ["limit", "count"],
            "properties": {"limit": {"type": "integer"}, "count": {"type": "integer"}},
        },
    }
    for dataset in datasets:
        paths.update(_paths(dataset))
        schemas["".join(part.title() for part in dataset.slug.split("-"))] = _item_schema(dataset)
    paths.update(_geojson_paths())
    schemas.update(_geojson_schemas())
    paths.update(_standards_path())
    schemas.update(_standards_schemas())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": _("%(site)s open data API", site=current_app.config["SITE_NAME"]),
            "version": "1.0.0",
            "description": _("Read-only access to everything public on the platform. Collections are paginated "
                             "with a cursor (links.next); responses carry an ETag, and a request with "
                             "If-None-Match gets 304 when nothing changed. Errors are application/problem+json."),
            "license": {key: value for key, value in open_data_licence().items() if value},
            "contact": {"name": guarantor().name, "email": guarantor().email},
        },
        "servers": [{"url": url_for("plans.home", _external=True).rstrip("/") or "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "limit": {"name": "limit", "in": "query", "required": False,
                          "description": _("Rows per page (at most %(max)d).", max=MAX_LIMIT),
                          "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                     "default": DEFAULT_LIMIT}},
            },
            "responses": {
                "Problem": {
                    "description": _("An error, described as application/problem+json."),
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
                },
            },
        },
    }
