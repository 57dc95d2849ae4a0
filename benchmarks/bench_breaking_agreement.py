"""How often trackplan's breaking verdict agrees with two references, case by case.

- json-schema-diff (getsentry, ../shared/corpora/json-schema-diff): each fixture is a pair of
  schemas, and the tool's verdict is whether any change its snapshot test records for the pair
  (tests/snapshots/test__from_fixtures@<group>__<case>.json.snap upstream) is breaking by its
  `ChangeKind::is_breaking` (src/types.rs). The corpus holds the pairs only, so the verdicts are
  written out in JSON_SCHEMA_DIFF_BREAKING.
- Iglu Central (../shared/corpora/iglu-central): consecutive versions of each schema; the
  authors' MODEL bump means breaking, a REVISION or ADDITION does not.

trackplan's verdict is a change of severity `breaking` under the validation profile. Prints
both figures, n agreed / n cases, and names every case where trackplan disagrees; docs/diff.md
argues each of those.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trackplan.diffing.schema import Place, SchemaDiffer, resolve_local_refs
from trackplan.model import SchemaVer

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"

# json-schema-diff's verdict on each of its fixtures: True when it calls the change breaking.
JSON_SCHEMA_DIFF_BREAKING = {
    "additional_properties/extend": False,
    "additional_properties/restrict": True,
    "any_of/any_of_with_constraint_to_type_1": False,
    "any_of/any_of_with_constraint_to_type_2": False,
    "any_of/number_1": True,
    "any_of/objects_1": False,
    "any_of/objects_2": False,
    "any_of/objects_3": True,
    "any_of/order_change": False,
    "any_of/to_equivalent_type": False,
    "any_of/to_less_strict_type": False,
    "any_of/to_more_strict_type": True,
    "any_of/type_to_any_of_within_array": True,
    "any_of/type_to_equivalent_any_of": False,
    "any_of/type_to_less_strict_any_of": False,
    "any_of/type_to_more_strict_any_of": False,
    "const/const_in_any_of_1": True,
    "const/const_in_any_of_2": True,
    "const/const_in_any_of_3": True,
    "const/const_in_properties": False,
    "const/const_string_to_const_number": True,
    "const/const_string_to_other_const_string": True,
    "const/integer_to_const_string": True,
    "const/number_to_const_string": True,
    "const/object_to_const_object": True,
    "const/string_to_const_number": True,
    "enum/add": False,
    "enum/add_and_remove": True,
    "enum/add_constraint": True,
    "enum/mixed_types": False,
    "enum/number_values": False,
    "enum/real_world_event_type": False,
    "enum/remove": True,
    "enum/remove_constraint": False,
    "enum/unchanged": False,
    "format/format_add": True,
    "format/format_change": True,
    "format/format_remove": False,
    "format/format_unchanged": False,
    "max_length/max_length_add": True,
    "max_length/max_length_decrease": True,
    "max_length/max_length_increase": False,
    "max_length/max_length_remove": False,
    "max_length/max_length_unchanged": False,
    "min_length/min_length_add": True,
    "min_length/min_length_decrease": False,
    "min_length/min_length_increase": True,
    "min_length/min_length_remove": False,
    "min_length/min_length_unchanged": False,
    "pattern/pattern_add": True,
    "pattern/pattern_change": True,
    "pattern/pattern_remove": False,
    "pattern/pattern_unchanged": False,
    "properties/add": True,
    "properties/add_property_in_array": True,
    "properties/add_property_in_array_of_any_of": True,
    "properties/change": True,
    "properties/remove": False,
    "properties/remove_property_while_allowing_additional_properties": False,
    "range/add_maximum": True,
    "range/add_minimum": True,
    "range/add_minimum_in_array": True,
    "range/all": True,
    "range/change_minimum": True,
    "range/change_minimum_and_maximum": True,
    "range/minimum_to_exclusive_maximum": True,
    "range/redundant_minimum_1": False,
    "range/redundant_minimum_2": False,
    "range/redundant_minimum_3": True,
    "range/remove_maximum": False,
    "range/remove_minimum": False,
    "range/to_exclusive_maximum": True,
    "range/to_exclusive_minimum": True,
    "range/unchanged_minimum": False,
    "ref/factor_out_definitions": False,
    "ref/factor_out_definitions_and_change": True,
    "required/add": True,
    "required/drop": False,
    "type/basic": True,
    "type/extend_from_const": False,
    "type/extend_type": False,
    "type/integer_to_number": False,
    "type/nothing": False,
    "type/number_to_integer": True,
    "type/restrict_to_const": False,
}


@dataclass(frozen=True)
class Case:
    name: str
    reference: bool  # the reference calls it breaking
    trackplan: bool

    @property
    def agreed(self) -> bool:
        return self.reference == self.trackplan


def breaking(old: Mapping[str, Any], new: Mapping[str, Any], place: Place) -> bool:
    return any(c.severity == "breaking" for c in SchemaDiffer().schema(old, new, place))


def json_schema_diff_cases(fixtures: Path) -> list[Case]:
    cases = []
    for path in sorted(fixtures.glob("*/*.json")):
        name = f"{path.parent.name}/{path.stem}"
        doc = json.loads(path.read_text())
        old, new = resolve_local_refs(doc["lhs"]), resolve_local_refs(doc["rhs"])
        cases.append(Case(name, JSON_SCHEMA_DIFF_BREAKING[name], breaking(old, new, Place(prop="x"))))
    return cases


def _body(path: Path) -> dict[str, Any]:
    doc = json.loads(path.read_text())
    body = resolve_local_refs({k: v for k, v in doc.items() if k not in ("self", "$schema", "description")})
    assert isinstance(body, dict)
    return body


def iglu_cases(schemas: Path) -> list[Case]:
    cases = []
    for folder in sorted(schemas.glob("*/*/jsonschema")):
        versions = sorted(folder.iterdir(), key=lambda p: SchemaVer.parse(p.name))
        for before, after in itertools.pairwise(versions):
            model_bump = SchemaVer.parse(after.name).model > SchemaVer.parse(before.name).model
            name = f"{folder.parent.relative_to(schemas)} {before.name} -> {after.name}"
            cases.append(Case(name, model_bump, breaking(_body(before), _body(after), Place())))
    return cases


def report(title: str, cases: list[Case]) -> None:
    agreed = sum(case.agreed for case in cases)
    print(f"{title}: {agreed} / {len(cases)} agreed ({agreed / len(cases):.1%})")
    for case in cases:
        if not case.agreed:
            verdicts = f"reference {'breaking' if case.reference else 'not breaking'}"
            print(f"  {case.name}: {verdicts}, trackplan {'breaking' if case.trackplan else 'not breaking'}")


def main() -> None:
    if not CORPORA.exists():
        print(f"skipped: {CORPORA} is absent")
        return
    report("json-schema-diff fixtures", json_schema_diff_cases(CORPORA / "json-schema-diff" / "fixtures"))
    report("Iglu Central MODEL bumps", iglu_cases(CORPORA / "iglu-central" / "schemas"))


if __name__ == "__main__":
    main()
