"""JSON Schema -> event documents, with Avo's import rules.

Shared by every JSON format. `avo=True` applies the Avo Import API's normalisations
(nullable types collapsed, numeric enums coerced to strings, multipleOf 1 -> int); the
other formats keep the schema as written. Warnings use the reference's exact texts.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from trackplan.errors import InputError
from trackplan.formats.base import require
from trackplan.model import SEND_AS_VALUES, Event

JSON_TYPES = ("string", "integer", "number", "boolean", "object", "array", "null")
UNSUPPORTED_EVENT_KEYWORDS = ("patternProperties", "if", "then", "else", "not")
MAX_DEPTH = 64
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")
MAX_INLINED = 200_000
"""Nodes one schema may grow to once its $refs are inlined: a few KB of refs to refs can
otherwise expand to gigabytes (a "$ref bomb")."""
ROOT_URI = "urn:trackplan:import"


class SchemaReader:
    """Converts schemas of one input file, collecting warnings.

    Avo formats get Avo's import rules ($refs inlined, composition flattened, types and
    enums normalised); the others (itly, Segment, Snowplow) are kept as written, so they
    export back unchanged."""

    def __init__(self, source_name: str, avo: bool, root: Any = None, may_have_refs: bool = True) -> None:
        self.source_name = source_name
        self.avo = avo
        self.may_have_refs = may_have_refs  # False when the raw input has no "$ref" at all
        self.warnings: list[str] = []
        self.destination_names: dict[str, str] = {}
        self._root = root

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    # -- $ref -----------------------------------------------------------------------------------
    def inline_refs(self, schema: Any, where: str) -> Any:
        """Replace local `$ref`s by their targets. Unresolvable or circular refs are errors."""
        if not self.may_have_refs or not _has_ref(schema):
            return schema
        # Imported here: most inputs have no $ref, and referencing costs every import ~20 ms.
        from referencing import Registry, Resource
        from referencing.exceptions import Unresolvable
        from referencing.jsonschema import DRAFT202012

        resources = [schema] if self._root is None else [schema, self._root]
        resolvers = [
            Registry()
            .with_resource(ROOT_URI, Resource.from_contents(r, default_specification=DRAFT202012))
            .resolver(base_uri=ROOT_URI)
            for r in resources
            if isinstance(r, Mapping)
        ]

        def lookup(ref: str, path: str) -> Any:
            for resolver in resolvers:
                try:
                    return resolver.lookup(ref).contents
                except (Unresolvable, Exception):
                    continue
            if not self.avo and not ref.startswith("#"):
                return None  # a remote schema (e.g. Iglu's): kept as a reference
            raise InputError(
                f"{self.source_name}: unresolved $ref {ref!r} at {path}: only inline schemas "
                "and local refs (#/definitions/..., #/$defs/...) are supported"
            )

        budget = [MAX_INLINED]

        def walk(node: Any, path: str, stack: tuple[str, ...]) -> Any:
            if len(stack) > MAX_DEPTH or path.count(".") > 4 * MAX_DEPTH:
                raise InputError(f"{self.source_name}: schema nested too deeply at {path}")
            budget[0] -= 1
            if budget[0] < 0:
                raise InputError(
                    f"{self.source_name}: the $refs at {where} expand to more than {MAX_INLINED:,} schema nodes"
                )
            if isinstance(node, Mapping):
                ref = node.get("$ref")
                if isinstance(ref, str):
                    if ref in stack:
                        raise InputError(f"{self.source_name}: circular $ref {ref!r} at {path}")
                    found = lookup(ref, path)
                    if found is None:
                        return dict(node)
                    target = walk(found, path, (*stack, ref))
                    rest = {k: walk(v, f"{path}.{k}", stack) for k, v in node.items() if k != "$ref"}
                    return {**target, **rest} if isinstance(target, Mapping) else target
                return {k: walk(v, f"{path}.{k}", stack) for k, v in node.items()}
            if isinstance(node, list):
                return [walk(v, f"{path}[{i}]", stack) for i, v in enumerate(node)]
            return node

        return walk(schema, where, ())

    # -- events ---------------------------------------------------------------------------------
    def event(self, name: str, schema: Any, where: str, **meta: Any) -> Event:
        """An event from its JSON Schema plus `x-` metadata (`meta`, keys without `x-`)."""
        if not isinstance(schema, Mapping):
            raise InputError(f"{self.source_name}: {where} must be a JSON object (a schema)")
        if CONTROL_CHARACTER.search(name):
            raise InputError(f"{self.source_name}: {where}: event name {name!r} contains control characters")
        if not isinstance(schema.get("properties") or {}, Mapping):
            raise InputError(f"{self.source_name}: {where}.properties must be an object")
        if self.avo:
            # Avo's import only knows inline, flat object schemas.
            doc = self.flatten_event(name, dict(self.inline_refs(schema, where)), where)
        else:
            doc = copy.deepcopy(dict(schema))
        properties = doc.pop("properties", {}) or {}
        required = doc.pop("required", []) or []
        if not isinstance(properties, Mapping):
            raise InputError(f"{self.source_name}: {where}.properties must be an object")
        if not isinstance(required, list):
            raise InputError(f"{self.source_name}: {where}.required must be an array")
        dropped = ("title", "$schema", "$id", "type", *(("definitions", "$defs") if self.avo else ()))
        for key in dropped:
            doc.pop(key, None)
        own_description = doc.pop("description", "") or ""
        description = meta.pop("description", None) or own_description
        out: dict[str, Any] = {"title": name, "description": description}
        for key, value in meta.items():
            if value not in (None, [], ""):
                out[f"x-{key.replace('_', '-')}"] = value
        out.update({k: v for k, v in doc.items() if k not in out})
        out["properties"] = {
            str(prop): self.property(str(prop), spec, f"{where}.properties.{prop}", event=name)
            for prop, spec in properties.items()
        }
        out["required"] = [r for r in required if isinstance(r, str)]
        try:
            return Event.from_json(out)
        except ValueError as exc:
            raise InputError(f"{self.source_name}: {where}: {exc}") from None

    def flatten_event(self, name: str, schema: dict[str, Any], where: str) -> dict[str, Any]:
        """Merge allOf/oneOf/anyOf branches into one object schema, as Avo does."""
        for keyword in UNSUPPORTED_EVENT_KEYWORDS:
            if keyword in schema:
                schema.pop(keyword)
                self.warn(f"Event '{name}': '{keyword}' is not supported in import and will be skipped.")
        properties = schema.get("properties") or {}
        required = schema.get("required") or []
        # The messages (a repr of the whole value) are made only for a value that fails.
        if not isinstance(properties, Mapping):
            require(False, self.source_name, f"{where}.properties", f"expected an object, got {properties!r}")
        if not isinstance(required, list):
            require(False, self.source_name, f"{where}.required", f"expected a list, got {required!r}")
        properties, required = dict(properties), list(required)
        for keyword in ("allOf", "oneOf", "anyOf"):
            branches = schema.pop(keyword, None)
            if not isinstance(branches, list):
                continue
            if keyword != "allOf":
                self.warn(f"Event '{name}': '{keyword}' branches were merged; results may be imprecise.")
            for index, branch in enumerate(branches):
                if not isinstance(branch, Mapping):
                    continue
                flat = self.flatten_event(name, dict(branch), f"{where}.{keyword}[{index}]")
                for prop, spec in flat.get("properties", {}).items():
                    if prop in properties:
                        self.warn(f"Duplicate property '{prop}': last definition wins.")
                    properties[prop] = spec
                required.extend(r for r in flat.get("required") or [] if r not in required)
        if properties or "properties" in schema:
            schema["properties"] = properties
        if required:
            schema["required"] = required
        return schema

    # -- properties -----------------------------------------------------------------------------
    def property(self, name: str, spec: Any, where: str, event: str = "") -> dict[str, Any]:
        if spec is True or spec == {}:
            return {}
        if spec is False:  # valid JSON Schema: the property must be absent
            return {"not": {}}
        if not isinstance(spec, Mapping):
            raise InputError(f"{self.source_name}: {where} must be a JSON object (a schema)")
        out = dict(spec)  # nested values are replaced, never changed in place
        out.pop("index", None)
        if self.avo and "id" in out and isinstance(out["id"], str | int):  # Avo's property id; else draft-04's `id`
            out["x-id"] = str(out.pop("id"))
        if "nameMapping" in out:
            mapping = self.name_mapping(out.pop("nameMapping"), where)
            if mapping:
                out["x-name-mapping"] = mapping
        if "tags" in out and isinstance(out["tags"], list):
            tags = out.pop("tags")
            if tags:
                out["x-tags"] = tags
        send_as = out.pop("x-avo-sendAs", None)
        is_system = out.pop("isSystemProperty", None)
        if send_as is not None:
            if send_as not in SEND_AS_VALUES:
                self.warn(f"Invalid sendAs value {send_as}; defaulting to EventProperty")
                send_as = "EventProperty"
        elif is_system is True:
            send_as = "SystemProperty"
        if send_as and send_as != "EventProperty":
            out["x-send-as"] = send_as
        for keyword in ("oneOf", "anyOf"):
            if keyword in out and self.avo:
                out.pop(keyword)
                out.pop("type", None)
                self.warn(f"Property '{name}': '{keyword}' is not supported; defaulting to type 'any'.")
        self._type(out, f"Event '{event}', property '{name}'")
        if self.avo:
            if out.get("type") == "number" and out.get("multipleOf") == 1:
                out["type"] = "integer"
                out.pop("multipleOf")
            self._coerce_enum(out)
            items = out.get("items")
            if isinstance(items, Mapping):
                items = out["items"] = dict(items)
                self._type(items)
                self._coerce_enum(items)
        return out

    def _type(self, spec: dict[str, Any], owner: str = "") -> None:
        kind = spec.get("type")
        if kind is None:
            return
        kinds = kind if isinstance(kind, list) else [kind]
        unknown = [k for k in kinds if k not in JSON_TYPES]
        for k in unknown:
            if self.avo or not owner:  # Avo's import says it so, and once
                self.warn(f"Unsupported JSON Schema type: '{k}'. Defaulting to 'any'.")
            else:
                self.warn(f"{owner}: type '{k}' is not a JSON Schema type; left out, so any value is accepted.")
        if unknown:
            spec.pop("type")
            return
        if not self.avo:
            return
        non_null = [k for k in kinds if k != "null"]
        if len(non_null) == 1:
            spec["type"] = non_null[0]
        else:
            spec.pop("type")  # null alone, or several types: any

    def _coerce_enum(self, spec: dict[str, Any]) -> None:
        values = spec.get("enum")
        if not isinstance(values, list):
            return
        coerced = []
        for value in values:
            if isinstance(value, bool):
                text = "true" if value else "false"
                self.warn(f"Boolean enum value '{text}' coerced to string")
                coerced.append(text)
            elif isinstance(value, int | float):
                self.warn(f"Numeric enum value {value} coerced to string")
                coerced.append(str(value))
            else:
                coerced.append(value)
        spec["enum"] = coerced

    def name_mapping(self, value: Any, where: str) -> list[dict[str, str]]:
        if not isinstance(value, list):
            raise InputError(f"{self.source_name}: {where}.nameMapping must be an array")
        out = []
        for item in value:
            if isinstance(item, Mapping) and item.get("name"):
                destination = item.get("destination") or item.get("destinationId") or ""
                destination = self.destination_names.get(str(destination), str(destination))
                out.append({"name": str(item["name"]), "destination": destination})
        return out


def _has_ref(node: Any) -> bool:
    if isinstance(node, Mapping):
        return "$ref" in node or any(_has_ref(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_ref(v) for v in node)
    return False
