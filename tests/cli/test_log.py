"""`trackplan log`: the plan's history, filtered, paged and ordered."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall


def test_log(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    for i in range(3):
        event = plan_repo / "events" / "signed-up.yaml"
        event.write_text(re.sub(r"x-owner: .*", f"x-owner: Growth {i}", event.read_text()))
        subprocess.run(["git", "commit", "-qam", f"change {i}"], cwd=plan_repo, check=True)
    (plan_repo / "README.md").write_text("outside the plan files\n")
    subprocess.run(["git", "commit", "-qam", "docs only"], cwd=plan_repo, check=True)
    entries = json.loads(run_cli("-C", plan_repo, "log", "--format", "json").stdout)["commits"]
    assert [e["message"] for e in entries][:3] == ["change 2", "change 1", "change 0"]
    assert entries[0]["changes"]["updated"] == ["Signed Up"]
    assert entries[-1]["changes"]["added"] == [
        "Checkout Completed",
        "Product Viewed",
        "Search Performed",
        "Signed Up",
        "Subscription Cancelled",
    ]
    assert "docs only" not in [e["message"] for e in entries]
    limited = json.loads(run_cli("-C", plan_repo, "log", "--format", "json", "--limit", "1", "--offset", "1").stdout)[
        "commits"
    ]
    assert [e["message"] for e in limited] == ["change 1"]
    ascending = json.loads(run_cli("-C", plan_repo, "log", "--format", "json", "--order", "asc").stdout)["commits"]
    assert ascending[0]["message"].startswith("Create tracking plan")
    only = json.loads(run_cli("-C", plan_repo, "log", "--format", "json", "--event", "Product Viewed").stdout)[
        "commits"
    ]
    assert len(only) == 1
    assert (
        json.loads(run_cli("-C", plan_repo, "log", "--format", "json", "--before", "2000-01-01T00:00:00Z").stdout)[
            "commits"
        ]
        == []
    )


def test_log_text_and_an_unknown_event(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    """Issue 13.2: a typo in --event printed nothing and exited 0."""
    cancelled = plan_repo / "events" / "subscription-cancelled.yaml"
    cancelled.write_text(cancelled.read_text().replace("title: Subscription Cancelled", "title: Subscription Ended"))
    subprocess.run(["git", "commit", "-qam", "Rename"], cwd=plan_repo, check=True)
    text = run_cli("-C", plan_repo, "log", "--event", "Subscription Ended").stdout.splitlines()
    assert [line for line in text if line.startswith("    ")] == [
        "    > Subscription Cancelled -> Subscription Ended",
        "    + Checkout Completed",
        "    + Product Viewed",
        "    + Search Performed",
        "    + Signed Up",
        "    + Subscription Cancelled",
        "    * identify.yaml",
        "    * trackplan.yaml",
    ]
    typo = run_cli("-C", plan_repo, "log", "--event", "Subscription Endd")
    assert typo.exit_code == 2 and typo.stdout == ""
    assert "no event 'Subscription Endd' at HEAD; did you mean 'Subscription Ended'?" in typo.stderr


def test_a_repeated_log_is_the_kept_output(
    plan_repo: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A log is kept as a file by commit, plan folder, options and format: the same log again
    is a copy of it, byte for byte, with no commit read; another ref or option is not."""
    signed_up = plan_repo / "events" / "signed-up.yaml"
    signed_up.write_text(signed_up.read_text().replace("is confirmed", "is live"))
    subprocess.run(["git", "commit", "-qam", "Edit Signed Up"], cwd=plan_repo, check=True)
    requests = [[], ["--format", "json"], ["--limit", "1"], ["--event", "Signed Up", "--order", "asc"]]
    first = {tuple(args): run_cli("-C", plan_repo, "log", *args).stdout_bytes for args in requests}
    assert first[()].decode().splitlines()[0].endswith(" Edit Signed Up")
    assert first[()].decode().splitlines()[1] == "    ~ Signed Up"
    assert [c["message"] for c in json.loads(first[("--format", "json")])["commits"]][:1] == ["Edit Signed Up"]
    with monkeypatch.context() as patched:
        patched.setattr("trackplan.diffing.history.history", lambda *_: pytest.fail("the log was computed again"))
        assert {tuple(args): run_cli("-C", plan_repo, "log", *args).stdout_bytes for args in requests} == first
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "Nothing in the plan"], cwd=plan_repo, check=True)
    (plan_repo / "README.md").write_text("outside the plan files\n")
    subprocess.run(["git", "add", "README.md"], cwd=plan_repo, check=True)
    subprocess.run(["git", "commit", "-qm", "Docs"], cwd=plan_repo, check=True)
    assert run_cli("-C", plan_repo, "log").stdout_bytes == first[()]  # computed again: HEAD moved, the plan did not
    assert run_cli("-C", plan_repo, "log", "--ref", "HEAD~2", "--limit", "1").stdout_bytes == first[("--limit", "1")]
