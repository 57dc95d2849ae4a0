"""A merged commit reaches each integration once, whoever publishes it: two servers of one
repository, two `trackplan publish` processes at once, a sender killed mid-send (resumed with its
delivery id), a failed send (tried again). Real processes, real git repositories, a receiver on
127.0.0.1 that answers slowly, so the senders overlap."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall
from tests.publishing.support import SECRET, SECRET_ENV, configure, receiver
from tests.publishing.test_hooks import HOOK_SECRET, headers, push
from tests.serving.support import running, served_plan
from trackplan.publishing.claims import CLAIMS_FOLDER, AlreadySent, Busy, Claim, claim
from trackplan.publishing.delivery import DELIVERY_HEADER, Retrying
from trackplan.publishing.ledger import StateLedger
from trackplan.publishing.run import PublishRequest, publish
from trackplan.repo.workspace import Workspace
from trackplan.serving.hooks import HOOK_SECRET_ENV

FAST = Retrying(attempts=2, first_delay=0.01)
ENV = {SECRET_ENV: SECRET}


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOOK_SECRET_ENV, HOOK_SECRET)
    monkeypatch.setenv(SECRET_ENV, SECRET)


def post(url: str, body: bytes, delivery: str) -> int:
    request = urllib.request.Request(f"{url}/hooks/git", data=body, headers=headers(body, delivery), method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return int(answer.status)


def at_once(*calls: tuple[object, ...]) -> list[object]:
    """Run each (function, *args) in its own thread, started together; their results in order."""
    results: list[object] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i: int, function: object, *args: object) -> None:
        start.wait()
        results[i] = function(*args)  # type: ignore[operator]

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def claim_file(plan: Path, commit: str) -> Path:
    return plan / ".git" / CLAIMS_FOLDER / "hook" / commit


def test_two_servers_of_one_repository_publish_a_push_once(tmp_path: Path) -> None:
    served = served_plan(tmp_path)
    other = replace(served.config, state_dir=tmp_path / "state-2")  # its own ledger and seen deliveries
    with receiver(delay=1.0) as hook:
        commit = configure(served.root, hook.url)
        body = push(commit)
        with running(served.config) as (first, _, _), running(other) as (second, _, _):
            statuses = at_once((post, first, body, "d-1"), (post, second, body, "d-1"))
        # leaving `running` waits for each server's publish, which runs after its answer
    assert statuses == [202, 202]
    [request] = hook.requests
    delivery = request.headers[DELIVERY_HEADER.lower()]
    assert json.loads(claim_file(served.root, commit).read_text())["delivery"] == delivery
    ledgers = [StateLedger(state).delivered("hook", [commit]) for state in (served.config.state_dir, other.state_dir)]
    assert ledgers == [{commit: delivery}, {commit: delivery}]


def run_publish(plan: Path, state: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "trackplan", "-C", str(plan), "publish", "--state-dir", str(state)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_two_publish_processes_at_once_send_once(plan_repo: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    with receiver(delay=2.0) as hook:
        commit = configure(plan_repo, hook.url)
        done = at_once((run_publish, plan_repo, state), (run_publish, plan_repo, state))
    [request] = hook.requests
    delivery = request.headers[DELIVERY_HEADER.lower()]
    outputs = sorted(p.stdout for p in done)  # type: ignore[attr-defined]
    assert outputs == sorted(
        [
            f"hook: delivered {commit[:12]} to {hook.url} (HTTP 200, 1 attempt, delivery {delivery})\n",
            f"hook: {commit[:12]} was already delivered (delivery {delivery}); nothing sent\n",
        ]
    )
    assert [p.returncode for p in done] == [0, 0]  # type: ignore[attr-defined]


def test_a_sender_killed_mid_send_is_resumed_with_its_delivery_id(plan_repo: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    with receiver(delay=3.0) as hook:
        commit = configure(plan_repo, hook.url)
        command = [sys.executable, "-m", "trackplan", "-C", str(plan_repo), "publish", "--state-dir", str(state)]
        killed = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not hook.requests:
            assert time.monotonic() < deadline and killed.poll() is None, "the first sender never sent"
            time.sleep(0.02)
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait(10)
        first = hook.requests[0].headers[DELIVERY_HEADER.lower()]
        assert json.loads(claim_file(plan_repo, commit).read_text())["state"] == "sending"
        hook.delay = 0.0
        [resumed] = publish(Workspace(plan_repo), PublishRequest(), StateLedger(state), ENV, FAST)
        assert (resumed.state, resumed.delivery_id) == ("sent", first)
        [again] = publish(Workspace(plan_repo), PublishRequest(), StateLedger(tmp_path / "other"), ENV, FAST)
        assert (again.state, again.delivery_id) == ("skipped", first)
    assert [r.headers[DELIVERY_HEADER.lower()] for r in hook.requests] == [first, first]


def test_a_failed_send_leaves_no_claim_and_is_tried_again(plan_repo: Path, tmp_path: Path) -> None:
    with receiver(500, 500) as hook:
        commit = configure(plan_repo, hook.url)
        [failed] = publish(Workspace(plan_repo), PublishRequest(), StateLedger(tmp_path / "a"), ENV, FAST)
        assert (failed.state, failed.attempts, claim_file(plan_repo, commit).exists()) == ("failed", 2, False)
        [sent] = publish(Workspace(plan_repo), PublishRequest(), StateLedger(tmp_path / "b"), ENV, FAST)
        assert (sent.state, sent.attempts) == ("sent", 1) and sent.delivery_id != failed.delivery_id
    assert len(hook.requests) == 3


HOLD = """
import sys, time
from pathlib import Path
from trackplan.publishing.claims import claim
held = claim(Path(sys.argv[1]), "hook", "c" * 40, "delivery-of-the-holder", wait=5)
print(type(held).__name__, flush=True)
time.sleep(60)
"""


def test_a_live_sender_is_waited_for_and_never_interrupted(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "Claim\n"
        busy = claim(tmp_path, "hook", "c" * 40, "mine", wait=0.3)
        assert busy == Busy(f"process {holder.pid} on {socket.gethostname()}", "delivery-of-the-holder")
    finally:
        holder.kill()
        holder.wait(10)
    taken = claim(tmp_path, "hook", "c" * 40, "mine", wait=0.3)
    assert isinstance(taken, Claim) and taken.delivery_id == "delivery-of-the-holder"
    taken.mark_sent()
    taken.close()
    assert claim(tmp_path, "hook", "c" * 40, "mine", wait=0.3) == AlreadySent("delivery-of-the-holder")


def test_a_git_dir_that_cannot_hold_the_claim_sends_nothing(
    plan_repo: Path, tmp_path: Path, run_cli: CliRunnerCall
) -> None:
    (plan_repo / ".git" / "trackplan").mkdir(exist_ok=True)
    (plan_repo / ".git" / CLAIMS_FOLDER).write_text("in the way")  # a file where the folder goes
    with receiver() as hook:
        commit = configure(plan_repo, hook.url)
        result = run_cli("-C", plan_repo, "publish", "--state-dir", tmp_path / "state")
    folder = plan_repo / ".git" / CLAIMS_FOLDER / "hook"
    assert result.exit_code == 2
    assert result.output == (
        f"trackplan: error: cannot claim the delivery of {commit[:12]} in {folder}: Not a directory; nothing was sent\n"
    )
    assert hook.requests == []
