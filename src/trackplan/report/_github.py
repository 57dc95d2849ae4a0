"""GitHub Actions workflow commands: the escaping GitHub requires, and the one annotation
builder the diff's changes and the lint's findings share."""

from __future__ import annotations

COMMANDS = {"breaking": "error", "error": "error", "warning": "warning", "info": "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(
    severity: str, title: str, message: str, file: str | None = None, line: int | None = None, column: int | None = None
) -> str:
    """`::error file=…,line=…,col=…,title=…::message` for a severity of either report; the
    position is left out when there is none."""
    props = [] if file is None else [f"file={escape_property(file)}"]
    props += [] if line is None else [f"line={line}"]
    props += [] if column is None else [f"col={column}"]
    props.append(f"title={escape_property(title)}")
    return f"::{COMMANDS[severity]} {','.join(props)}::{escape_data(message)}"
