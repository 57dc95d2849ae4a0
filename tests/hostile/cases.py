"""The hostile-input corpus, generated: one `Case` per input, grouped in the classes of issue 12.

Inputs are built here from the good examples (tests/data/import/good) and the plan template,
never kept as files: a case is what is done to a plan repository (`setup`, before the
snapshot) and the command lines run against it. Mutations are sampled with a fixed seed,
so every run tries the same inputs.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import DATA

GOOD = DATA / "import" / "good"
JSON_EXAMPLES = {"avo-json": "avo-export.json", "jsonschema": "standard.json", "itly": "itly.json"}
CSV_EXAMPLES = ("ultimate.csv", "amplitude.csv", "mixpanel.csv", "segment-protocols.csv")
SAMPLE = random.Random(12)  # deterministic sampling: the same corpus every run
MUTATIONS_PER_FORMAT = 30
FIELD_NAMING_FORMATS = {"avo-json", "itly"}

Setup = Callable[[Path], None]


@dataclass
class Case:
    kind: str
    name: str
    runs: list[list[str]]  # command lines, after `-C <plan>`
    names: tuple[str, ...]  # an error line must name one of these (a file, a field, an option)
    setup: Setup | None = None
    inputs: dict[str, bytes] = field(default_factory=dict)  # files written beside the plan first


def git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}
    done = subprocess.run(["git", *args], cwd=repo, input=stdin, capture_output=True, check=True, env=env)
    return done.stdout.decode()


def import_runs(file: str, *extra: str) -> list[list[str]]:
    """A dry run and a real import into a new branch (the checked-out one must not move)."""
    file = f"../{file}"  # inputs sit beside the plan; commands run inside it
    return [
        ["import", file, "--dry-run", "--branch", "hostile/dry", *extra],
        ["import", file, "--branch", "hostile/in", *extra],
    ]


# -- inputs ---------------------------------------------------------------------------------
def truncated() -> Iterator[Case]:
    for fmt, example in (*JSON_EXAMPLES.items(), *(("avo-csv", c) for c in CSV_EXAMPLES[:2])):
        data = (GOOD / example).read_bytes()
        for cut in (1, len(data) // 3, len(data) // 2, len(data) - 2):
            yield Case("truncated", f"{fmt}-{cut}", import_runs("in.dat"), ("in.dat",), inputs={"in.dat": data[:cut]})


def _paths(node: object, path: tuple[object, ...] = ()) -> Iterator[tuple[object, ...]]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*path, i))


def _replaced(doc: object, path: tuple[object, ...], value: object) -> object:
    if not path:
        return value
    copy = json.loads(json.dumps(doc))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy


def wrong_types() -> Iterator[Case]:
    for fmt, example in JSON_EXAMPLES.items():
        doc = json.loads((GOOD / example).read_bytes())
        paths = list(_paths(doc))
        for i, path in enumerate(sorted(SAMPLE.sample(paths, min(MUTATIONS_PER_FORMAT, len(paths))), key=str)):
            value: object = (5, "x", [], None, {"a": 1}, True)[i % 6]
            data = json.dumps(_replaced(doc, path, value)).encode()
            yield Case(
                "wrong types",
                f"{fmt}:{'/'.join(map(str, path))}={value!r}",
                import_runs("in.json", "--from", fmt),
                _named_field(fmt, path),
                inputs={"in.json": data},
            )


def _named_field(fmt: str, path: tuple[object, ...]) -> tuple[str, ...]:
    """What an error about a value at `path` must name: the event it is in, where the reader
    knows the field (Avo JSON and itly name the JSON path), else the file."""
    if fmt in FIELD_NAMING_FORMATS and len(path) >= 2 and path[0] == "events":
        return (f"in.json: events[{path[1]}]",)
    return ("in.json",)


def recursion() -> Iterator[Case]:
    """Built as text: the nesting is deeper than Python's own JSON encoder goes."""
    deep_props = '{"type": "object", "properties": {"p": ' * 300 + '{"type": "string"}' + "}}" * 300
    deep_enum = '{"enum": [' + "[" * 1000 + '"x"' + "]" * 1000 + "]}"
    for name, prop in (("properties-300", deep_props), ("enum-1000", deep_enum)):
        data = '{"schema": {"events": {"Deep": {"type": "object", "properties": {"p": ' + prop + "}}}}}"
        yield Case("recursion", name, import_runs("in.json"), ("in.json",), inputs={"in.json": data.encode()})
    nested = ("[" * 5000 + "]" * 5000).encode()
    yield Case("recursion", "json-5000", import_runs("in.json"), ("in.json",), inputs={"in.json": nested})


def huge_strings() -> Iterator[Case]:
    big = "x" * 2_000_000
    standard = {"schema": {"events": {big[:300_000]: {"type": "object", "description": big}}}}
    yield Case(
        "huge strings",
        "name-and-description",
        import_runs("in.json"),
        ("in.json",),
        inputs={"in.json": json.dumps(standard).encode()},
    )
    yield Case(
        "huge strings",
        "csv-cell",
        import_runs("in.csv"),
        ("in.csv",),
        inputs={"in.csv": (GOOD / "ultimate.csv").read_bytes() + b'"' + big.encode() + b'"\n'},
    )


def encodings() -> Iterator[Case]:
    for fmt, example in JSON_EXAMPLES.items():
        data = (GOOD / example).read_bytes()
        variants = {
            "utf8-bom": b"\xef\xbb\xbf" + data,
            "utf16": data.decode().encode("utf-16"),
            "invalid-utf8": data[:40] + b"\xff\xfe\xc3" + data[40:],
            "nul-bytes": data[:40] + b"\x00" * 8 + data[40:],
        }
        for variant, body in variants.items():
            yield Case(
                "encodings and NUL", f"{fmt}-{variant}", import_runs("in.json"), ("in.json",), inputs={"in.json": body}
            )
    yield Case("encodings and NUL", "only-nul", import_runs("in.json"), ("in.json",), inputs={"in.json": b"\x00" * 64})


def csv_encodings() -> Iterator[Case]:
    text = (GOOD / "ultimate.csv").read_text(encoding="utf-8")
    for variant, body in {"utf16": text.encode("utf-16"), "utf16-be": b"\xfe\xff" + text.encode("utf-16-be")}.items():
        names = ("in.csv: UTF-16 text; save it as UTF-8",)
        yield Case("encodings and NUL", f"avo-csv-{variant}", import_runs("in.csv"), names, inputs={"in.csv": body})


def file_names() -> Iterator[Case]:
    standard = (GOOD / "standard.json").read_bytes()
    for label, name in {"not-utf8": "bad\udcffname.json", "newline": "a\nb.json", "option-like": "--help.json"}.items():
        yield Case("encodings and NUL", f"file-name-{label}", import_runs(name), (name[-9:],), inputs={name: standard})


def csv_formulas() -> Iterator[Case]:
    header = (GOOD / "ultimate.csv").read_bytes().splitlines()[0].decode()
    columns = header.count(",") + 1
    for formula in ("=cmd|' /C calc'!A0", '=HYPERLINK("http://x")', "+1+1", "@SUM(A1)", "-2+3", "\t=1"):
        row = [json.dumps(formula)] + ['""'] * (columns - 1)
        data = f"{header}\n{','.join(row)}\n".encode()
        yield Case("CSV formula cells", formula, import_runs("in.csv"), ("in.csv",), inputs={"in.csv": data})


def duplicate_keys() -> Iterator[Case]:
    data = b'{"schema": {"events": {"A": {"type": "object"}, "A": {"type": "string"}}}}'
    yield Case("duplicate keys", "events", import_runs("in.json"), ("in.json",), inputs={"in.json": data})
    data = b'{"schema": {"events": {"A": {"type": "object", "properties": {"p": {}, "p": {"type": 5}}}}}}'
    yield Case("duplicate keys", "properties", import_runs("in.json"), ("in.json",), inputs={"in.json": data})


def refs() -> Iterator[Case]:
    def event(props: dict[str, object], defs: dict[str, object] | None = None) -> bytes:
        schema: dict[str, object] = {"type": "object", "properties": props}
        if defs is not None:
            schema["definitions"] = defs
        return json.dumps({"schema": {"events": {"R": schema}}}).encode()

    bomb: dict[str, object] = {"d0": {"type": "string"}} | {
        f"d{i}": {"type": "object", "properties": {f"p{k}": {"$ref": f"#/definitions/d{i - 1}"} for k in range(4)}}
        for i in range(1, 26)
    }
    variants = {
        "circular": event(
            {"p": {"$ref": "#/definitions/a"}}, {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}}
        ),
        "remote-file": event({"p": {"$ref": "file:///etc/passwd"}}),
        "remote-http": event({"p": {"$ref": "http://127.0.0.1:9/x.json"}}),
        "unresolvable": event({"p": {"$ref": "#/definitions/person"}}),
        "bomb": event({"p": {"$ref": "#/definitions/d25"}}, bomb),
    }
    for name, data in variants.items():
        yield Case("$refs", name, import_runs("in.json"), ("in.json",), inputs={"in.json": data})


def event_names() -> Iterator[Case]:
    names = {
        "empty": "",
        "dots": "..",
        "dot": ".",
        "con": "con",
        "aux": "AUX",
        "com1": "com1",
        "lpt9": "lpt9.txt",
        "nfc-nfd": ["café", "cafe\u0301"],
        "rtl": "evil\u202etxt.exe",
        "newline": "a\nb",
        "traversal": "../../etc/x",
        "absolute": "/etc/passwd",
        "backslash": "..\\..\\x",
        "nul": "a\x00b",
    }
    for label, value in names.items():
        events = value if isinstance(value, list) else [value]
        data = json.dumps({"schema": {"events": {n: {"type": "object"} for n in events}}}).encode()
        yield Case("names", label, import_runs("in.json"), ("in.json",), inputs={"in.json": data})


def _iglu(vendor: str, name: str, version: str) -> bytes:
    return json.dumps(
        {
            "$schema": "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#",
            "self": {"vendor": vendor, "name": name, "format": "jsonschema", "version": version},
            "type": "object",
            "properties": {"a": {"type": "string"}},
        }
    ).encode()


def snowplow_paths() -> Iterator[Case]:
    for label, (vendor, name, version) in {
        "vendor": ("../../../x", "e", "1-0-0"),
        "name": ("com.acme", "../../x", "1-0-0"),
        "version": ("com.acme", "e", "../../../../x"),
        "dots": ("..", "..", "1-0-0"),
    }.items():
        runs = [
            *import_runs("in.json", "--from", "snowplow"),
            ["export", "--ref", "hostile/in", "--to", "snowplow", "-o", "../out/"],
        ]
        yield Case(
            "path traversal",
            f"snowplow-{label}",
            runs,
            ("in.json", "out", "vendor", "hostile/in"),
            inputs={"in.json": _iglu(vendor, name, version)},
        )


def folder_symlinks() -> Iterator[Case]:
    def setup(repo: Path) -> None:
        folder = repo.parent / "iglu" / "schemas" / "com.acme" / "e" / "jsonschema"
        folder.mkdir(parents=True)
        (repo.parent / "secret").write_bytes(_iglu("com.acme", "e", "1-0-0"))
        (folder / "1-0-0").symlink_to(repo.parent / "secret")

    yield Case("imported folder symlinks", "file-outside", import_runs("iglu"), ("iglu", "secret"), setup)


# -- committed trees --------------------------------------------------------------------------
TREE_RUNS = [
    ["events"],
    ["show", "Signed Up"],
    ["export"],
    ["export", "--to", "csv"],
    ["export", "--to", "snowplow"],
    ["validate"],
    ["validate", "--ref", "HEAD"],
    ["diff", "HEAD~1", "HEAD"],
    ["log"],
    ["check", "../payloads.jsonl"],
    ["import", "../in.json", "--branch", "hostile/in"],
]


def committed(path: str, data: bytes, mode: str = "100644") -> Setup:
    """Commit one file (any mode: a symlink, a gitlink) onto the checked-out branch with git itself."""

    def setup(repo: Path) -> None:
        blob = git(repo, "hash-object", "-w", "--stdin", stdin=data).strip() if mode != "160000" else data.decode()
        git(repo, "update-index", "--add", "--cacheinfo", f"{mode},{blob},{path}")
        git(repo, "commit", "-q", "-m", f"hostile {path}")
        git(repo, "checkout", "-q", "-f", "HEAD")

    return setup


def tree_case(kind: str, name: str, path: str, data: bytes, mode: str = "100644") -> Case:
    return Case(
        kind,
        name,
        TREE_RUNS,
        (path, path.rsplit("/", 1)[-1]),
        committed(path, data, mode),
        inputs={"in.json": (GOOD / "standard.json").read_bytes(), "payloads.jsonl": b'{"event": "Signed Up"}\n'},
    )


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


def plan_files() -> Iterator[Case]:
    event = "events/hostile.yaml"
    for name, text in {
        "yaml-bomb": LAUGHS,
        "binary-tag": "title: X\ntype: object\nx-blob: !!binary aGVsbG8=\n",
        "set-tag": "title: X\ntype: object\nx-set: !!set {a, b}\n",
        "timestamp-tag": "title: X\ntype: object\nx-when: 2001-12-14t21:59:43.10-05:00\n",
        "python-tag": "title: X\ntype: object\nx: !!python/object/apply:os.system [echo pwned]\n",
        "alias": "title: &t X\ntype: object\ndescription: *t\n",
        "name-mapping-5": "title: X\ntype: object\nx-name-mapping: 5\n",
        "nan": "title: X\ntype: object\nproperties:\n  p: {type: number, maximum: .nan}\n",
        "bad-pattern": "title: X\ntype: object\nproperties:\n  p: {type: string, pattern: '(['}\n",
        "bad-type": "title: X\ntype: object\nproperties:\n  p: {type: quaternion}\n",
        "bad-ref": "title: X\ntype: object\nproperties:\n  p: {$ref: '#/definitions/person'}\n",
        "file-ref": "title: X\ntype: object\nproperties:\n  p: {$ref: 'file:///etc/passwd'}\n",
        "deep": "title: X\ntype: object\nproperties:\n"
        + "".join("  " * (i + 1) + f"p{i}:\n" + "  " * (i + 2) + "properties:\n" for i in range(150)),
        "snowplow-version": "title: X\ntype: object\nx-version: ../../../../x\n",
        "snowplow-name": "title: X\ntype: object\nx-schema-name: ../../x\n",
    }.items():
        yield tree_case("plan files", name, event, text.encode())
    yield tree_case("plan files", "deep-json", "events/deep.json", ("[" * 5000 + "]" * 5000).encode())
    for name, text in {
        "garbage": "\x00\xff garbage: [",
        "wrong-types": "name: [1]\nmain_branch: 5\nprotected_branches: x\n",
        "main-branch-5": "name: X\nmain_branch: 5\n",
        "sources-3": "name: X\nsources: 3\n",
        "protected-mapping": "name: X\nprotected_branches: {a: 1}\n",
        "source-name-list": "name: X\nsources: [{name: [web]}]\n",
        "list": "- a\n- b\n",
        "bomb": LAUGHS,
    }.items():
        yield tree_case("trackplan.yaml", name, "trackplan.yaml", text.encode("utf-8", "surrogateescape"))


def tree_entries() -> Iterator[Case]:
    yield tree_case("committed tree entries", "binary", "events/binary.yaml", bytes(range(256)) * 4)
    yield tree_case("committed tree entries", "symlink", "events/link.yaml", b"/etc/passwd", "120000")
    yield tree_case(
        "committed tree entries", "gitlink", "events/sub.yaml", b"0123456789abcdef0123456789abcdef01234567", "160000"
    )

    def events_is_a_file(repo: Path) -> None:
        git(repo, "rm", "-q", "-r", "events")
        (repo / "events").write_text("not a folder\n")
        git(repo, "add", "events")
        git(repo, "commit", "-q", "-m", "events is a file")

    yield Case(
        "committed tree entries",
        "events-is-a-file",
        TREE_RUNS,
        ("events",),
        events_is_a_file,
        inputs={"in.json": (GOOD / "standard.json").read_bytes(), "payloads.jsonl": b"{}\n"},
    )


def refs_and_branches() -> Iterator[Case]:
    good = {"in.json": (GOOD / "standard.json").read_bytes()}
    for branch in ("-f", "--force", "HEAD", "x.lock", "a..b", "x/", "a b", "a~b", "x@{1}", "a\x01b", "a" * 300, ""):
        yield Case(
            "branch names",
            repr(branch),
            [["import", "../in.json", "--branch", branch], ["layout", "sharded", "--branch", branch]],
            ("--branch", "branch name"),
            inputs=good,
        )
    for ref in ("--help", "-x", "a..b", "HEAD@{99}", "", "nope"):
        runs = [
            ["export", "--ref", ref],
            ["validate", "--ref", ref],
            ["diff", ref, "HEAD"],
            ["export", "--changed-since", ref],
            ["import", "../in.json", "--branch", "hostile/in", "--base", ref],
        ]
        yield Case(
            "refs", repr(ref), runs, ("--ref", "--base", "--changed-since", "BASE", "ref", ref or "''"), inputs=good
        )


def outputs() -> Iterator[Case]:
    def fifo(repo: Path) -> None:
        os.mkfifo(repo / "out.fifo")

    def link(repo: Path) -> None:
        (repo / "out.link").symlink_to(repo.parent / "outside.txt")

    for target in (
        ".git/HEAD",
        ".git/config",
        ".git/objects/x",
        "events",
        ".",
        "trackplan.yaml",
        "events/signed-up.yaml",
    ):
        yield Case("-o targets", target, [["export", "-o", target], ["export", "--to", "html", "-o", target]], ("-o",))
    yield Case("-o targets", "fifo", [["export", "-o", "out.fifo"]], ("-o",), fifo)
    yield Case("-o targets", "symlink", [["export", "-o", "out.link"]], ("-o",), link)
    yield Case("-o targets", "snowplow-into-.git", [["export", "--to", "snowplow", "-o", ".git/"]], ("-o",))


def check_lines() -> Iterator[Case]:
    lines = {
        "huge": b'{"event": "Signed Up", "properties": {"a": "' + b"x" * 3_000_000 + b'"}}\n',
        "deep": b'{"event": "Signed Up", "properties": ' + b'{"a": ' * 3000 + b"1" + b"}" * 3000 + b"}\n",
        "nan": b'{"event": "Signed Up", "properties": {"a": NaN}}\n',
        "infinity": b'{"event": "Signed Up", "properties": {"a": Infinity, "b": -Infinity}}\n',
        "bom": b'\xef\xbb\xbf{"event": "Signed Up"}\n',
        "one-byte": b"{",
        "garbage": bytes(range(256)),
    }
    for name, data in lines.items():
        yield Case(
            "check lines",
            name,
            [["check", "../payloads.jsonl"], ["check", "../payloads.jsonl", "--format", "json"]],
            ("payloads.jsonl",),
            inputs={"payloads.jsonl": data},
        )
    yield Case(
        "check lines",
        "max-invalid-nan",
        [["check", "../payloads.jsonl", "--max-invalid", "nan%"]],
        ("--max-invalid",),
        inputs={"payloads.jsonl": b'{"event": "Signed Up"}\n'},
    )


CLASSES = (
    truncated,
    wrong_types,
    file_names,
    recursion,
    huge_strings,
    encodings,
    csv_encodings,
    csv_formulas,
    duplicate_keys,
    refs,
    event_names,
    snowplow_paths,
    folder_symlinks,
    plan_files,
    tree_entries,
    refs_and_branches,
    outputs,
    check_lines,
)


def all_cases() -> list[Case]:
    return [case for make in CLASSES for case in make()]
