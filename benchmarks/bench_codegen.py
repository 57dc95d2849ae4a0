"""Codegen of a 10,000-event plan (every event, TypeScript and Python, checks inlined) from a
ref. References in the same run: `git archive` of the same tree, and loading the plan alone
(`ws.load(ref).plan`), which every command that reads the whole plan pays.
Target: <= 2 s warm (the parsed-blob cache filled, as after any earlier command)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from common import git, report, timed, trackplan_process
from plans import drop_cache, plan_repo
from trackplan.codegen.library import build_library
from trackplan.codegen.run import LANGUAGES, CodegenRequest, generate, plan_commit
from trackplan.memory import building
from trackplan.model import Plan
from trackplan.repo.workspace import Workspace


def language_rows(root: Path, commit: str, lang: str, plan: Plan, load: float) -> list[tuple[str, float, str]]:
    request = CodegenRequest(lang, ref=commit)
    style = LANGUAGES[lang].style

    def names() -> None:
        with building():
            build_library(plan.events, plan.identify, plan.group, (), style)

    warm = timed(lambda: generate(Workspace(root), request), repeat=3)
    size = len(generate(Workspace(root), request).text) / 1e6
    return [
        (f"{lang}: names and types", timed(names, repeat=3), f"{size:.1f} MB written"),
        (f"{lang}: codegen warm, end to end", warm, f"{warm / load:.2f}x loading the plan (target <= 2 s)"),
    ]


def main(n: int) -> None:
    with plan_repo(n) as (root, ws, commit):
        archive = timed(lambda: git("archive", commit, cwd=root))
        drop_cache(ws)
        start = time.perf_counter()
        cold_text = generate(Workspace(root), CodegenRequest("ts", ref=commit)).text
        cold = time.perf_counter() - start
        load = timed(lambda: Workspace(root).load(commit).plan, repeat=3)
        plan = Workspace(root).load(commit).plan
        rows = [
            ("git archive", archive, "reference"),
            ("ws.load(ref).plan, warm", load, "reference: reading the whole plan"),
            ("plan commit (history walk)", timed(lambda: plan_commit(Workspace(root), commit)), ""),
        ]
        for lang in LANGUAGES:
            rows += language_rows(root, commit, lang, plan, load)
        assert generate(Workspace(root), CodegenRequest("ts", ref=commit)).text == cold_text
        process = trackplan_process("codegen", "--lang", "ts", "--ref", commit, "-o", f"{root}.ts", cwd=root)
        rows += [
            ("ts: codegen cold (empty cache)", cold, "parses every event file first"),
            ("trackplan codegen --lang ts, warm, whole process", process, "start-up included"),
        ]
        print(f"\ncodegen, {n} events")
        report(rows)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)
