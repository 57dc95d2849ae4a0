"""The duplicate-key check costs the fast loader a length comparison per mapping: every real
plan file loads exactly as PyYAML's own mapping constructor reads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import DATA, ROOT, corpus, plan_with
from trackplan import yamlio
from trackplan.errors import InputError


class PyYAMLMappings(yaml.CSafeLoader):
    """The loader before the check: PyYAML's construct_mapping, yamlio's resolvers."""

    yaml_implicit_resolvers = yamlio._FastLoader.yaml_implicit_resolvers


def reference(data: bytes) -> list[Any]:
    docs = [doc for doc in yaml.load_all(data, Loader=PyYAMLMappings) if doc is not None]
    yamlio._refuse_aliases(docs, "reference")
    return docs


@pytest.mark.corpus
def test_every_plan_file_loads_as_pyyaml_reads_it() -> None:
    roots = [ROOT / "plan-template", DATA, corpus()]
    files = [p for root in roots for p in sorted(root.rglob("*")) if p.suffix in (".yaml", ".yml")]
    files = [p for p in files if p.name != "bomb.yaml"]  # aliases: refused by both
    assert len(files) > 50
    for file in files:
        data = file.read_bytes()
        assert yamlio.load_all(data, str(file)) == reference(data), file


def test_a_synthetic_plan_loads_as_pyyaml_reads_it(tmp_path: Path) -> None:
    plan_with(tmp_path / "p", 300)
    files = sorted((tmp_path / "p" / "events").glob("*.yaml"))
    assert len(files) == 300
    for file in files:
        data = file.read_bytes()
        assert [yamlio.load(data, str(file))] == reference(data)


def test_a_repeat_deep_in_a_large_file_is_found() -> None:
    text = "".join(f"k{i}:\n  a: {i}\n  b: [{{x: {i}}}]\n" for i in range(2000)) + "k7:\n  a: 1\n"
    with pytest.raises(InputError) as raised:
        yamlio.load(text, "big.yaml")
    assert str(raised.value) == "big.yaml:6001:1: invalid YAML: duplicate key 'k7' (first on line 22)"
