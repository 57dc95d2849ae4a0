from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import DATA
from trackplan.errors import InputError
from trackplan.formats import EXPORT_FORMATS, FORMATS, IMPORT_FORMATS, detect, read_source
from trackplan.formats.base import InputFile


def test_the_listed_formats_are_those_the_registry_reads_and_writes() -> None:
    assert sorted(IMPORT_FORMATS) == sorted(name for name, fmt in FORMATS.items() if fmt.read is not None)
    assert sorted(EXPORT_FORMATS) == sorted(name for name, fmt in FORMATS.items() if fmt.write is not None)
    assert [name for name, fmt in FORMATS.items() if fmt.write_folder is not None] == [
        "rudderstack",
        "snowplow-ds",
        "snowplow-dp",
        "snowplow",
    ]
    assert [name for name, fmt in FORMATS.items() if fmt.carries_removed] == [
        "trackplan",
        "jsonschema",
        "snowplow",
        "segment",
        "avo-json",
    ]


@pytest.mark.parametrize(
    ("example", "fmt"),
    [
        ("ampli.json", "ampli"),
        ("amplitude.csv", "avo-csv"),
        ("avo-api-example.csv", "avo-csv"),
        ("avo-export.json", "avo-json"),
        ("group.csv", "avo-csv"),
        ("itly.json", "itly"),
        ("mixpanel.csv", "avo-csv"),
        ("properties.csv", "avo-csv"),
        ("segment-protocols.csv", "avo-csv"),
        ("standard.json", "jsonschema"),
        ("ultimate-variant.csv", "avo-csv"),
        ("ultimate.csv", "avo-csv"),
    ],
)
def test_each_good_example_is_detected_as_its_format(example: str, fmt: str) -> None:
    path = DATA / "import" / "good" / example
    assert detect(InputFile(path.read_bytes(), path.name)) == fmt


@pytest.mark.parametrize(
    ("doc", "fmt"),
    [
        ({"format": "trackplan-bundle", "version": 1, "events": []}, "trackplan"),
        ({"self": {"vendor": "com.acme", "name": "x"}, "type": "object"}, "snowplow"),
        ({"eventSchemas": [], "contextSchemas": []}, "snowplow"),
        ({"rules": [{"type": "TRACK"}]}, "segment"),
        ({"rules": {"events": []}}, "segment"),
        ({"events": [{"schema": {}}]}, "itly"),
        ({"events": [{"name": "A"}]}, "avo-json"),
    ],
)
def test_json_documents_are_detected_by_shape_first_match_wins(doc: object, fmt: str) -> None:
    assert detect(InputFile(json.dumps(doc).encode(), "plan.json")) == fmt


def test_yaml_is_a_bundle_a_folder_is_iglu_and_other_text_is_csv(tmp_path: Path) -> None:
    assert detect(InputFile(b"format: trackplan-bundle\n", "plan.yaml")) == "trackplan"
    assert detect(InputFile(b"format: trackplan-bundle\n", "plan.yml")) == "trackplan"
    assert detect(InputFile(b"", str(tmp_path))) == "snowplow"
    assert detect(InputFile(b"Event Name,Event Description\n", "plan.txt")) == "avo-csv"


def test_json_of_no_known_shape_names_every_import_format() -> None:
    with pytest.raises(InputError) as caught:
        detect(InputFile(b'{"hello": 1}', "odd.json"))
    assert str(caught.value) == (
        "odd.json: cannot tell the format of this JSON (expected avo-csv, avo-json, jsonschema, itly, ampli, "
        "rudderstack, segment, snowplow, snowplow-dp, snowplow-ds, trackplan); pass --from"
    )


def test_an_export_only_format_cannot_be_read() -> None:
    with pytest.raises(InputError) as caught:
        read_source(InputFile(b"# Plan\n", "plan.md"), "markdown")
    assert str(caught.value) == (
        "unknown import format 'markdown'; use one of avo-csv, avo-json, jsonschema, itly, ampli, rudderstack, segment, "
        "snowplow, snowplow-dp, snowplow-ds, trackplan"
    )


def test_the_registry_loads_no_format_code_until_a_format_is_used() -> None:
    probe = "; ".join(
        [
            "import sys",
            "loaded = lambda: sorted(m for m in sys.modules if m.startswith('trackplan.formats.'))",
            "import trackplan.formats as f",
            "print(loaded())",
            "from trackplan.formats.base import InputFile",
            "f.detect(InputFile(b'a,b', 'x.csv'))",
            "print(loaded())",
            "f.read_source(InputFile(b'{\"schema\": {\"events\": {}}}', 'x.json'))",
            "print(loaded())",
        ]
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == [
        "[]",
        "['trackplan.formats.base']",
        "['trackplan.formats._schema_reader', 'trackplan.formats.base', 'trackplan.formats.bundle', "
        "'trackplan.formats.jsonschema']",
    ]
