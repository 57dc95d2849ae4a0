"""An avo-json export holds inline schemas only, as Avo's does: a plan event's local `$ref`s
are replaced by their targets, so the export re-imports."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import CliRunnerCall

ORDER = """title: Order Placed
description: An order.
type: object
$defs:
  money:
    type: object
    properties:
      amount: {type: number}
      currency: {type: string}
properties:
  total:
    $ref: "#/$defs/money"
    description: What was paid.
required: [total]
"""


def test_an_event_with_defs_exports_inline_and_re_imports(tmp_path: Path, run_cli: CliRunnerCall) -> None:
    repo, out = tmp_path / "p", tmp_path / "avo.json"
    assert run_cli("init", repo, "--empty").exit_code == 0
    (repo / "events" / "order-placed.yaml").write_text(ORDER)
    assert run_cli("-C", repo, "export", "--ref", "WORKTREE", "-o", out).exit_code == 0
    total = json.loads(out.read_text())["events"][0]["rules"]["properties"]["properties"]["properties"]["total"]
    assert {k: total[k] for k in ("type", "properties", "description")} == {
        "type": "object",
        "properties": {"amount": {"type": "number"}, "currency": {"type": "string"}},
        "description": "What was paid.",
    }
    imported = run_cli("-C", repo, "import", out, "--branch", "again", "--format", "json")
    assert imported.exit_code == 0, imported.output
