"""Names and literals in generated code: the words of a plan name, each language's casing and
reserved words, scopes that hand out collision-free names with deterministic suffixes, and
the escaping of strings and comments.

Every list here is fixed in the code rather than read from the running interpreter
(`keyword.kwlist`, `dir(builtins)`), so the same plan gives the same names on every
Python version and `codegen --check` agrees across machines.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

Words = tuple[str, ...]


@cache
def words(name: str) -> Words:
    """The words of a name: runs of letters and digits, split again where camelCase changes
    case (`signUpClicked`, `HTTPRequest`). Unicode letters stay (NFKC, as Python reads
    identifiers); everything else separates words."""
    text = unicodedata.normalize("NFKC", name)
    chunks = "".join(ch if _identifier_char(ch) and ch != "_" else " " for ch in text).split()
    return tuple(word for chunk in chunks for word in _case_words(chunk))


def _identifier_char(ch: str) -> bool:
    return ("a" + ch).isidentifier()


def _case_words(chunk: str) -> list[str]:
    out: list[str] = []
    start = 0
    for i in range(1, len(chunk)):
        prev, ch, nxt = chunk[i - 1], chunk[i], chunk[i + 1 : i + 2]
        lower_to_upper = ch.isupper() and (prev.islower() or prev.isdigit())
        acronym_end = ch.isupper() and prev.isupper() and nxt.islower()
        if lower_to_upper or acronym_end:
            out.append(chunk[start:i])
            start = i
    out.append(chunk[start:])
    return out


def _capitalised(word: str) -> str:
    return word[:1].upper() + word[1:].lower()


def camel_case(parts: Words) -> str:
    return "".join([parts[0].lower(), *map(_capitalised, parts[1:])]) if parts else ""


def pascal_case(parts: Words) -> str:
    return "".join(map(_capitalised, parts))


def snake_case(parts: Words) -> str:
    return "_".join(word.lower() for word in parts)


@dataclass(frozen=True)
class NamingStyle:
    """How one language spells the names codegen makes.

    `keywords` cannot be names at all and get a trailing underscore (`class_`); `taken`
    are names the generated module already uses, so an event that would take one gets the
    next suffix. `one_namespace`: types and values share one scope (Python), or not (TS)."""

    function: Callable[[Words], str]
    type: Callable[[Words], str]
    parameter: Callable[[Words], str]
    keywords: frozenset[str]
    taken_values: frozenset[str]
    taken_types: frozenset[str]
    taken_parameters: frozenset[str]
    one_namespace: bool


@cache
def identifier(parts: Words, case: Callable[[Words], str], fallback: str) -> str:
    """An identifier in a casing: never empty, never starting with a digit."""
    name = case(parts) or fallback
    return f"_{name}" if name[0].isdigit() else name


class Scope:
    """Names handed out in one scope. A name already taken gets `_2`, `_3`, ... in the
    order names are asked for, so the same plan always gives the same names."""

    def __init__(self, keywords: Iterable[str], taken: Iterable[str] = ()) -> None:
        self._keywords = frozenset(keywords)
        self._taken = set(taken) | self._keywords

    def claim(self, name: str) -> str:
        if name in self._keywords:
            name = f"{name}_"
        if name not in self._taken:
            self._taken.add(name)
            return name
        suffix = 2
        while f"{name}_{suffix}" in self._taken:
            suffix += 1
        self._taken.add(f"{name}_{suffix}")
        return f"{name}_{suffix}"


# -- literals and comments ------------------------------------------------------------------


@cache
def string_literal(text: str, astral_escape: Callable[[int], str]) -> str:
    """A double-quoted string literal both TypeScript and Python read as `text`: printable
    characters as they are, everything else (controls, line and paragraph separators,
    bidirectional overrides) escaped, so no name can end a string or hide code.
    `astral_escape` spells a code point above U+FFFF in the target language. Cached: a
    plan's keys, values and messages repeat."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    out = ['"']
    for ch in text:
        if ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) > 0xFFFF:
            out.append(astral_escape(ord(ch)))
        else:
            out.append(f"\\u{ord(ch):04x}")
    out.append('"')
    return "".join(out)


_SIMPLE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def comment_text(text: str) -> str:
    """Text for a one-line comment: unprintable characters become spaces and every run of
    white space one space, so a description cannot end a comment line or hide code."""
    if text.isprintable() and "  " not in text and text == text.strip():
        return text
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


# -- reserved words -------------------------------------------------------------------------


def _listed(text: str) -> frozenset[str]:
    return frozenset(text.split())


TS_KEYWORDS = _listed(
    """break case catch class const continue debugger default delete do else enum export extends
    false finally for function if import in instanceof new null return super switch this throw
    true try typeof var void while with implements interface let package private protected
    public static yield await arguments eval undefined NaN Infinity"""
)
# Type names TypeScript itself gives a meaning to.
TS_TYPE_KEYWORDS = _listed("any unknown never object string number boolean symbol bigint undefined null void")
# Globals the generated module reads, and the names it exports.
TS_TAKEN_VALUES = _listed("Object Array Error RegExp Math isFinite setup identify group PLAN")
TS_TAKEN_TYPES = _listed(
    """Record Readonly ReadonlyArray Array Object Error RegExp String Number Boolean Transport
    TrackContext Violation Options CallOptions Destination IdentifyTraits GroupTraits"""
)

PYTHON_KEYWORDS = _listed(
    """False None True and as assert async await break class continue def del elif else except
    finally for from global if import in is lambda nonlocal not or pass raise return try while
    with yield match case type"""
)
# Builtins (as of Python 3.13) and the names the generated module imports or exports.
PYTHON_TAKEN = _listed(
    """abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod
    compile complex copyright credits delattr dict dir divmod enumerate eval exec exit filter
    float format frozenset getattr globals hasattr hash help hex id input int isinstance
    issubclass iter len license list locals map max memoryview min next object oct open ord pow
    print property quit range repr reversed round set setattr slice sorted staticmethod str sum
    super tuple vars zip Exception BaseException ValueError TypeError KeyError RuntimeError
    NotImplemented Ellipsis annotations re Callable Mapping Sequence dataclass field Enum cache
    Final Literal NotRequired Protocol TypedDict PLAN PlanIdentity Transport TrackContext
    Violation ViolationError CallOptions Destination IdentifyTraits GroupTraits setup identify
    group"""
)

TS_STYLE = NamingStyle(
    function=camel_case,
    type=pascal_case,
    parameter=camel_case,
    keywords=TS_KEYWORDS | TS_TYPE_KEYWORDS,
    taken_values=TS_TAKEN_VALUES,
    taken_types=TS_TAKEN_TYPES,
    taken_parameters=frozenset(),
    one_namespace=False,
)
PYTHON_STYLE = NamingStyle(
    function=snake_case,
    type=pascal_case,
    parameter=snake_case,
    keywords=PYTHON_KEYWORDS,
    taken_values=PYTHON_TAKEN,
    taken_types=PYTHON_TAKEN,
    # The generated functions' own keyword arguments.
    taken_parameters=frozenset({"user_id", "group_id"}),
    one_namespace=True,
)
