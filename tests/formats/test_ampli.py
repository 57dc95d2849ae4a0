"""Ampli's schema.json: events named by their `$id`, versions kept, and the export gives the
same document back."""

from __future__ import annotations

import json

import pytest

from tests.helpers import DATA
from trackplan.formats import read_source
from trackplan.formats.ampli import code_name_of, write
from trackplan.formats.base import InputFile, WriteOptions
from trackplan.model import Event, Plan

EXAMPLE = DATA / "import" / "good" / "ampli.json"


def test_events_are_named_by_their_id_with_the_version_and_traits_apart() -> None:
    plan = read_source(InputFile(EXAMPLE.read_bytes(), EXAMPLE.name), "ampli").plan
    assert [(e.name, e.version) for e in plan.events] == [("Song Played", "2-1-0"), ("playlist_shared", "1-0-0")]
    assert plan.events[0].required_order == ("song_id", "position_ms")
    assert [p.name for p in plan.events[0].properties] == ["position_ms", "shuffle", "song_id"]
    assert plan.identify is not None and [p.name for p in plan.identify.properties] == ["plan"]
    assert plan.contexts == ()  # an empty Context is no context
    assert plan.events[1].extra["x-ampli-key"] == "SharePlaylist"  # not the code name Ampli derives


@pytest.mark.parametrize(
    ("name", "code_name"),
    [
        ("Song Played", "SongPlayed"),
        ("event withDifferent_CasingTypes", "EventWithDifferentCasingTypes"),
        ("Event With All Properties", "EventWithAllProperties"),
        ("checkout_completed", "CheckoutCompleted"),
        ("HTTP Error 404", "HTTPError404"),
    ],
)
def test_the_code_name_is_the_words_in_pascal_case(name: str, code_name: str) -> None:
    assert code_name_of(name) == code_name


def test_the_export_is_the_document_that_was_read() -> None:
    plan = read_source(InputFile(EXAMPLE.read_bytes(), EXAMPLE.name), "ampli").plan
    assert json.loads(write(plan, WriteOptions())) == json.loads(EXAMPLE.read_bytes())


def test_events_that_share_a_code_name_keep_apart() -> None:
    plan = Plan(events=(Event(name="Song Played"), Event(name="song_played"), Event(name="context")))
    doc = json.loads(write(plan, WriteOptions()))
    assert list(doc["properties"]) == ["Context", "Identify", "Group", "SongPlayed", "Context2", "SongPlayed2"]
    again = read_source(InputFile(write(plan, WriteOptions()), "schema.json"), "ampli").plan
    assert [e.name for e in again.events] == ["Song Played", "context", "song_played"]
