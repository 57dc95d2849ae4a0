"""The text report of `trackplan check`: per event, then unknown events, JSON values that are
no object, the commits payloads named (checked, or unknown here) and malformed lines."""

from __future__ import annotations

from typing import Any

from trackplan.report import plural


def _place(at: dict[str, int]) -> str:
    return f"line {at['line']}" if "index" not in at else f"[{at['index']}] line {at['line']}"


def _places(places: list[dict[str, int]]) -> str:
    return f" (at {', '.join(_place(at) for at in places)})" if places else ""


def render_text(summary: dict[str, Any]) -> str:
    """`summary` is QAReport.to_json, the document `--format json` prints."""
    lines = []
    for name, stats in summary["events"].items():
        lines.append(f"{name}: {stats['seen']} seen, {stats['valid']} valid, {stats['invalid']} invalid")
        lines.extend(
            f"    {error['count']}× {error['path']}: {error['message']}{_places(error['at'])}"
            for error in stats["topErrors"]
        )
        other = stats["otherErrors"]
        if other["kinds"]:
            lines.append(
                f"    and {plural(other['count'], 'more violation')} of {plural(other['kinds'], 'other kind')}"
            )
        if stats["neverSent"]:
            lines.append(f"    never sent: {', '.join(stats['neverSent'])}")
    lines.extend(
        f"unknown event {name}: {count}{_places(summary['unknownEventsAt'][name])}"
        for name, count in summary["unknownEvents"].items()
    )
    if summary["notObjects"]:
        lines.append(f"not an object: {summary['notObjects']}{_places(summary['notObjectsAt'])}")
    lines.extend(f"checked at commit {commit}: {count}" for commit, count in summary["commits"].items())
    lines.extend(
        f"unknown commit {commit}: {count} not checked (no plan at that commit in this repository)"
        for commit, count in summary["unknownCommits"].items()
    )
    lines.extend(f"malformed {_place(item)}: {item['error']}" for item in summary["malformedLines"])
    lines.append(f"{summary['checked']} checked, {summary['invalid']} invalid, {summary['malformed']} malformed")
    return "\n".join(lines) + "\n"
