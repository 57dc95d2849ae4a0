"""`trackplan validate`: lint every plan file, with exact positions.

`lint_files` lints plan files given as bytes; `lint_ref` lints the plan at a ref of a
workspace and caches each file's result by (file blob, path, settings blob), and the
positions of the cross-file findings by (file blob, key path), so a warm run reads only the
files that changed. Both run `analyse` on each file (the per-file rules, the
file's positioned findings and its summary for the plan rules), then `combine` adds the plan
rules and applies the plan's configuration. Neither needs the git layer loaded to import.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from trackplan.errors import InputError
from trackplan.linting.config import LintConfig, configure
from trackplan.linting.file_rules import FileLinter
from trackplan.linting.findings import Finding, LintReport, positions
from trackplan.linting.plan_rules import large_flat_folder, plan_findings, summary
from trackplan.linting.settings_rules import settings_findings
from trackplan.memory import building
from trackplan.model import Settings
from trackplan.repo.paths import IDENTIFY_FILE, SETTINGS_FILE, is_event_file, is_plan_file
from trackplan.repo.refs import WORKTREE
from trackplan.trackingplans.layout import is_tracking_plan_file, tracking_plan_texts
from trackplan.trackingplans.lint import lint_tracking_plan_files, lint_tracking_plans

if TYPE_CHECKING:
    from trackplan.repo.workspace import Workspace

LINT_VERSION = 7  # bump when a per-file rule changes, so cached results are not reused

Results = dict[str, dict[str, Any]]  # plan file -> what `analyse` returned for it
AnalyseAll = Callable[[Settings, LintConfig], Results]
Place = Callable[[list[Finding]], None]  # fills in the line and column of findings with a key path


def analyse(path: str, text: str, settings: Settings, config: LintConfig) -> dict[str, Any]:
    """Per-file findings (positioned) and what cross-file rules need of the file. Depends
    only on the file and the settings, so it can be cached by their blob ids."""
    linter = FileLinter(path, text, settings, config)
    doc = linter.run()
    if linter.findings:
        positions(text, linter.findings)
    result: dict[str, Any] = {"findings": [f.to_cache() for f in linter.findings]}
    if is_event_file(path) and isinstance(doc, dict) and doc.get("title"):
        result["summary"] = summary(doc)
    if path == IDENTIFY_FILE and isinstance(doc, dict):
        props = doc.get("properties")
        result["identify"] = {"properties": props if isinstance(props, dict) else {}}
    return result


def combine(
    results: Mapping[str, Mapping[str, Any]],
    config: LintConfig,
    text_of: Callable[[str], str],
    only: set[str] | None,
    files: int,
    in_settings: Iterable[Finding] = (),
    in_tracking_plans: Iterable[Finding] = (),
    place: Place | None = None,
) -> LintReport:
    """Per-file results plus the cross-file rules and trackplan.yaml's own findings, with the
    configuration applied. `place` positions the cross-file findings (each file composed once
    by default)."""
    findings = [
        Finding.from_cache(path, data)
        for path, result in sorted(results.items())
        if only is None or path in only
        for data in result["findings"]
    ]
    summaries = {path: r["summary"] for path, r in results.items() if "summary" in r}
    identify = next((r["identify"] for r in results.values() if "identify" in r), None)
    plan_wide = config.property_scope == "plan"
    cross = [
        finding
        for finding in [*plan_findings(summaries, identify, plan_wide), *large_flat_folder(results, config)]
        if only is None or finding.file in only
    ]
    (place or placed_by_file(text_of))([finding for finding in cross if finding.where])
    findings += cross
    findings += [f for f in in_settings if only is None or SETTINGS_FILE in only]
    findings += [f for f in in_tracking_plans if only is None or f.file in only]
    configured = configure(findings, config)
    # Findings in trackplan.yaml (its own, and suppressions') point into it: it exists when they do.
    settings_placed = [f for f in configured if f.file == SETTINGS_FILE and f.where]
    if settings_placed:
        positions(text_of(SETTINGS_FILE), settings_placed)
        configured.sort(key=_order)
    return LintReport(configured, files)


def _order(finding: Finding) -> tuple[str, int, int, str]:
    return finding.file, finding.line, finding.column, finding.rule


def placed_by_file(text_of: Callable[[str], str]) -> Place:
    """Positions findings from their files' YAML, each file composed once for all its findings."""

    def place(found: list[Finding]) -> None:
        by_file: dict[str, list[Finding]] = {}
        for finding in found:
            by_file.setdefault(finding.file, []).append(finding)
        for path, in_file in by_file.items():
            positions(text_of(path), in_file)

    return place


def _cached_places(ws: Workspace, blobs: Mapping[str, str], text_of: Callable[[str], str]) -> Place:
    """`placed_by_file`, with each position cached by (file blob, key path): a warm run of a plan
    whose every event has a cross-file finding composes no YAML."""

    def place(found: list[Finding]) -> None:
        keys = [f"lint-at/{blobs[f.file]}/{json.dumps(f.where, ensure_ascii=False)}" for f in found]
        cached = ws.cache.get_fragments(keys)
        for finding, key in zip(found, keys, strict=True):
            if key in cached:
                finding.line, finding.column = json.loads(cached[key])
        missing = [(finding, key) for finding, key in zip(found, keys, strict=True) if key not in cached]
        placed_by_file(text_of)([finding for finding, _ in missing])
        for finding, key in missing:
            ws.cache.put_fragment(key, json.dumps([finding.line, finding.column]).encode())
        ws.cache.flush()

    return place


def lint_files(files: Mapping[str, bytes], only: set[str] | None = None) -> LintReport:
    """Lint plan files ({plan path: bytes}); `only` limits the findings and the count to some
    of them, and naming a path not among them is an `InputError`."""

    def text_of(path: str) -> str:
        return files[path].decode("utf-8", "replace")

    def analyse_all(settings: Settings, config: LintConfig) -> Results:
        return {path: analyse(path, text_of(path), settings, config) for path in _linted(files)}

    tracking_plans = partial(lint_tracking_plan_files, files)
    return _lint(files, text_of, analyse_all, only, "among the files given", tracking_plans, placed_by_file(text_of))


def lint_ref(
    ws: Workspace, ref: str = WORKTREE, only: Iterable[str] | None = None, progress: Callable[[int], None] | None = None
) -> LintReport:
    """Lint the plan at a ref (or the work tree); `only` limits the findings and the count to
    some plan files, and naming a path that is not one is an `InputError`. Per-file results
    are cached by (file blob, path, settings blob), the positions of cross-file findings by
    (file blob, key path); `progress` is told the files done so far."""
    blobs = ws.plan_blobs(ref)

    def text_of(path: str) -> str:
        return ws.read_blob(blobs[path]).decode("utf-8", "replace")

    def analyse_all(settings: Settings, config: LintConfig) -> Results:
        # The path is part of the key: rules such as TP105 and TP127 read it.
        prefix = f"lint/{LINT_VERSION}/{blobs.get(SETTINGS_FILE, '')}"
        keys = {path: f"{prefix}/{blobs[path]}/{path}" for path in _linted(blobs)}
        cached = ws.cache.get_fragments(keys.values())
        results: Results = {}
        with building():
            for done, (path, key) in enumerate(keys.items(), 1):
                if progress is not None:
                    progress(done)
                value = cached.get(key)
                if value is None:
                    results[path] = analyse(path, text_of(path), settings, config)
                    ws.cache.put_fragment(key, json.dumps(results[path], ensure_ascii=False).encode())
                else:
                    results[path] = json.loads(value)
        ws.cache.flush()
        return results

    at = "in the work tree" if ref == WORKTREE else f"at {ref!r}"
    plans = tracking_plan_texts(ws, ref)
    not_files = ws.plan_not_files(ref)

    def across_files(settings: Settings) -> list[Finding]:
        unread = [
            Finding.of("TP130", path, f"is a {kind} in the commit, not a file: no command reads it")
            for path, kind in sorted(not_files.items())
        ]
        return [*lint_tracking_plans(plans, settings, loaded=lambda: ws.load(ref)), *unread]

    given = set(only) if only is not None else None
    place = _cached_places(ws, blobs, text_of)
    return _lint([*blobs, *plans], text_of, analyse_all, given, at, across_files, place)


def _linted(paths: Iterable[str]) -> list[str]:
    """The plan files the per-file rules read: all but trackplan.yaml, which configures them."""
    return [path for path in paths if path != SETTINGS_FILE and is_plan_file(path)]


def _lint(
    paths: Collection[str],
    text_of: Callable[[str], str],
    analyse_all: AnalyseAll,
    only: set[str] | None,
    at: str,
    tracking_plans: Callable[[Settings], list[Finding]],
    place: Place,
) -> LintReport:
    if only is not None and (missing := sorted(only.difference(paths))):
        raise InputError(f"{missing[0]}: no such plan file {at}")
    linted = (path for path in paths if is_plan_file(path) or is_tracking_plan_file(path))
    files = len(only) if only is not None else sum(1 for _ in linted)
    text = text_of(SETTINGS_FILE) if SETTINGS_FILE in paths else ""
    settings, in_settings = settings_findings(text)
    if settings is None:  # nothing else can be linted without settings: the file's findings, whatever `only` says
        positions(text, in_settings)
        return LintReport(sorted(in_settings, key=_order), files)
    config = LintConfig.from_settings(settings)
    results = analyse_all(settings, config)
    return combine(results, config, text_of, only, files, in_settings, tracking_plans(settings), place)
