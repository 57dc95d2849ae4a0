"""The shipped JSON Schema of a tracking-plan file, and the findings it gives on a document."""

from __future__ import annotations

import functools
import json
from importlib.resources import files
from typing import Any

SCHEMA_BYTES = (files("trackplan.trackingplans") / "tracking-plan.schema.json").read_bytes()
SCHEMA: dict[str, Any] = json.loads(SCHEMA_BYTES)


@functools.cache
def _validator() -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(SCHEMA)


def schema_errors(doc: Any) -> list[tuple[str, str]]:
    """(field path, message) for every place `doc` breaks the file format, sorted by field."""
    errors = []
    for error in _validator().iter_errors(doc):
        where = ".".join(str(part) for part in error.instance_path) or "document"
        errors.append((where, error.message))
    return sorted(errors)
