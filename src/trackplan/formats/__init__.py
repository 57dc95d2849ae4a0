"""External plan formats. Each module offers `detect(doc) -> bool` (for JSON formats) and
`read(source: InputFile) -> Incoming`; `read_plan` picks the format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from trackplan.errors import InputError
from trackplan.formats.base import Incoming, InputFile
from trackplan.memory import building

FORMATS = ("avo-csv", "avo-json", "jsonschema", "itly", "segment", "snowplow", "trackplan")
EXPORT_FORMATS = (
    "avo-json",
    "jsonschema",
    "itly",
    "csv",
    "ndjson",
    "snowplow",
    "segment",
    "trackplan",
    "markdown",
    "html",
)
MAX_BYTES = 32 * 1024 * 1024


def read_input(path: str, stdin: Any = None, max_bytes: int = MAX_BYTES) -> tuple[bytes, str]:
    """Read an input file (or `-` for stdin) without ever holding more than `max_bytes`."""
    if path == "-":
        data = stdin.read(max_bytes + 1) if stdin is not None else b""
        name = "<stdin>"
    else:
        file = Path(path)
        if file.is_dir():
            return b"", path
        try:
            size = file.stat().st_size
            if size > max_bytes:
                raise InputError(
                    f"{path}: file is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB "
                    "(raise it with --max-bytes)"
                )
            data = file.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror}") from None
        name = path
    if len(data) > max_bytes:
        raise InputError(f"{name}: input exceeds {max_bytes / 1e6:.0f} MB (raise it with --max-bytes)")
    return data, name


def detect(source: InputFile) -> str:
    """The format of an input, from its shape."""
    if source.is_dir:
        return "snowplow"
    if not source.is_json:
        return "trackplan" if source.name.endswith((".yaml", ".yml")) else "avo-csv"
    doc = source.json
    from trackplan.formats import avo_json, itly, jsonschema, segment, snowplow

    detectors: list[tuple[str, Callable[[Any], bool]]] = [
        ("trackplan", _is_bundle),
        ("jsonschema", jsonschema.detect),
        ("snowplow", snowplow.detect),
        ("segment", segment.detect),
        ("itly", itly.detect),
        ("avo-json", avo_json.detect),
    ]
    for fmt, matches in detectors:
        if matches(doc):
            return fmt
    raise InputError(f"{source.name}: cannot tell the format of this JSON (expected {', '.join(FORMATS)}); pass --from")


def _is_bundle(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("format") == "trackplan-bundle"


def read_plan(data: bytes, name: str, fmt: str = "auto") -> Incoming:
    return read_source(InputFile(data, name), fmt)


def read_source(source: InputFile, fmt: str = "auto") -> Incoming:
    """The incoming plan of an input whose JSON (if any) the caller may also look at."""
    if fmt == "auto":
        fmt = detect(source)
    from trackplan.formats import avo_csv, avo_json, bundle, itly, jsonschema, segment, snowplow

    readers: dict[str, Callable[[InputFile], Incoming]] = {
        "avo-csv": avo_csv.read,
        "avo-json": avo_json.read,
        "jsonschema": jsonschema.read,
        "itly": itly.read,
        "segment": segment.read,
        "snowplow": snowplow.read,
        "trackplan": bundle.read,
    }
    with building():
        incoming = readers[fmt](source)
    incoming.format = fmt
    return incoming
