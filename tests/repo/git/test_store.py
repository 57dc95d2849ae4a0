from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pygit2
import pytest

from tests.helpers import make_event, plan_with
from trackplan.errors import ConcurrentUpdateError, DirtyWorktreeError, IdentityError, RefError
from trackplan.model import Plan, Property
from trackplan.repo.cache import cache_file
from trackplan.repo.git.store import GitStore
from trackplan.repo.refs import WORKTREE
from trackplan.repo.scaffold import init_plan
from trackplan.repo.workspace import Workspace


def test_round_trip_model_to_commit_to_model(tmp_path: Path) -> None:
    ws, commit = plan_with(tmp_path / "p", 20)
    loaded = ws.load(commit)
    assert len(loaded.plan.events) == 20
    assert loaded.plan.events == tuple(
        make_event(f"Event {i}", 6, seed=i) for i in sorted(range(20), key=lambda i: f"Event {i}")
    )


def test_a_plan_at_the_repository_root_has_no_path_prefix(plan_repo: Path) -> None:
    ws = Workspace(plan_repo)
    assert (ws.prefix, ws.path_prefix, ws.repo_path("events/a.yaml")) == ("", "", "events/a.yaml")


def test_reading_a_ref_equals_reading_the_checked_out_work_tree(plan_repo: Path) -> None:
    ws = Workspace(plan_repo)
    assert ws.load("HEAD").plan == ws.load(WORKTREE).plan
    assert ws.load("main").plan == ws.load(ws.store.resolve("HEAD")).plan


def test_refs_of_every_kind_resolve(plan_repo: Path) -> None:
    ws = Workspace(plan_repo)
    head = ws.store.resolve("HEAD")
    subprocess.run(["git", "tag", "v1"], cwd=plan_repo, check=True)
    (plan_repo / "events" / "signed-up.yaml").write_text("title: Signed Up\n")
    subprocess.run(["git", "commit", "-qam", "edit"], cwd=plan_repo, check=True)
    subprocess.run(["git", "update-ref", "refs/remotes/origin/main", head], cwd=plan_repo, check=True)
    for ref in ("v1", "HEAD~1", head, head[:10], "origin/main", "main~1"):
        assert ws.store.resolve(ref) == head
        assert ws.load(ref).plan.event("Signed Up").description  # type: ignore[union-attr]
    assert ws.load("HEAD").plan.event("Signed Up").description == ""  # type: ignore[union-attr]
    with pytest.raises(RefError, match="unknown ref 'nope'"):
        ws.load("nope")


def test_changing_3_of_100_events_writes_3_new_blobs_and_reuses_the_rest(tmp_path: Path) -> None:
    ws, commit = plan_with(tmp_path / "p", 100)
    before = ws.load(commit)
    events = list(before.plan.events)
    for i in (5, 50, 95):
        events[i] = events[i].replace(description="Changed.")
    result = ws.commit_plan("main", commit, before, before.plan.replace(events=tuple(events)), "3")
    assert result.commit is not None and len(result.changed_paths) == 3
    old = ws.store.list_tree(ws.store.subtree_id(commit, ""))
    new = ws.store.list_tree(ws.store.subtree_id(result.commit, ""))
    changed = {p for p in new if new[p] != old.get(p)}
    assert changed == set(result.changed_paths)
    assert sum(1 for p in new if new[p] == old.get(p)) == len(new) - 3


def test_unchanged_subtrees_are_reused_by_id(tmp_path: Path) -> None:
    repo_root = tmp_path / "app"
    repo_root.mkdir()
    (repo_root / "src").mkdir()
    (repo_root / "src" / "app.py").write_text("print('hi')\n")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo_root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo_root, check=True)
    subprocess.run(["git", "commit", "-qm", "app"], cwd=repo_root, check=True)
    init_plan(repo_root / "analytics" / "plan", name="Sub")
    ws = Workspace(repo_root / "analytics" / "plan")
    assert (ws.prefix, ws.path_prefix, ws.repo_path("events/a.yaml")) == (
        "analytics/plan",
        "analytics/plan/",
        "analytics/plan/events/a.yaml",
    )
    store = ws.store
    head = store.resolve("HEAD")
    loaded = ws.load("HEAD")
    plan = loaded.plan.replace(events=(*loaded.plan.events, make_event("New", 2)))
    commit = ws.commit_plan("main", head, loaded, plan, "add").commit
    assert commit is not None
    assert store.subtree_id(commit, "src") == store.subtree_id(head, "src")
    assert store.subtree_id(commit, "analytics/plan/events") != store.subtree_id(head, "analytics/plan/events")
    assert ws.load(commit).plan.event("New") == make_event("New", 2)
    # Found from a nested folder too, like git.
    assert Workspace(repo_root / "analytics" / "plan" / "events").prefix == "analytics/plan"


def test_two_writers_racing_on_one_branch(tmp_path: Path) -> None:
    ws, commit = plan_with(tmp_path / "p", 10)
    subprocess.run(["git", "checkout", "-qb", "work"], cwd=tmp_path / "p", check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=tmp_path / "p", check=True)
    before = ws.load(commit)
    plans = [before.plan.replace(events=(*before.plan.events, make_event(f"Racer {i}"))) for i in range(2)]
    outcomes: list[object] = []
    barrier = threading.Barrier(2)

    def write(i: int) -> None:
        writer = Workspace(tmp_path / "p")
        barrier.wait()
        try:
            outcomes.append(writer.commit_plan("work", commit, before, plans[i], f"racer {i}").commit)
        except ConcurrentUpdateError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    landed = [o for o in outcomes if isinstance(o, str)]
    refused = [o for o in outcomes if isinstance(o, ConcurrentUpdateError)]
    assert len(landed) == 1 and len(refused) == 1
    assert "run the command again" in str(refused[0])
    head = ws.store.branch_head("work")
    assert head == landed[0]
    # The loser retries on the new head and lands; nothing is lost.
    retry_before = ws.load(head)
    loser = next(i for i in range(2) if ws.load(head).plan.event(f"Racer {i}") is None)
    retry_plan = retry_before.plan.replace(events=(*retry_before.plan.events, make_event(f"Racer {loser}")))
    ws.commit_plan("work", head, retry_before, retry_plan, "retry")
    final = ws.load("work").plan
    assert final.event("Racer 0") is not None and final.event("Racer 1") is not None


def test_checked_out_branch_updates_work_tree_and_index(plan_repo: Path) -> None:
    ws = Workspace(plan_repo)
    head = ws.store.resolve("HEAD")
    before = ws.load(head)
    event = before.plan.event("Signed Up")
    assert event is not None
    changed = event.with_property(Property.build("utm_source", type="string"))
    plan = before.plan.replace(events=tuple(changed if e.name == "Signed Up" else e for e in before.plan.events))
    ws.commit_plan("main", head, before, plan, "add utm_source")
    text = (plan_repo / "events" / "signed-up.yaml").read_text()
    assert "utm_source" in text
    assert "# The first event of every user's life" in text  # comments kept
    status = subprocess.run(["git", "status", "--porcelain"], cwd=plan_repo, capture_output=True, text=True, check=True)
    assert status.stdout == ""


def test_uncommitted_edits_are_never_overwritten(plan_repo: Path) -> None:
    ws = Workspace(plan_repo)
    head = ws.store.resolve("HEAD")
    file = plan_repo / "events" / "signed-up.yaml"
    file.write_text(file.read_text() + "# my uncommitted note\n")
    before = ws.load(head)
    plan = before.plan.replace(
        events=tuple(e.replace(description="x") if e.name == "Signed Up" else e for e in before.plan.events)
    )
    with pytest.raises(DirtyWorktreeError, match="events/signed-up.yaml"):
        ws.commit_plan("main", head, before, plan, "would clobber")
    assert file.read_text().endswith("# my uncommitted note\n")
    assert ws.store.resolve("HEAD") == head
    # A change to other files goes through and leaves the edit alone.
    plan2 = before.plan.replace(
        events=tuple(e.replace(description="y") if e.name == "Product Viewed" else e for e in before.plan.events)
    )
    assert ws.commit_plan("main", head, before, plan2, "ok").commit
    assert file.read_text().endswith("# my uncommitted note\n")


def test_staged_edits_count_as_uncommitted(plan_repo: Path) -> None:
    ws = Workspace(plan_repo)
    head = ws.store.resolve("HEAD")
    file = plan_repo / "events" / "signed-up.yaml"
    file.write_text(file.read_text() + "# staged\n")
    subprocess.run(["git", "add", "-A"], cwd=plan_repo, check=True)
    before = ws.load(head)
    plan = before.plan.replace(
        events=tuple(e.replace(description="x") if e.name == "Signed Up" else e for e in before.plan.events)
    )
    with pytest.raises(DirtyWorktreeError):
        ws.commit_plan("main", head, before, plan, "would clobber")


def test_identity_comes_from_environment_and_is_required(
    plan_repo: Path, monkeypatch: pytest.MonkeyPatch, isolated_git: Path
) -> None:
    (isolated_git / ".gitconfig").write_text("")
    store = GitStore(plan_repo)
    with pytest.raises(IdentityError, match="user.name"):
        store.signature()
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Ada")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "ada@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Bot")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "bot@example.com")
    author, committer = store.signature()
    assert (author.name, committer.email) == ("Ada", "bot@example.com")


def test_a_corrupt_cache_is_rebuilt(plan_repo: Path) -> None:
    ws = Workspace(plan_repo)
    expected = ws.load("HEAD").plan
    cache = cache_file(ws.store.git_dir)
    assert cache.exists()
    ws.cache.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{cache}{suffix}").unlink(missing_ok=True)
    cache.write_bytes(b"this is not sqlite" * 100)
    assert Workspace(plan_repo).load("HEAD").plan == expected
    assert Workspace(plan_repo).load("HEAD").plan == expected


def test_a_cache_row_with_bad_content_is_not_trusted(plan_repo: Path) -> None:
    ws = Workspace(plan_repo)
    expected = ws.load("HEAD").plan
    db = ws.cache._connect()
    assert db is not None
    db.execute("UPDATE blobs SET doc = '{not json'")
    assert Workspace(plan_repo).load("HEAD").plan == expected


def test_empty_plan_commit_creates_branch(tmp_path: Path) -> None:
    init_plan(tmp_path / "p", with_examples=False)
    ws = Workspace(tmp_path / "p")
    head = ws.store.resolve("HEAD")
    ws.store.create_branch("feature", head)
    assert ws.store.branch_head("feature") == head
    with pytest.raises(ConcurrentUpdateError):
        ws.store.create_branch("feature", head)
    assert isinstance(pygit2.Repository(str(tmp_path / "p")).head.target, pygit2.Oid)


def test_plan_equality_survives_files(tmp_path: Path) -> None:
    ws, commit = plan_with(tmp_path / "p", 5)
    plan = ws.load(commit).plan
    assert plan == Plan(settings=plan.settings, events=plan.events, identify=plan.identify)


@pytest.mark.parametrize("large_folder", [40_000, 0], ids=["walk", "libgit2"])
def test_tree_diff_matches_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, large_folder: int) -> None:
    monkeypatch.setattr("trackplan.repo.git.store.LARGE_FOLDER", large_folder)
    repo_path = tmp_path / "r"
    subprocess.run(["git", "init", "-q", str(repo_path)], check=True)
    store = GitStore(repo_path)
    files: dict[str, bytes | None] = {f"events/{i % 7:02x}/e{i}.yaml": f"{i}".encode() for i in range(40)}
    files |= {"trackplan.yaml": b"name: x\n", "contexts/web.yaml": b"a\n", "gone/x.yaml": b"x\n", "turns": b"file\n"}
    first = store.commit_changes("main", None, files, "one")
    changes: dict[str, bytes | None] = {
        "events/03/e3.yaml": b"changed",  # one file in one folder
        "events/07/new.yaml": b"new",  # a new folder
        "events/00/e0.yaml": None,
        "gone/x.yaml": None,  # a folder emptied
        "turns": None,
        "turns/inside.yaml": b"now a folder\n",  # a file becomes a folder
    }
    second = store.commit_changes("main", first, changes, "two")
    old_tree, new_tree = (store.subtree_id(c, "") for c in (first, second))
    ours = {
        (path, "A" if a is None else "D" if b is None else "M") for path, a, b in store.diff_trees(old_tree, new_tree)
    }
    git_out = subprocess.run(
        ["git", "diff", "--name-status", "--no-renames", first, second],
        cwd=repo_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert ours == {(line.split("\t")[1], line.split("\t")[0]) for line in git_out.splitlines()}
    assert store.diff_trees(new_tree, new_tree) == []
    assert {p for p, _, _ in store.diff_trees(None, old_tree)} == set(files)


def test_files_at_finds_what_list_tree_lists_reading_each_folder_once(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "x.yaml").write_text("x\n")
    (root / "a" / "b" / "y.yaml").write_text("y\n")
    (root / "top.yaml").write_text("t\n")
    (root / "file").write_text("a file, not a folder\n")
    (root / "a" / "link.yaml").symlink_to("x.yaml")
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=T", "-c", "user.email=t@x", "commit", "-qm", "c"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    store = GitStore(root)
    tree = store.subtree_id(store.resolve("HEAD"), "")
    asked = ["a/x.yaml", "a/b/y.yaml", "top.yaml", "a/link.yaml", "a/missing.yaml", "nope/z.yaml", "file/z.yaml", "a/b"]
    listed = store.list_tree(tree)
    assert store.files_at(tree, asked) == {path: listed[path] for path in asked if path in listed}
    assert sorted(store.files_at(tree, asked)) == ["a/b/y.yaml", "a/x.yaml", "top.yaml"]
    assert store.files_at(None, asked) == {}
