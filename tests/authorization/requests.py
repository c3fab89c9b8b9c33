"""Turning an operation into a request: path parameters from the world, required query
parameters by name, and a body.

Bodies: the role gate runs before FastAPI validates the body, so a forbidden role answers 403
whatever it sends. The area check runs in the service, after validation, so a write on another
area's record must carry a body that validates: the matrix builds the smallest one the OpenAPI
schema allows (required fields only), or takes it from `BODIES` where the schema alone cannot
produce a valid one. A 422 there fails the matrix and says to add a body to `BODIES`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.authorization.operations import Operation
from tests.authorization.world import YEAR, World, path_value
from tests.funds.rules.support import rules_body
from tests.support.identities import CITY, VILLAGE

QUERY_VALUES = {
    "area": CITY,
    "level": "village",
    "year": str(YEAR),
    "from": f"{YEAR}-01",
    "to": f"{YEAR}-12",
}

SAMPLE_DATE = f"{YEAR}-06-01"

# Valid bodies for writes whose schema alone does not give one ("<app> <METHOD> <path>").
BODIES: dict[str, Callable[[World], Any]] = {
    "funds PUT /api/v1/fund-rules/{province_code}/{year}": lambda _: rules_body(YEAR),
    # the measure's code is checked against the code list before the household is looked up
    "monitoring POST /api/v1/households/{household_id}/measures": lambda _: {
        "measure": "industry",
        "started_on": SAMPLE_DATE,
    },
    # amounts are decimal strings with a pattern the schema-built "x" does not meet
    "employment POST /api/v1/loans/{loan_id}/repayments": lambda _: {
        "paid_on": SAMPLE_DATE,
        "amount": "100.00",
    },
}


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    params: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    content: bytes | None = None


def call_for(operation: Operation, world: World, identity: dict[str, str]) -> Call:
    url = operation.path
    for name in operation.path_params:
        url = url.replace("{" + name + "}", path_value(world, name, operation.path))
    params = {name: _query_value(operation, name) for name in operation.required_query}
    headers = dict(identity)
    if operation.method == "POST":
        headers["Idempotency-Key"] = str(uuid.uuid4())
    if operation.method in ("PATCH", "PUT", "DELETE", "POST"):
        headers["If-Match"] = '"1"'
    if operation.body_media is None:
        return Call(operation.method, url, params, headers)
    if operation.body_media == "multipart/form-data":
        # A well-formed form without parts: the gates answer before the missing parts do.
        headers["Content-Type"] = "multipart/form-data; boundary=matrix"
        return Call(operation.method, url, params, headers, content=b"--matrix--\r\n")
    if operation.body_media != "application/json":
        headers["Content-Type"] = operation.body_media
        return Call(operation.method, url, params, headers, content=b"")
    if operation.key in BODIES:
        body = BODIES[operation.key](world)
    else:
        body = example(operation.body_schema or {}, _components(operation))
    return Call(operation.method, url, params, headers, json=body)


def _query_value(operation: Operation, name: str) -> str:
    if name not in QUERY_VALUES:
        raise AssertionError(
            f"The required query parameter `{name}` of {operation.key} is unknown to the "
            "authorization matrix: give it a value in QUERY_VALUES "
            "(tests/authorization/requests.py)."
        )
    return QUERY_VALUES[name]


_COMPONENTS: dict[str, dict[str, Any]] = {}


def use_components(app: str, document: dict[str, Any]) -> None:
    _COMPONENTS[app] = document.get("components", {}).get("schemas", {})


def _components(operation: Operation) -> dict[str, Any]:
    return _COMPONENTS.get(operation.app, {})


def example(schema: dict[str, Any], components: dict[str, Any], name: str = "") -> Any:
    """The smallest value the schema accepts: required properties only, first options."""
    if "$ref" in schema:
        return example(components[schema["$ref"].rsplit("/", 1)[-1]], components, name)
    for key in ("example", "default", "const"):
        if key in schema and schema[key] is not None:
            return schema[key]
    if schema.get("examples"):
        return schema["examples"][0]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        options = [option for option in schema.get(key, []) if option.get("type") != "null"]
        if options:
            return example(options[0], components, name)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {
            prop: example(properties[prop], components, prop) for prop in schema.get("required", [])
        }
    if kind == "array":
        item = example(schema.get("items", {}), components, name)
        return [item] * int(schema.get("minItems", 0))
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    return _string(schema, name)


def _string(schema: dict[str, Any], name: str) -> str:
    fmt = schema.get("format")
    if fmt == "date":
        return SAMPLE_DATE
    if fmt == "date-time":
        return f"{SAMPLE_DATE}T00:00:00Z"
    if fmt == "uuid":
        return str(uuid.uuid4())
    if name.endswith("area_code") or name == "area":
        return VILLAGE
    return "x" * max(1, int(schema.get("minLength", 1)))
