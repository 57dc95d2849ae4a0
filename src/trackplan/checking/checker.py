"""Analytics QA: validate real event payloads against the plan.

`Checker(plan).check(payload)` is the library entry point. It is pickle-safe (compiled
validators are rebuilt lazily after unpickling), so it runs inside Spark, Beam or Kafka
consumers. Validators are compiled once per event schema with jsonschema-rs, asserting
`format` (email, date-time, uri, ...) unless told not to; the error messages name the JSON
path of each failure, and an enum error lists every allowed value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trackplan.checking.fast import FastPath
from trackplan.formats.base import plain_schema
from trackplan.model import Event, Plan
from trackplan.model.frozen import thaw

DRAFT = "https://json-schema.org/draft/2020-12/schema"
IGLU = re.compile(r"^iglu:([^/]+)/([^/]+)/jsonschema/([0-9]+-[0-9]+-[0-9]+)$")


@dataclass(frozen=True, slots=True)
class Payload:
    """What a payload says, whatever its shape."""

    shape: str  # segment-track, segment-identify, segment-group, amplitude, snowplow, plain
    event: str | None
    properties: Any
    user_properties: Any = None


@dataclass(slots=True)
class CheckResult:
    shape: str
    event: str | None
    known: bool
    valid: bool
    errors: list[tuple[str, str]] = field(default_factory=list)  # (JSON path, message)
    sent: Any = ()  # the property names sent (a dict's keys view is enough)


def read_payload(doc: Any) -> Payload | None:
    """Detect the shape of one payload (None if it is none of the known ones)."""
    if not isinstance(doc, dict):
        return None
    kind = doc.get("type")
    if kind in ("track", "identify", "group") and ("event" in doc or kind != "track"):
        if kind == "track":
            return Payload("segment-track", str(doc.get("event")), doc.get("properties") or {})
        return Payload(f"segment-{kind}", f"${kind}", doc.get("traits") or {})
    if "event_type" in doc:
        return Payload(
            "amplitude", str(doc["event_type"]), doc.get("event_properties") or {}, doc.get("user_properties")
        )
    schema = doc.get("schema")
    if isinstance(schema, str) and schema.startswith("iglu:") and "data" in doc:
        return Payload("snowplow", schema, doc.get("data"))
    if "event" in doc:
        return Payload("plain", str(doc["event"]), doc.get("properties") or {})
    return None


def _no_remote_refs(uri: str) -> Any:
    raise ValueError(f"$ref {uri!r} is outside the plan; only local refs (#/...) are followed")


def _closed(schema: dict[str, Any]) -> dict[str, Any]:
    return {"$schema": DRAFT, **schema}


class Checker:
    """Validates payloads against one plan. Pickle-safe."""

    def __init__(self, plan: Plan, *, formats: bool = True) -> None:
        self.formats = formats  # assert `format` keywords
        self.schemas: dict[str, dict[str, Any]] = {}
        self.user_schemas: dict[str, dict[str, Any]] = {}
        self.properties: dict[str, tuple[str, ...]] = {}
        self.iglu: dict[str, str] = {}  # "vendor/name/version" -> the event checked (or "event@version")
        for event in plan.events:
            self._add(event.name, event)
            self._add_iglu(event, str(event.extra.get("x-vendor") or plan.settings.get("vendor") or ""))
        for name, traits in (("$identify", plan.identify), ("$group", plan.group)):
            if traits is not None:
                self._add(name, traits)
        self._compiled: dict[str, Any] = {}
        self._quick: dict[str, Callable[[Any], bool]] = {}  # event name -> its compiled is_valid
        self._fast: FastPath | None = None

    def _add_iglu(self, event: Event, vendor: str) -> None:
        """A Snowplow payload names its schema's version: the event checks the newest, and each
        earlier version an import kept (`x-iglu-earlier`) checks payloads of that version."""
        from trackplan.formats.snowplow import iglu_name

        key = f"{vendor}/{iglu_name(event)}"
        self.iglu[f"{key}/{event.version or '1-0-0'}"] = event.name
        for earlier in event.extra.get("x-iglu-earlier", ()):
            schema = {k: v for k, v in thaw(earlier).items() if k not in ("$schema", "self")}
            version = str(earlier["self"]["version"])
            name = f"{event.name}@{version}"
            self.schemas[name] = schema
            self.properties[name] = tuple(schema.get("properties") or ())
            self.iglu[f"{key}/{version}"] = name

    def _add(self, name: str, event: Event) -> None:
        schema = plain_schema(event)
        user = [p for p in event.properties if p.send_as == "UserProperty"]
        if user and not name.startswith("$"):
            # Amplitude sends user properties apart from event properties.
            user_names = {p.name for p in user}
            self.user_schemas[name] = {
                "type": "object",
                "properties": {k: v for k, v in schema["properties"].items() if k in user_names},
            }
        self.schemas[name] = schema
        self.properties[name] = tuple(p.name for p in event.properties)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_compiled"] = {}
        state["_quick"] = {}
        state["_fast"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def fast_path(self) -> FastPath:
        """The msgspec pass that accepts valid payloads of the events compiled so far."""
        if self._fast is None:
            self._fast = FastPath(self._is_valid_for, self.formats)
        return self._fast

    def _is_valid_for(self, schema: dict[str, Any]) -> Callable[[Any], bool]:
        """jsonschema-rs's is_valid for a part of an event's schema, compiled as the event's is."""
        import jsonschema_rs

        validator = jsonschema_rs.validator_for(
            _closed(schema), retriever=_no_remote_refs, validate_formats=self.formats
        )
        return validator.is_valid

    def _validator(self, key: str, schema: dict[str, Any]) -> Any:
        """The compiled validator, or the one-line reason the plan's schema cannot be used (it
        does not compile, or a `$ref` leaves the plan: plan data must not make a CI runner
        read local files or the network)."""
        validator = self._compiled.get(key)
        if validator is None:
            import jsonschema_rs

            try:
                validator = jsonschema_rs.validator_for(
                    _closed(schema), retriever=_no_remote_refs, validate_formats=self.formats
                )
            except (ValueError, TypeError, OverflowError) as exc:
                reason = str(exc).split("\n", 1)[0]
                validator = f"the plan's schema for {key.split('#')[0]!r} cannot be used: {reason}"
            else:
                if key in self.schemas:  # the whole event's schema: what quick_check uses
                    self._quick[key] = validator.is_valid
                    self.fast_path().add(key, schema, self.properties[key])
            self._compiled[key] = validator
        return validator

    def quick_check(self, doc: Any) -> str | None:
        """The event of a Segment track or plain {event, properties} payload whose properties
        are valid, found without building a CheckResult (most payloads are such); None when
        `check` has more to say, or has not yet compiled that event's validator."""
        if type(doc) is not dict:
            return None
        kind = doc.get("type")
        if kind is None:
            if "event_type" in doc or "schema" in doc:
                return None
        elif kind != "track":
            return None
        name = doc.get("event")
        is_valid = self._quick.get(name) if type(name) is str else None
        properties = doc.get("properties")
        if is_valid is None or type(properties) is not dict or not is_valid(properties):
            return None
        return name

    def event_name(self, payload: Payload) -> str | None:
        if payload.shape == "snowplow":
            match = IGLU.match(payload.event or "")
            return self.iglu.get("/".join(match.groups())) if match else None
        return payload.event if payload.event in self.schemas else None

    def check(self, doc: Any) -> CheckResult:
        payload = doc if isinstance(doc, Payload) else read_payload(doc)
        if payload is None:
            return CheckResult(
                "unknown",
                None,
                False,
                False,
                [("$", "not a Segment, Amplitude, Snowplow or {event, properties} payload")],
            )
        name = self.event_name(payload)
        if name is None:
            return CheckResult(payload.shape, payload.event, False, False)
        result = CheckResult(payload.shape, name, True, True)
        if isinstance(payload.properties, dict):
            result.sent = payload.properties.keys()
        schema = self.schemas[name]
        user_schema = self.user_schemas.get(name)
        if payload.shape == "amplitude" and user_schema is not None:
            # User properties travel in user_properties: check them there, not in event_properties.
            user_names = set(user_schema["properties"])
            event_schema = {
                **schema,
                "properties": {k: v for k, v in schema["properties"].items() if k not in user_names},
            }
            if "required" in schema:
                event_schema["required"] = [r for r in schema["required"] if r not in user_names]
            self._validate(f"{name}#event", event_schema, payload.properties, "$.event_properties", result)
            if payload.user_properties is not None:
                self._validate(f"{name}#user", user_schema, payload.user_properties, "$.user_properties", result)
                if isinstance(payload.user_properties, dict):
                    result.sent = [*result.sent, *payload.user_properties]
        else:
            where = {
                "segment-track": "$.properties",
                "plain": "$.properties",
                "snowplow": "$.data",
                "amplitude": "$.event_properties",
            }.get(payload.shape, "$.traits")
            self._validate(name, schema, payload.properties, where, result)
        return result

    def _validate(self, key: str, schema: dict[str, Any], instance: Any, where: str, result: CheckResult) -> None:
        validator = self._validator(key, schema)
        if isinstance(validator, str):
            result.valid = False
            result.errors.append(("$", validator))
            return
        if validator.is_valid(instance):
            return
        result.valid = False
        for error in validator.iter_errors(instance):
            path = where + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.instance_path)
            result.errors.append((path, _message(error)))


def _message(error: Any) -> str:
    """jsonschema-rs's message, but an enum error names every allowed value (its own message
    stops after two, "or 3 other candidates")."""
    options = getattr(error.kind, "options", None)
    if error.kind.name != "enum" or not isinstance(options, list) or len(options) < 2:
        return str(error.message)
    *head, last = (json.dumps(option, ensure_ascii=False) for option in options)
    return f"{json.dumps(error.instance, ensure_ascii=False)} is not one of {', '.join(head)} or {last}"
