"""Whole exports kept as files: a repeated export is the kept file, and anything its bytes
depend on (the plan's tree, the format, an option, the label, the commit for the docs)
names another file."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall
from trackplan.exporting import outputs
from trackplan.exporting.outputs import KEPT, code_fingerprint
from trackplan.exporting.run import ExportRequest, copy_kept_output, render
from trackplan.repo.refs import WORKTREE
from trackplan.repo.workspace import Workspace


def kept_files(repo: Path) -> list[Path]:
    folder = repo / ".git" / "trackplan" / "exports"
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []


def export(run_cli: CliRunnerCall, repo: Path, *args: str) -> bytes:
    result = run_cli("-C", repo, "export", *args)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def fresh(repo: Path, *args: str, run_cli: CliRunnerCall) -> bytes:
    """The export with no kept output to serve it."""
    shutil.rmtree(repo / ".git" / "trackplan" / "exports", ignore_errors=True)
    return export(run_cli, repo, *args)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_a_repeated_export_is_the_kept_file(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    first = export(run_cli, plan_repo)
    [kept] = kept_files(plan_repo)
    assert kept.read_bytes() == first
    kept.write_bytes(b"served from the kept file\n")  # only a hit can return this
    assert export(run_cli, plan_repo) == b"served from the kept file\n"


def test_a_changed_tree_misses(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    before = export(run_cli, plan_repo)
    event = plan_repo / "events" / "product-viewed.yaml"
    event.write_text(event.read_text().replace("description: ", "description: Changed. ", 1))
    git(plan_repo, "commit", "-qam", "edit an event")
    after = export(run_cli, plan_repo)
    assert after != before
    assert b"Changed. " in after
    assert after == fresh(plan_repo, run_cli=run_cli)


def test_each_option_misses(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    variants = [
        (),
        ("--to", "jsonschema"),
        ("--source", "web"),
        ("--tag", "core"),
        ("--event", "Product Viewed"),
        ("--to", "snowplow", "--vendor", "com.other"),
        ("--to", "snowplow"),
    ]
    outputs = {args: export(run_cli, plan_repo, *args) for args in variants}
    assert len(kept_files(plan_repo)) == len(variants)
    assert len(set(outputs.values())) == len(variants)
    for args, output in outputs.items():
        assert export(run_cli, plan_repo, *args) == output
        assert fresh(plan_repo, *args, run_cli=run_cli) == output


def test_the_label_is_part_of_the_key(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    git(plan_repo, "branch", "other")
    on_main = export(run_cli, plan_repo, "--ref", "main")
    on_other = export(run_cli, plan_repo, "--ref", "other")
    assert b'"Exported Tracking Plan: main"' in on_main
    assert on_main.replace(b"Plan: main", b"Plan: other") == on_other
    assert len(kept_files(plan_repo)) == 2


def test_the_docs_name_the_commit_so_the_commit_is_in_their_key(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    first = export(run_cli, plan_repo, "--to", "markdown")
    git(plan_repo, "commit", "-q", "--allow-empty", "-m", "same tree, new commit")
    second = export(run_cli, plan_repo, "--to", "markdown")
    assert second != first
    assert second == fresh(plan_repo, "--to", "markdown", run_cli=run_cli)


def test_the_work_tree_and_changed_since_are_not_kept(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    export(run_cli, plan_repo, "--worktree")
    export(run_cli, plan_repo, "--changed-since", "HEAD")
    assert kept_files(plan_repo) == []


def test_only_the_most_recently_used_are_kept(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    events = ["Product Viewed", "Search Performed", "Checkout Completed"]
    requests = [
        (to, *(("--event", e) if e else ())) for to in ("avo-json", "jsonschema", "itly") for e in [None, *events]
    ]
    for args in requests:
        export(run_cli, plan_repo, "--to", *args)
    assert len(requests) > KEPT
    assert len(kept_files(plan_repo)) == KEPT


def test_an_unwritable_folder_only_costs_the_speed_up(plan_repo: Path) -> None:
    folder = plan_repo / ".git" / "trackplan"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "exports").write_text("a file where the folder goes")
    ws = Workspace(plan_repo)
    first = render(ws, ExportRequest()).data
    assert render(ws, ExportRequest()).data == first
    assert b'"events": [' in first


def test_other_code_misses(plan_repo: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch) -> None:
    first = export(run_cli, plan_repo)
    kept_files(plan_repo)[0].write_bytes(b"written by other code\n")
    monkeypatch.setattr(outputs, "code_digest", lambda: "an upgraded trackplan")
    assert export(run_cli, plan_repo) == first
    [kept] = kept_files(plan_repo)  # the other code's output is dropped: this code never reads it
    assert kept.name.startswith("an upgraded trac-")
    assert kept.read_bytes() == first


def test_the_code_fingerprint_follows_every_source_file(tmp_path: Path) -> None:
    (tmp_path / "formats").mkdir()
    writer = tmp_path / "formats" / "writer.py"
    writer.write_text("X = 1\n")
    (tmp_path / "notes.txt").write_text("not code")
    before = code_fingerprint(tmp_path)
    (tmp_path / "notes.txt").write_text("still not code")
    assert code_fingerprint(tmp_path) == before
    mtime = writer.stat().st_mtime_ns
    writer.write_text("X = 2\n")  # same size: the mtime tells
    os.utime(writer, ns=(mtime + 1, mtime + 1))
    assert code_fingerprint(tmp_path) != before


def served_without_the_repository(repo: Path, request: ExportRequest, plan_dir: Path | None = None) -> bytes | None:
    """What `copy_kept_output` copies for `request` once `render` has kept it, the kept file
    overwritten first so that only a hit returns its bytes; None when it leaves the request
    to `render`."""
    ws = Workspace(repo, plan_dir)
    shutil.rmtree(ws.store.git_dir / "trackplan" / "exports", ignore_errors=True)
    render(ws, request)
    [kept] = kept_files(ws.store.git_dir.parent)
    kept.write_bytes(b"the kept file of " + request.ref.encode())
    out = io.BytesIO()
    return out.getvalue() if copy_kept_output(repo, plan_dir, request, None, out) else None


def test_git_finds_the_output_pygit2_kept(plan_repo: Path) -> None:
    git(plan_repo, "tag", "v1")
    git(plan_repo, "tag", "-a", "v1-annotated", "-m", "an annotated tag")
    git(plan_repo, "commit", "-q", "--allow-empty", "-m", "second")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=plan_repo, capture_output=True, text=True).stdout.strip()
    for ref in ["HEAD", "main", "v1", "v1-annotated", head, head[:10], "HEAD~1", "HEAD^", "main~1^0"]:
        for to in ("avo-json", "jsonschema", "markdown"):
            served = served_without_the_repository(plan_repo, ExportRequest(ref=ref, to=to))
            assert served == b"the kept file of " + ref.encode()
    request = ExportRequest(ref="main", to="itly", sources=("web",), events=("Product Viewed",), vendor="com.acme")
    assert served_without_the_repository(plan_repo, request) == b"the kept file of main"


def test_a_detached_head_is_labelled_head(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    git(plan_repo, "checkout", "-q", "--detach")
    assert served_without_the_repository(plan_repo, ExportRequest()) == b"the kept file of HEAD"
    assert b'"Exported Tracking Plan: HEAD"' in fresh(plan_repo, run_cli=run_cli)


def test_a_plan_in_a_folder_is_found_by_its_tree(tmp_path: Path, run_cli: CliRunnerCall) -> None:
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(repo))
    (repo / "README.md").write_text("not a plan\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-qm", "readme")
    assert run_cli("init", repo / "plan", "--name", "Folder plan").exit_code == 0
    assert served_without_the_repository(repo / "plan", ExportRequest()) == b"the kept file of HEAD"
    assert served_without_the_repository(repo, ExportRequest(), plan_dir=Path("plan")) == b"the kept file of HEAD"


def test_refs_git_may_read_otherwise_are_left_to_pygit2(plan_repo: Path) -> None:
    git(plan_repo, "commit", "-q", "--allow-empty", "-m", "second")
    ws = Workspace(plan_repo)
    kept = ["HEAD@{1}", "HEAD^{commit}", ":/second"]
    requests = [ExportRequest(ref=ref) for ref in kept]
    requests += [ExportRequest(ref=WORKTREE), ExportRequest(changed_since="HEAD")]
    for request in requests:
        render(ws, request)
    for request in [*requests, *(ExportRequest(ref=ref) for ref in ["-h", "x-1-gabcd", "HEAD~1..HEAD", "HEAD...HEAD"])]:
        out = io.BytesIO()
        assert not copy_kept_output(plan_repo, None, request, None, out), request
        assert out.getvalue() == b""


def test_a_head_on_no_branch_of_its_own_is_left_to_pygit2(plan_repo: Path) -> None:
    render(Workspace(plan_repo), ExportRequest())
    git(plan_repo, "symbolic-ref", "HEAD", "refs/remotes/origin/main")
    assert not copy_kept_output(plan_repo, None, ExportRequest(), None, io.BytesIO())


def test_a_hook_s_git_variables_do_not_mislead_git(
    plan_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other"
    git(tmp_path, "init", "-q", str(other))
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    assert served_without_the_repository(plan_repo, ExportRequest(ref="main")) == b"the kept file of main"


def test_a_missing_plan_or_git_is_left_to_pygit2(
    tmp_path: Path, plan_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not copy_kept_output(tmp_path, None, ExportRequest(), None, io.BytesIO())
    assert not copy_kept_output(plan_repo, Path("no-such-folder"), ExportRequest(), None, io.BytesIO())
    render(Workspace(plan_repo), ExportRequest())
    monkeypatch.setenv("PATH", str(tmp_path))  # no git executable
    assert not copy_kept_output(plan_repo, None, ExportRequest(), None, io.BytesIO())


@pytest.mark.parametrize("target", ["file", "pipe", "appended file"])
def test_a_whole_process_copies_the_kept_file_byte_for_byte(plan_repo: Path, tmp_path: Path, target: str) -> None:
    expected = render(Workspace(plan_repo), ExportRequest()).data
    command = [str(Path(sys.executable).with_name("trackplan")), "export"]
    # Kept by a process too, so the runs below copy it: its key names the code as it is now,
    # which this test session's does not if the source was edited since it started.
    subprocess.run(command, cwd=plan_repo, capture_output=True, check=True)
    if target == "pipe":
        done = subprocess.run(command, cwd=plan_repo, capture_output=True, check=True)
        assert done.stdout == expected
        return
    out = tmp_path / "out.json"
    out.write_bytes(b"before\n" if target == "appended file" else b"")
    with out.open("ab" if target == "appended file" else "wb") as stdout:
        subprocess.run(command, cwd=plan_repo, stdout=stdout, check=True)
    assert out.read_bytes() == (b"before\n" if target == "appended file" else b"") + expected


def test_a_kept_output_is_written_to_the_file_o_names(plan_repo: Path, tmp_path: Path, run_cli: CliRunnerCall) -> None:
    assert served_without_the_repository(plan_repo, ExportRequest()) == b"the kept file of HEAD"
    out = tmp_path / "plan.json"
    assert copy_kept_output(plan_repo, None, ExportRequest(), str(out), io.BytesIO())
    assert out.read_bytes() == b"the kept file of HEAD"
    assert run_cli("-C", plan_repo, "export", "-o", tmp_path / "again.json").exit_code == 0
    assert (tmp_path / "again.json").read_bytes() == b"the kept file of HEAD"


def test_a_kept_output_is_refused_where_a_fresh_one_is(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    export(run_cli, plan_repo)
    event = plan_repo / "events" / "product-viewed.yaml"
    before = event.read_bytes()
    for target in [event, plan_repo / ".git" / "export.json", plan_repo / "events"]:
        warm = run_cli("-C", plan_repo, "export", "-o", target)
        shutil.rmtree(plan_repo / ".git" / "trackplan" / "exports")
        cold = run_cli("-C", plan_repo, "export", "-o", target)
        assert (warm.exit_code, warm.output) == (cold.exit_code, cold.output)
        assert warm.exit_code == 2
    assert event.read_bytes() == before
    assert not (plan_repo / ".git" / "export.json").exists()


# What a process loaded of pygit2, printed to stderr at its exit.
LOADED_PYGIT2 = (
    "import atexit, sys; atexit.register(lambda: print('pygit2' in sys.modules, file=sys.stderr));"
    " from trackplan.cli import main; main()"
)


@pytest.mark.parametrize("to", ["avo-json", "jsonschema"])
def test_a_warm_gzip_export_is_the_kept_output_compressed_without_the_repository(
    plan_repo: Path, tmp_path: Path, to: str
) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        command = [sys.executable, "-c", LOADED_PYGIT2, "export", "--to", to, *args]
        return subprocess.run(command, cwd=plan_repo, capture_output=True, check=True)

    cold = run("--gzip")  # nothing kept: rendered, then compressed as ever
    assert cold.stderr == b"True\n"
    assert gzip.decompress(cold.stdout) == run().stdout
    assert cold.stdout == gzip.compress(run().stdout, mtime=0)
    for _ in range(2):  # compressed from the kept output once, then the kept gzip itself
        warm = run("--gzip")
        assert (warm.stdout, warm.stderr) == (cold.stdout, b"False\n")
    assert len(kept_files(plan_repo)) == 2
    run("--gzip", "-o", str(tmp_path / "plan.json.gz"))
    assert (tmp_path / "plan.json.gz").read_bytes() == cold.stdout


def test_a_kept_gzip_is_of_its_own_output(plan_repo: Path) -> None:
    served_without_the_repository(plan_repo, ExportRequest(ref="main"))  # the kept file holds a marker
    out = io.BytesIO()
    assert copy_kept_output(plan_repo, None, ExportRequest(ref="main"), None, out, compress=True)
    assert gzip.decompress(out.getvalue()) == b"the kept file of main"
    other = io.BytesIO()
    assert not copy_kept_output(plan_repo, None, ExportRequest(ref="main", to="itly"), None, other, compress=True)
    assert other.getvalue() == b""


def test_kept_outputs_are_bounded_by_bytes_and_the_newest_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outputs, "KEPT_BYTES", 250)
    kept = outputs.KeptOutputs(tmp_path)
    code = outputs.code_digest()[: outputs.CODE_PART]
    for n in range(4):
        kept.write(f"{code}-{n}", bytes(100))
        os.utime(tmp_path / f"{code}-{n}", (1000 + n, 1000 + n))  # written in this order
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{code}-2", f"{code}-3"]
    kept.write(f"{code}-big", bytes(1000))  # larger than the bound alone: kept, the rest go
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{code}-big"]


def test_a_write_drops_other_code_s_outputs_and_abandoned_temporary_files(tmp_path: Path) -> None:
    kept = outputs.KeptOutputs(tmp_path)
    code = outputs.code_digest()[: outputs.CODE_PART]
    (tmp_path / f"{'0' * outputs.CODE_PART}-old").write_bytes(b"older code")
    (tmp_path / ".killed.tmp").write_bytes(b"half")
    os.utime(tmp_path / ".killed.tmp", (1000, 1000))
    (tmp_path / ".in-progress.tmp").write_bytes(b"being written")
    (tmp_path / "sub").mkdir()
    kept.write(f"{code}-new", b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".in-progress.tmp", f"{code}-new", "sub"]


KEEPER = """
import sys
from pathlib import Path
from trackplan.exporting import outputs
outputs.KEPT = 3
kept, name = outputs.KeptOutputs(Path(sys.argv[1])), sys.argv[2]
code = outputs.code_digest()[: outputs.CODE_PART]
bad = 0
for n in range(200):
    key = f"{code}-{name}{n % 7}"
    data = key.encode() * 5000
    kept.write(key, data)
    read = kept.read(key)
    bad += read is not None and read != data
    other = kept.read(f"{code}-{'b' if name == 'a' else 'a'}{n % 7}")
    bad += other is not None and not other.startswith(f"{code}-".encode())
print(bad)
"""


def test_two_processes_keeping_and_dropping_outputs_at_once(tmp_path: Path) -> None:
    keepers = [
        subprocess.Popen([sys.executable, "-c", KEEPER, str(tmp_path), name], stdout=subprocess.PIPE) for name in "ab"
    ]
    assert [keeper.communicate()[0] for keeper in keepers] == [b"0\n", b"0\n"]  # never a part of a file
    assert [keeper.returncode for keeper in keepers] == [0, 0]
    left = sorted(tmp_path.iterdir())
    assert 1 <= len(left) <= 3
    assert all(p.read_bytes() == p.name.encode() * 5000 for p in left)
