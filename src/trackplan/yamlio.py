"""YAML in and out.

Reading uses libyaml (PyYAML's C loader): it is ~15x faster than a round-trip parse and files
that are only read never need comments. Rewriting an existing file uses ruamel.yaml's
round-trip mode so comments and key order survive. New files are dumped deterministically,
and strings that YAML 1.1 or 1.2 would read as something else are always quoted, so every
file the tool writes loads identically with both loaders.
"""

from __future__ import annotations

import functools
import io
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from trackplan.errors import InputError

if not getattr(yaml, "__with_libyaml__", False):  # pragma: no cover - depends on the wheel
    raise ImportError("PyYAML was built without libyaml; reinstall PyYAML from a binary wheel")


class _DuplicateSuspectError(Exception):
    """A mapping that may hold a key twice: parsed again, key by key, to name it."""


_SPECIAL_KEYS = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")  # `<<` and `=`, which PyYAML rewrites


class _FastLoader(yaml.CSafeLoader):
    """libyaml loader whose results are plain JSON: timestamps stay strings."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """PyYAML's mapping, built in one loop; a mapping with fewer keys than pairs (or with
        a merge key, a `=` key, an unhashable key) is a suspect that `load` reads again key by
        key, with PyYAML's own rules and errors."""
        pairs = node.value
        mapping: dict[Any, Any] = {}
        construct = self.construct_object
        try:
            for key_node, value_node in pairs:
                if key_node.tag in _SPECIAL_KEYS:
                    raise _DuplicateSuspectError
                key = construct(key_node, deep)
                mapping[key] = construct(value_node, deep)
        except TypeError:
            raise _DuplicateSuspectError from None
        if len(mapping) != len(pairs):
            raise _DuplicateSuspectError
        return mapping


_FastLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


class _UniqueKeysLoader(_FastLoader):
    """The same loader, refusing a key a mapping already has (YAML requires unique keys; libyaml
    keeps the last): people write plan files by hand, and a repeated key is a lost value."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first: dict[str, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag in _SPECIAL_KEYS:  # flattened by PyYAML: the mapping's own keys win
                continue
            key = _json_key(self.construct_object(key_node, deep=True))
            if key in first:
                line = first[key].start_mark.line + 1
                problem = f"duplicate key {key!r} (first on line {line})"
                raise yaml.constructor.ConstructorError(None, None, problem, key_node.start_mark)
            first[key] = key_node
        return yaml.CSafeLoader.construct_mapping(self, node, deep)


# Plain scalars YAML 1.1 reads as booleans, octals or sexagesimals and YAML 1.2 as strings or decimals.
_READ_DIFFERENTLY = (
    r"y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?0[0-9_]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+"
)
_VERSIONS_DIFFER = re.compile(rf"^(?:{_READ_DIFFERENTLY})$")
# Plain scalars that some YAML 1.1 or 1.2 resolver reads as a non-string.
_AMBIGUOUS = re.compile(
    rf"""^(?:
        {_READ_DIFFERENTLY}|
        ~|null|Null|NULL|true|True|TRUE|false|False|FALSE|
        [-+]?(?:0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*)|
        [-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|
        [-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|
        [-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|
        \d{{4}}-\d\d?-\d\d?(?:[Tt\s].*)?|
        =|<<
    )$""",
    re.VERBOSE,
)

MAX_NODES = 2_000_000


def is_ambiguous(text: str) -> bool:
    """True if a plain (unquoted) scalar with this text would not load as this string."""
    return bool(_AMBIGUOUS.match(text))


def load(data: bytes | str, path: str = "<input>") -> Any:
    """Parse YAML (or JSON) fast. Aliases are refused, which also defuses YAML bombs, and so
    is a key repeated in a mapping, naming its line (and the first one's)."""
    return _parsed(lambda: yaml.load(data, Loader=_FastLoader), lambda: yaml.load(data, Loader=_UniqueKeysLoader), path)


def load_all(data: bytes | str, path: str = "<input>") -> list[Any]:
    """Every document of a YAML stream (`---` between them), as `load` parses one."""
    docs: list[Any] = _parsed(
        lambda: list(yaml.load_all(data, Loader=_FastLoader)),
        lambda: list(yaml.load_all(data, Loader=_UniqueKeysLoader)),
        path,
    )
    return [doc for doc in docs if doc is not None]


def _parsed(parse: Any, parse_key_by_key: Any, path: str) -> Any:
    """The document `parse` reads; when it meets a suspect mapping, the one `parse_key_by_key`
    reads (the same document, or the error naming a repeated key): the fast path costs a
    length comparison per mapping."""
    try:
        try:
            doc = parse()
            _refuse_aliases(doc, path)
        except _DuplicateSuspectError:
            doc = parse_key_by_key()
            _refuse_aliases(doc, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else path
        raise InputError(f"{where}: invalid YAML: {exc.problem}") from None
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path}: invalid YAML: {str(exc).splitlines()[0]}") from None
    return doc


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    return "null" if key is None else str(key).lower() if isinstance(key, bool) else str(key)


def _refuse_aliases(doc: Any, path: str) -> None:
    """Refuse aliases and make keys strings, as JSON would, in one pass."""
    # An alias makes the loader share one object; seeing an object twice means an alias.
    seen: set[int] = set()
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict | list):
            if id(node) in seen:
                raise InputError(f"{path}: YAML aliases (*anchors) are not supported in plan files")
            seen.add(id(node))
            if len(seen) > MAX_NODES:
                raise InputError(f"{path}: document too large ({MAX_NODES} nodes at most)")
            if isinstance(node, dict):
                if not all(isinstance(k, str) for k in node):
                    items = [(_json_key(k), v) for k, v in node.items()]
                    node.clear()
                    node.update(items)
                    if len(node) != len(items):  # `1:` and `"1":` are one key in JSON
                        raise _DuplicateSuspectError
                stack.extend(node.values())
            else:
                stack.extend(node)


# Plain scalars that need no quotes in any YAML version: no indicator first, no ": " or
# " #" inside, no surrounding blanks. Everything else is written JSON-quoted, which is
# valid YAML 1.1 and 1.2 alike.
_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9_/(][A-Za-z0-9_ .,/()+$^*?=-]*$")


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return _string(str(value))


@functools.lru_cache(maxsize=65536)
def _string(text: str) -> str:
    """A string scalar, plain when that is safe in YAML 1.1 and 1.2, else JSON-quoted.
    Cached: keys and common values repeat across every event of a plan."""
    if _PLAIN_SAFE.match(text) and not is_ambiguous(text) and not text.endswith(" "):
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return _NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


# Characters YAML does not allow raw (or reads as line breaks) even inside quotes.
_NOT_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")


def _emit(value: Any, indent: str, out: list[str]) -> None:
    """Append block-style YAML lines for a mapping or sequence node."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            prefix = f"{indent}{_scalar(str(key))}:"
            _emit_entry(prefix, item, indent, out)
    else:
        for item in value:
            _emit_entry(f"{indent}-", item, indent, out, in_sequence=True)


_LEAVES = frozenset({str, int, float, bool, type(None)})


def _emit_entry(prefix: str, item: Any, indent: str, out: list[str], in_sequence: bool = False) -> None:
    if type(item) in _LEAVES:  # most entries: checked first, without the abstract-class checks
        out.append(f"{prefix} {_scalar(item)}")
    elif isinstance(item, Mapping | list | tuple) and item:
        if in_sequence and isinstance(item, Mapping):
            # "- key: value" with the rest of the mapping aligned under the first key.
            lines: list[str] = []
            _emit(item, indent + "  ", lines)
            out.append(f"{prefix} {lines[0].lstrip()}")
            out.extend(lines[1:])
        else:
            out.append(prefix)
            _emit(item, indent + "  ", out)
    elif isinstance(item, Mapping):
        out.append(f"{prefix} {{}}")
    elif isinstance(item, list | tuple):
        out.append(f"{prefix} []")
    else:
        out.append(f"{prefix} {_scalar(item)}")


def dump(doc: Any) -> str:
    """Deterministic block-style YAML for a JSON document: same document, same text."""
    if isinstance(doc, Mapping) and not doc:
        return "{}\n"
    if isinstance(doc, list | tuple) and not doc:
        return "[]\n"
    if not isinstance(doc, Mapping | list | tuple):
        return _scalar(doc) + "\n"
    out: list[str] = []
    _emit(doc, "", out)
    return "\n".join(out) + "\n"


# -- round-trip rewrite ---------------------------------------------------------------------


def _ruamel(offset: int = 0) -> Any:
    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 1_000_000
    rt.indent(mapping=2, sequence=offset + 2, offset=offset)
    return rt


def _dash_offset(text: str) -> int:
    """How far the file indents a block list's `-` under its key (0 or 2, as written), so
    a rewrite does not re-indent every list."""
    key_indent = None
    for line in text.splitlines():
        content = line.lstrip(" ")
        if not content or content.startswith("#"):
            continue
        indent = len(line) - len(content)
        if key_indent is not None and (content.startswith("- ") or content == "-"):
            return max(indent - key_indent, 0)
        key_indent = indent if content.rstrip().endswith(":") and not content.startswith("- ") else None
    return 0


def _fresh(value: Any) -> Any:
    """A value to insert into a round-trip document, quoting ambiguous strings."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString

    if isinstance(value, str):
        if "\n" in value:
            return LiteralScalarString(value)
        return SingleQuotedScalarString(value) if is_ambiguous(value) else value
    if isinstance(value, Mapping):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _fresh(v)
        return out
    if isinstance(value, list):
        return CommentedSeq(_fresh(v) for v in value)
    return value


def _merge(old: Any, new: Any) -> Any:
    """Update a round-trip node in place where possible, so comments stay attached."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(old, CommentedMap) and isinstance(new, Mapping):
        for key in [k for k in old if k not in new]:
            del old[key]
        for index, (key, value) in enumerate(new.items()):
            if key in old:
                if _plain(old[key]) != value:
                    old[key] = _merge(old[key], value)
            else:
                old.insert(min(index, len(old)), key, _fresh(value))
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        if _plain(old) == new:
            return old
        if len(old) <= len(new):  # same length, or entries added at the end
            for i, value in enumerate(new[: len(old)]):
                if _plain(old[i]) != value:
                    old[i] = _merge(old[i], value)
            if len(new) > len(old):
                following = _take_following_comment(old)
                old.extend(_fresh(value) for value in new[len(old) :])
                _give_following_comment(old, following)
            return old
        return _fresh(new)
    if isinstance(old, str) and isinstance(new, str) and str(old) == new:
        return old
    return _fresh(new)


def _end_comment(node: Any) -> tuple[dict[Any, list[Any]], Any, int] | None:
    """Where ruamel keeps the comment after a node's last line: (comment slots, key, slot)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedSeq | CommentedMap) and len(node):
        key = len(node) - 1 if isinstance(node, CommentedSeq) else list(node)[-1]
        return _end_comment(node[key]) or (node.ca.items, key, 0 if isinstance(node, CommentedSeq) else 2)
    return None


def _take_following_comment(seq: Any) -> str | None:
    """The comment lines after a list's last line (they introduce what comes next), taken
    off it; the last entry's own end-of-line comment stays."""
    where = _end_comment(seq)
    if where is None:
        return None
    slots, key, slot = where
    token = (slots.get(key) or [None] * 4)[slot]
    if token is None or "\n" not in token.value:
        return None
    own, following = str(token.value).split("\n", 1)
    if not following.strip():
        return None
    if own.strip():
        token.value = own + "\n"
    else:
        slots[key][slot] = None
    return following


def _give_following_comment(seq: Any, following: str | None) -> None:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    where = _end_comment(seq)
    if following is None or where is None:
        return
    slots, key, slot = where
    entry = slots.setdefault(key, [None] * 4)
    entry[slot] = CommentToken("\n" + following, CommentMark(0), None)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def rewrite(original: str, doc: Mapping[str, Any]) -> str:
    """Rewrite `original` to hold `doc`, keeping its comments and key order.

    If the round-trip result would not load back as `doc` (or the original cannot be
    round-tripped), a fresh deterministic dump is returned instead: never wrong, at worst
    without comments.
    """
    rt = _ruamel(_dash_offset(original))
    try:
        tree = rt.load(original)
    except Exception:
        return dump(doc)
    if not isinstance(tree, Mapping):
        return dump(doc)
    merged = _merge(tree, doc)
    stream = io.StringIO()
    rt.dump(merged, stream)
    text = stream.getvalue()
    try:
        if load(text) == _plain(doc):
            return text
    except InputError:
        pass
    return dump(doc)


# Composing is costly: only text with a candidate token is composed to look for them.
_MAY_DIFFER = re.compile(r"[:\[,-]\s*(?:y|n|yes|no|on|off|0\d|\d+:\d)", re.I)


def key_positions(text: str, paths: Sequence[Sequence[str]]) -> list[tuple[int, int] | None]:
    """Where each key path (mapping keys and list indexes) leads in a YAML text: the 1-based
    line and column of the deepest key or list item of the path that exists; None for a path
    that leads nowhere, and for every path when the text does not parse."""
    try:
        root = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return [None] * len(paths)
    return [_position(root, path) for path in paths]


def _position(root: yaml.Node | None, path: Sequence[str]) -> tuple[int, int] | None:
    mark, _, _ = _follow(root, path)
    return None if mark is None else (mark.line + 1, mark.column + 1)


def _follow(node: yaml.Node | None, path: Sequence[str | int]) -> tuple[yaml.Mark | None, yaml.Node | None, bool]:
    """Follow a key path (mapping keys; list indexes as ints or digit strings) through a composed
    document: the start of the deepest key or list item reached, the node there, and whether
    the whole path exists."""
    mark = None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if found is None:
                return mark, node, False
            mark, node = found[0].start_mark, found[1]
        elif isinstance(node, yaml.SequenceNode) and (isinstance(part, int) or part.isdigit()):
            if int(part) >= len(node.value):
                return mark, node, False
            node = node.value[int(part)]
            mark = node.start_mark
        else:
            return mark, node, False
    return mark, node, True


def differing_scalars(text: str) -> list[tuple[str, int, int]]:
    """The plain (unquoted) scalars, keys included, that YAML 1.1 and YAML 1.2 load
    differently, each with its 1-based line and column; none when the text does not parse."""
    if not _MAY_DIFFER.search(text):
        return []
    try:
        root = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return []
    found = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.ScalarNode) and not node.style and _VERSIONS_DIFFER.match(node.value):
            found.append((node.value, node.start_mark.line + 1, node.start_mark.column + 1))
    return found


def value_lines(text: str, path: Sequence[str | int]) -> tuple[int, int] | None:
    """The 0-based line range [start, end) that holds the entry a key path (mapping keys
    and list indexes) leads to: its key line through the last line of its value. None when
    the path leads nowhere or the text does not parse."""
    try:
        node = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None
    start, node, complete = _follow(node, path)
    if not complete or start is None or node is None:
        return None
    end = node.end_mark
    # A block value ends at the start of the next line; a scalar or flow value ends inside its last line.
    return start.line, end.line if end.column == 0 and end.line > start.line else end.line + 1
