"""The one JSON document every `--format json` prints: `{"version": 1, "command": NAME, ...}`.

`version` is the envelope's and changes only when a field is removed or changes meaning;
`command` names the command that wrote it (`plans list` for a subcommand); the command's
own fields follow, each under its name (`events`, `findings`, `commits`), never as a bare
array. docs/cli.md lists them per command.
"""

from __future__ import annotations

import json
from typing import Any

VERSION = 1


def envelope(command: str, /, **fields: Any) -> dict[str, Any]:
    """The document, with `version` and `command` first."""
    return {"version": VERSION, "command": command, **fields}


def render(command: str, /, **fields: Any) -> str:
    """The document as indented UTF-8 JSON text, ending in a newline."""
    return json.dumps(envelope(command, **fields), indent=2, ensure_ascii=False) + "\n"
