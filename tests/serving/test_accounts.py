"""Service accounts: secrets shown once and kept only as scrypt hashes in a private state file
outside every repository; an unknown name costs the same KDF as a wrong secret."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall
from trackplan.errors import InputError
from trackplan.serving import accounts as accounts_module
from trackplan.serving.accounts import AccountStore, basic_authorization
from trackplan.serving.config import check_state_dir


def test_add_prints_the_secret_once_and_stores_only_a_salted_hash(tmp_path: Path, run_cli: CliRunnerCall) -> None:
    state = tmp_path / "state"
    added = run_cli("accounts", "add", "ci", "--workspace", "web", "--scope", "export", "--state-dir", state)
    assert added.exit_code == 0, added.output
    secret = added.output.splitlines()[1].strip()
    assert len(base64.urlsafe_b64decode(secret + "=")) == 32  # 256 bits
    assert added.output.splitlines()[2] == f"  Authorization: {basic_authorization('ci', secret)}"
    stored = (state / "accounts.json").read_text()
    assert secret not in stored
    assert json.loads(stored)["accounts"][0]["scopes"] == ["export"]
    assert oct((state / "accounts.json").stat().st_mode & 0o777) == "0o600"
    listed = run_cli("accounts", "list", "--state-dir", state)
    assert listed.output == "ci\tworkspace web\tscope export\n"
    assert secret not in listed.output


def test_rotate_replaces_the_secret_and_remove_forgets_the_account(tmp_path: Path, run_cli: CliRunnerCall) -> None:
    store = AccountStore(tmp_path / "state")
    old = store.add("ci")
    rotated = run_cli("accounts", "rotate", "ci", "--state-dir", tmp_path / "state")
    new_secret = rotated.output.splitlines()[1].strip()
    assert store.verify(old.authorization) is None
    verified = store.verify(basic_authorization("ci", new_secret))
    assert verified is not None and verified.name == "ci"
    assert run_cli("accounts", "remove", "ci", "--state-dir", tmp_path / "state").output == "account ci removed\n"
    assert store.verify(basic_authorization("ci", new_secret)) is None
    missing = run_cli("accounts", "remove", "ci", "--state-dir", tmp_path / "state")
    assert missing.exit_code == 2
    assert missing.output == "trackplan: error: no account 'ci'; `trackplan accounts list` shows them\n"


def test_an_unknown_name_pays_the_same_kdf_as_a_wrong_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = AccountStore(tmp_path / "state")
    issued = store.add("ci")
    calls: list[int] = []
    real = accounts_module._hash

    def counted(secret: str, salt: bytes) -> bytes:
        calls.append(len(salt))
        return real(secret, salt)

    monkeypatch.setattr(accounts_module, "_hash", counted)
    assert store.verify(basic_authorization("nobody", "x")) is None
    assert store.verify(basic_authorization("ci", "wrong")) is None
    assert calls == [16, 16]
    assert store.verify(issued.authorization) is not None
    assert store.verify(issued.authorization) is not None  # remembered: no second KDF
    assert len(calls) == 3


def test_the_server_refuses_a_group_readable_accounts_file(
    tmp_path: Path, run_cli: CliRunnerCall, plan_repo: Path
) -> None:
    state = tmp_path / "state"
    AccountStore(state).add("ci")
    os.chmod(state / "accounts.json", 0o640)
    result = run_cli("-C", plan_repo, "serve", "--port", "0", "--state-dir", state)
    assert result.exit_code == 2
    assert result.output == (
        f"trackplan: error: {state / 'accounts.json'}: mode 0o640 lets group or others read the accounts; "
        "run chmod 600 on it\n"
    )


def test_the_state_folder_may_not_be_inside_a_repository(plan_repo: Path) -> None:
    with pytest.raises(InputError, match="is inside the git repository"):
        check_state_dir(plan_repo / ".trackplan-state")


def test_bad_names_and_scopes_are_refused(tmp_path: Path, run_cli: CliRunnerCall) -> None:
    bad_name = run_cli("accounts", "add", "a:b", "--state-dir", tmp_path)
    assert bad_name.exit_code == 2 and "account name 'a:b'" in bad_name.output
    bad_scope = run_cli("accounts", "add", "ci", "--scope", "admin", "--state-dir", tmp_path)
    assert bad_scope.output == "trackplan: error: --scope 'admin': use a comma-separated list of import, export\n"
