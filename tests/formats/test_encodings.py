"""Text encodings of an import: UTF-16 is named as such, for CSV as for JSON."""

from __future__ import annotations

import pytest

from trackplan.errors import InputError
from trackplan.formats import read_source
from trackplan.formats.base import InputFile

CSV = "Event Name,Event Description\nSigned Up,A user signed up.\n"


@pytest.mark.parametrize("fmt", ["auto", "avo-csv"])
@pytest.mark.parametrize("data", [CSV.encode("utf-16"), b"\xfe\xff" + CSV.encode("utf-16-be")], ids=["le", "be"])
def test_utf16_csv_is_named_not_called_binary(fmt: str, data: bytes) -> None:
    with pytest.raises(InputError) as raised:
        read_source(InputFile(data, "plan.csv"), fmt)
    assert str(raised.value) == "plan.csv: UTF-16 text; save it as UTF-8"


@pytest.mark.parametrize("fmt", ["auto", "jsonschema"])
@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_utf16_json_is_named_in_auto_mode_too(fmt: str, codec: str) -> None:
    data = '{"schema": {"events": {}}}'.encode(codec)
    data = data if codec == "utf-16" else b"\xfe\xff" + data
    with pytest.raises(InputError) as raised:
        read_source(InputFile(data, "plan.json"), fmt)
    assert str(raised.value) == "plan.json: UTF-16 text; save it as UTF-8"
