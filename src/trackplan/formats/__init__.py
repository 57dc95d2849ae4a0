"""External plan formats, in one registry: `FORMATS` says for each format how to recognise an
input in it, how to read one (bytes or a folder -> `Incoming`) and how to write a plan in it
(-> bytes, or files), with None where trackplan only imports or only exports that format.

Each format's code lives in its own module and is imported on first use: listing the formats,
which every start of the CLI does, loads none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trackplan.errors import InputError
from trackplan.memory import building

if TYPE_CHECKING:  # not loaded at start-up: base.py brings orjson
    from trackplan.formats.base import Incoming, InputFile, WriteOptions
    from trackplan.model import Plan

    Detector = Callable[[InputFile], bool]
    Reader = Callable[[InputFile], Incoming]
    Writer = Callable[[Plan, WriteOptions], bytes]
    FolderWriter = Callable[[Plan, WriteOptions], dict[str, bytes]]


@dataclass(frozen=True)
class Format:
    """One format: whether an input is in it, how to read it, how to write a plan in it."""

    detect: Detector | None = None
    read: Reader | None = None
    write: Writer | None = None
    write_folder: FolderWriter | None = None  # a folder of files instead of one (snowplow -o DIR/)
    carries_removed: bool = False  # the written document has a place for --changed-since's removedEvents
    # "plan": a property name is one plan-wide definition (Avo's model); "event": each event
    # defines its own properties, as Segment, itly and Iglu do; None: the file carries its
    # plan's own setting (the bundle).
    property_scope: str | None = "event"
    # The format carries tracking plans (snowplow-dp, the docs): its reader gives them in
    # `Incoming.tracking_plans`, its writer gets those of the ref in `WriteOptions.tracking_plans`.
    tracking_plans: bool = False


def _lazy(module: str, function: str) -> Callable[..., Any]:
    """trackplan.formats.<module>.<function>, its module imported on the first call."""

    def call(*args: Any) -> Any:
        return getattr(import_module(f"trackplan.formats.{module}"), function)(*args)

    return call


def _json_shape(module: str) -> Detector:
    """JSON input whose document trackplan.formats.<module>.detect accepts; any other input is
    turned down without importing the module."""
    matches = _lazy(module, "detect")
    return lambda source: source.is_json and bool(matches(source.json))


def _text_file(source: InputFile) -> bool:
    return not source.is_json and not source.is_dir


def _looks_like(source: InputFile) -> str | None:
    """What an input that no format can be is: said instead of a CSV's missing columns."""
    text = source.data.lstrip()
    if text[:1] == b"<":
        return "HTML or XML"
    if source.name.endswith(".json") and not source.is_json:
        return "an empty .json file" if not text else "a .json file that is not JSON"
    return None


def _csv_file(source: InputFile) -> bool:
    return _text_file(source) and not _yaml_file(source) and _looks_like(source) is None


def _yaml_file(source: InputFile) -> bool:
    return _text_file(source) and source.name.endswith((".yaml", ".yml"))


def _data_products(source: InputFile) -> bool:
    """A snowplow-cli data products folder: one with a source-apps/ folder, or a data-products/ one."""
    folder = Path(source.name)
    return source.is_dir and ((folder / "source-apps").is_dir() or (folder / "data-products").is_dir())


def _marked(mark: bytes, module: str) -> Detector:
    """A folder, or a file holding `mark` near its top, that trackplan.formats.<module>.looks_like
    accepts; other files are turned down without importing the module."""
    looks_like = _lazy(module, "looks_like")
    return lambda source: (source.is_dir or mark in source.data[:4096]) and bool(looks_like(source))


_bundle_json = _json_shape("bundle")
_snowplow_json = _json_shape("snowplow")

# Detection tries the formats in this order and takes the first that matches: a bundle also
# has an `events` array, and so has itly, so both come before avo-json.
FORMATS: dict[str, Format] = {
    "rudderstack": Format(
        detect=_marked(b"rudder/", "rudderstack"),
        read=_lazy("rudderstack", "read"),
        write=_lazy("rudderstack", "write"),
        write_folder=_lazy("rudderstack", "write_folder"),
    ),
    "snowplow-ds": Format(
        detect=_marked(b"data-structure", "snowplow_ds"),
        read=_lazy("snowplow_ds", "read"),
        write=_lazy("snowplow_ds", "write"),
        write_folder=_lazy("snowplow_ds", "write_folder"),
    ),
    "trackplan": Format(
        detect=lambda source: _bundle_json(source) or _yaml_file(source),
        read=_lazy("bundle", "read"),
        write=_lazy("bundle", "write"),
        carries_removed=True,
        property_scope=None,
    ),
    "jsonschema": Format(
        detect=_json_shape("jsonschema"),
        read=_lazy("jsonschema", "read"),
        write=_lazy("jsonschema", "write"),
        carries_removed=True,
        property_scope="plan",
    ),
    "snowplow-dp": Format(
        detect=_data_products,
        read=_lazy("snowplow_dp", "read"),
        write=_lazy("snowplow_dp", "write"),
        write_folder=_lazy("snowplow_dp", "write_folder"),
        tracking_plans=True,
    ),
    "snowplow": Format(
        detect=lambda source: source.is_dir or _snowplow_json(source),
        read=_lazy("snowplow", "read"),
        write=_lazy("snowplow", "write"),
        write_folder=_lazy("snowplow", "write_folder"),
        carries_removed=True,
    ),
    "segment": Format(
        detect=_json_shape("segment"),
        read=_lazy("segment", "read"),
        write=_lazy("segment", "write"),
        carries_removed=True,
    ),
    "itly": Format(detect=_json_shape("itly"), read=_lazy("itly", "read"), write=_lazy("itly", "write")),
    "avo-json": Format(
        detect=_json_shape("avo_json"),
        read=_lazy("avo_json", "read"),
        write=_lazy("avo_json", "write"),
        carries_removed=True,
        property_scope="plan",
    ),
    "ampli": Format(detect=_json_shape("ampli"), read=_lazy("ampli", "read"), write=_lazy("ampli", "write")),
    # Avo's CSV is `avo-csv` to `import --from` and `csv` to `export --to`, as it always was.
    "avo-csv": Format(
        detect=_csv_file,
        read=_lazy("avo_csv", "read"),
        property_scope="plan",
    ),
    "csv": Format(write=_lazy("avo_csv", "write")),
    "ndjson": Format(write=_lazy("snowplow", "write_ndjson")),
    "markdown": Format(write=_lazy("docs", "write_markdown"), tracking_plans=True),
    "html": Format(write=_lazy("docs", "write_html"), tracking_plans=True),
}
# The formats in the order `import --from` and `export --to` list them.
IMPORT_FORMATS = (
    "avo-csv",
    "avo-json",
    "jsonschema",
    "itly",
    "ampli",
    "rudderstack",
    "segment",
    "snowplow",
    "snowplow-dp",
    "snowplow-ds",
    "trackplan",
)
EXPORT_FORMATS = (
    "avo-json",
    "jsonschema",
    "itly",
    "ampli",
    "rudderstack",
    "csv",
    "ndjson",
    "snowplow",
    "snowplow-dp",
    "snowplow-ds",
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
            _check_folder(file, max_bytes)
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


def _check_folder(folder: Path, max_bytes: int) -> None:
    """An imported folder (Iglu) holds only what is inside it, within `max_bytes` in all: a
    symlink leading out of it is refused, or its target's content would be committed."""
    top = folder.resolve()
    total = 0
    for entry in sorted(folder.rglob("*")):
        if entry.is_symlink() and not entry.resolve().is_relative_to(top):
            raise InputError(f"{entry}: a symlink to {entry.resolve()}, outside the imported folder {folder}")
        if entry.is_file():
            total += entry.stat().st_size
            if total > max_bytes:
                raise InputError(
                    f"{entry}: the folder {folder} exceeds {max_bytes / 1e6:.0f} MB (raise it with --max-bytes)"
                )


def detect(source: InputFile) -> str:
    """The format of an input, from its shape."""
    from trackplan.formats.base import UTF16_BOMS, utf8_text

    if source.data.startswith(UTF16_BOMS):
        utf8_text(source.data, source.name)  # the one message for UTF-16, whatever the format
    for name, fmt in FORMATS.items():
        if fmt.detect is not None and fmt.detect(source):
            return name
    looks = None if source.is_json or source.is_dir else _looks_like(source)
    if looks is not None:
        raise InputError(f"{source.name}: this is {looks}, not a plan (tried {', '.join(IMPORT_FORMATS)}); pass --from")
    raise InputError(
        f"{source.name}: cannot tell the format of this JSON (expected {', '.join(IMPORT_FORMATS)}); pass --from"
    )


def read_source(source: InputFile, fmt: str = "auto") -> Incoming:
    """The incoming plan of an input, in `fmt` or in the format its shape tells."""
    name = detect(source) if fmt == "auto" else fmt
    reader = FORMATS[name].read if name in FORMATS else None
    if reader is None:
        raise InputError(f"unknown import format {name!r}; use one of {', '.join(IMPORT_FORMATS)}")
    try:
        with building():
            incoming = reader(source)
    except RecursionError:
        raise InputError(f"{source.name}: nested too deeply to read") from None
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        # The readers check the shapes they know; any other wrong type is still the input's.
        raise InputError(f"{source.name}: a value of the wrong type ({type(exc).__name__}: {exc})") from None
    incoming.format = name
    return incoming
