"""The text report of `trackplan check`: per event, then unknown events, the commits payloads
named (checked, or unknown here) and malformed lines."""

from __future__ import annotations

from typing import Any


def render_text(summary: dict[str, Any]) -> str:
    """`summary` is QAReport.to_json, the document `--format json` prints."""
    lines = []
    for name, stats in summary["events"].items():
        lines.append(f"{name}: {stats['seen']} seen, {stats['valid']} valid, {stats['invalid']} invalid")
        lines.extend(f"    {error['count']}× {error['path']}: {error['message']}" for error in stats["topErrors"])
        if stats["neverSent"]:
            lines.append(f"    never sent: {', '.join(stats['neverSent'])}")
    lines.extend(f"unknown event {name}: {count}" for name, count in summary["unknownEvents"].items())
    lines.extend(f"checked at commit {commit}: {count}" for commit, count in summary["commits"].items())
    lines.extend(
        f"unknown commit {commit}: {count} not checked (no plan at that commit in this repository)"
        for commit, count in summary["unknownCommits"].items()
    )
    lines.extend(f"malformed line {item['line']}: {item['error']}" for item in summary["malformedLines"])
    lines.append(f"{summary['checked']} checked, {summary['invalid']} invalid, {summary['malformed']} malformed")
    return "\n".join(lines) + "\n"
