"""A folder export run again removes the files its previous run wrote and this one does not,
and never a file the user put there or changed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall
from trackplan.exporting import folders


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def folders_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir())


def export_to(run_cli: CliRunnerCall, repo: Path, folder: Path, *args: str, to: str = "snowplow") -> str:
    result = run_cli("-C", repo, "export", "--to", to, "-o", f"{folder}/", *args)
    assert result.exit_code == 0, result.output
    return result.stderr


def remove_event(repo: Path, file: str) -> None:
    (repo / "events" / file).unlink()
    git(repo, "commit", "-qam", f"remove {file}")


@pytest.mark.parametrize("to", ["snowplow", "snowplow-ds"])
def test_a_second_export_leaves_what_a_fresh_one_writes_and_the_user_s_files(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path, to: str
) -> None:
    out = tmp_path / "out"
    export_to(run_cli, plan_repo, out, to=to)
    first = files_in(out)
    (out / "README.md").write_text("the user's own notes\n")
    remove_event(plan_repo, "signed-up.yaml")
    stderr = export_to(run_cli, plan_repo, out, to=to)
    fresh = tmp_path / "fresh"
    export_to(run_cli, plan_repo, fresh, to=to)
    assert files_in(out) == {**files_in(fresh), "README.md": b"the user's own notes\n"}
    assert folders_in(out) == folders_in(fresh)  # folders left empty are gone too
    gone = sorted(set(first) - set(files_in(fresh)))
    assert gone  # the removed event had files of its own
    assert stderr == f"removed {len(gone)} file(s) the last export to {out}/ wrote and this one does not: " + (
        ", ".join(gone) + "\n"
    )


def test_a_stale_file_the_user_changed_or_added_to_is_kept(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export_to(run_cli, plan_repo, out)
    first = files_in(out)
    remove_event(plan_repo, "signed-up.yaml")
    remove_event(plan_repo, "search-performed.yaml")
    [edited] = [p for p in first if "Signed_Up" in p]
    (out / edited).write_bytes(first[edited] + b"\n")  # the user's edit
    [kept_folder] = {str(Path(p).parent) for p in first if "Search_Performed" in p}
    (out / kept_folder / "notes.txt").write_text("mine\n")
    export_to(run_cli, plan_repo, out)
    assert files_in(out)[edited] == first[edited] + b"\n"
    assert files_in(out)[f"{kept_folder}/notes.txt"] == b"mine\n"
    assert not [p for p in files_in(out) if "Search_Performed" in p and not p.endswith("notes.txt")]


def test_the_same_export_again_removes_nothing_and_a_new_folder_is_not_cleaned(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "old-schema.json").write_text("{}\n")  # there before any export: the user's
    assert export_to(run_cli, plan_repo, out) == ""
    before = files_in(out)
    assert export_to(run_cli, plan_repo, out) == ""
    assert files_in(out) == before
    assert before["old-schema.json"] == b"{}\n"


def test_a_list_naming_paths_outside_the_folder_or_of_the_plan_removes_none(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me\n")
    settings = (plan_repo / "trackplan.yaml").read_bytes()
    (plan_repo / "link").symlink_to(outside)
    export_to(run_cli, plan_repo, plan_repo)  # the plan's own folder: schemas/ beside the plan, as ever
    record = folders.FolderRecord(plan_repo / ".git", plan_repo.resolve())
    listed = json.loads(record.file.read_bytes())
    precious = folders.content_digest(b"keep me\n")
    listed["files"] |= {"../precious.txt": precious, "link": precious, "/etc/passwd": precious}
    listed["files"]["trackplan.yaml"] = folders.content_digest(settings)
    record.file.write_text(json.dumps(listed))
    assert export_to(run_cli, plan_repo, plan_repo) == ""
    assert outside.read_text() == "keep me\n" and (plan_repo / "link").is_symlink()
    assert (plan_repo / "trackplan.yaml").read_bytes() == settings


def test_only_the_last_folders_are_remembered(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(folders, "FOLDERS_KEPT", 2)
    for name in ("a", "b", "c"):
        export_to(run_cli, plan_repo, tmp_path / name)
    lists = sorted(p.name for p in (plan_repo / ".git" / "trackplan" / "folders").iterdir())
    assert lists == sorted(folders.FolderRecord(plan_repo / ".git", (tmp_path / n).resolve()).file.name for n in "bc")
    remove_event(plan_repo, "signed-up.yaml")
    assert export_to(run_cli, plan_repo, tmp_path / "a") == ""  # forgotten: its stale files stay, as before
    assert any("Signed_Up" in p for p in files_in(tmp_path / "a"))


def test_a_git_folder_that_cannot_be_written_only_costs_the_removal(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    (plan_repo / ".git" / "trackplan").mkdir(exist_ok=True)
    (plan_repo / ".git" / "trackplan" / "folders").write_text("a file where the folder goes")
    out = tmp_path / "out"
    export_to(run_cli, plan_repo, out)
    fresh = tmp_path / "fresh"
    export_to(run_cli, plan_repo, fresh)
    assert files_in(out) == files_in(fresh)
